"""core.bounded: work on untrusted input in a child process stopped at a CPU limit."""

from __future__ import annotations

import time

import pytest

from motcua.core import bounded


def _spin():
    while True:
        pass


def _sleep():
    time.sleep(30)


def _fail():
    raise ValueError("hỏng")


def test_it_returns_the_childs_answer():
    assert bounded.run(sum, [1, 2, 3], cpu_seconds=5) == 6
    assert bounded.run(str.upper, "hồ sơ", cpu_seconds=5) == "HỒ SƠ"


def test_an_error_in_the_child_is_reported():
    with pytest.raises(bounded.ChildFailed, match="hỏng"):
        bounded.run(_fail, cpu_seconds=5)


def test_the_kernel_stops_a_child_at_its_cpu_limit():
    with pytest.raises(bounded.TooExpensive, match="CPU"):  # not "after": the wall-clock limit is far
        bounded.run(_spin, cpu_seconds=1, wall_seconds=120)


def test_a_child_that_waits_is_stopped_at_the_wall_clock_limit():
    with pytest.raises(bounded.TooExpensive, match="after"):
        bounded.run(_sleep, cpu_seconds=5, wall_seconds=1)
