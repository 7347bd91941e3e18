"""`serve` with its embedded job worker: the worker ends with the server, whatever signal ends it.
It used to outlive the server (re-parented to PID 1 after a SIGTERM to the server)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests import workers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits (periodic jobs): emptied after


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; it only waits for its parent to read its status


def _serve(tmp_path) -> tuple[subprocess.Popen, set[int]]:
    port = _free_port()
    connection.close()  # SQLite: the children open the file on their own
    env = dict(os.environ, DATABASE_URL=workers.database_url(), MOTCUA_DATA_DIR=str(tmp_path),
               PYTHONPATH=str(ROOT / "src"))
    env.pop("MOTCUA_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "motcua", "serve", "--port", str(port), "--workers", "1",
                             "--no-collectstatic"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the server did not answer within 60 s")
    children = _descendants(proc.pid)
    job_workers = [pid for pid in children if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert job_workers, "the embedded job worker is not running"
    return proc, children


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"])
def test_the_embedded_worker_stops_with_the_server(tmp_path, signum):
    proc, children = _serve(tmp_path)
    proc.send_signal(signum)
    proc.wait(60)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    left = [pid for pid in children if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after {signal.Signals(signum).name}: {left}"
