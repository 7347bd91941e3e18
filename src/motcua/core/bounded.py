"""Run a parser of untrusted input in a child process with a CPU limit.

A hostile file can make a parser spin for minutes (a PDF whose last line is megabytes long, a
deep object tree, a huge cross-reference table); Python cannot interrupt a C loop, and a thread
cannot be killed. So the work is forked into a child that the kernel stops at its CPU limit
(RLIMIT_CPU: SIGXCPU, then SIGKILL a second later) and that the parent kills at a wall-clock
limit too. The child inherits what the parent has loaded (no interpreter start-up: a fork costs
a few milliseconds), returns its result through a pipe (pickled) and ends with os._exit, so it
never runs the parent's clean-up nor touches its database connections.

Where fork is not available (not POSIX) the function runs in the process, unbounded.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TooExpensive(Exception):
    """The work went over its CPU or wall-clock limit and was stopped."""


class ChildFailed(Exception):
    """The work raised in the child; the message is the exception's repr."""


def run(func: Callable[..., T], *args: Any, cpu_seconds: int, wall_seconds: float | None = None) -> T:
    """func(*args) in a child limited to `cpu_seconds` of CPU (and `wall_seconds`, by default
    twice that plus one); TooExpensive when stopped, ChildFailed when func raised."""
    if not hasattr(os, "fork"):  # pragma: no cover - POSIX only
        return func(*args)
    wall = wall_seconds if wall_seconds is not None else 2 * cpu_seconds + 1
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
        _child(func, args, cpu_seconds, read_end, write_end)
    os.close(write_end)
    try:
        payload = _read_all(read_end, time.monotonic() + wall)
    finally:
        os.close(read_end)
    if payload is None:  # over the wall-clock limit
        _kill(pid)
        raise TooExpensive(f"stopped after {wall:g} s")
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not payload:
        raise TooExpensive(f"stopped at {cpu_seconds} s of CPU (signal {os.WTERMSIG(status)})"
                           if os.WIFSIGNALED(status) else "the child ended without an answer")
    ok, value = pickle.loads(payload)  # noqa: S301 - our own child's answer, through our own pipe
    if not ok:
        raise ChildFailed(value)
    return value


def _child(func, args, cpu_seconds: int, read_end: int, write_end: int) -> None:  # pragma: no cover
    code = 0
    try:
        import resource

        os.close(read_end)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        try:
            answer = (True, func(*args))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            answer = (False, repr(exc)[:500])
        data = pickle.dumps(answer)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
    except BaseException:  # noqa: BLE001 - never return into the parent's code
        code = 1
    finally:
        os._exit(code)


def _read_all(fd: int, deadline: float) -> bytes | None:
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _w, _x = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
