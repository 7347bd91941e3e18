"""`python -m motcua serve`: the production web server (granian, WSGI).

WSGI rather than ASGI: our views are synchronous, and granian's WSGI interface serves them
several times faster than going through the ASGI adapter. Static files are served by
WhiteNoise inside the app (collected first, with hashed names when MOTCUA_MANIFEST_STATIC=1).

With the embedded job worker (the default), this process stays as a small supervisor of two
children, granian and `worker`: the signals it gets (SIGTERM, SIGINT, SIGQUIT; SIGHUP for a
reload) go to granian and stop the worker gracefully, the worker is stopped when the server ends
for any reason, and started again if it ends on its own (or after a reload). If the
supervisor itself is killed outright, Linux ends both children (PR_SET_PDEATHSIG). Without the
worker the process simply becomes granian, as before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web cho môi trường vận hành (granian, WSGI)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MOTCUA_HOST)
        parser.add_argument("--port", type=int, default=settings.MOTCUA_PORT)
        parser.add_argument(
            "--workers", type=int, default=settings.MOTCUA_WEB_WORKERS,
            help="Số tiến trình (mặc định 2; thường bằng số nhân CPU)",
        )
        parser.add_argument("--threads", type=int, default=settings.MOTCUA_WEB_THREADS,
                            help="Số luồng xử lý mỗi tiến trình")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--migrate", action="store_true", help="Chạy migrate trước khi phục vụ")
        parser.add_argument(
            "--no-worker", action="store_true",
            help="Không chạy tác vụ nền kèm theo (khi đã có dịch vụ `worker` riêng)",
        )

    def handle(self, *args, host, port, workers, threads, no_collectstatic, migrate, no_worker, **options):
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "granian",
            "--interface", "wsgi",
            "--host", host,
            "--port", str(port),
            "--workers", str(workers),
            "--blocking-threads", str(threads),
            "--no-ws",
            "--log-level", settings.MOTCUA_SERVER_LOG_LEVEL,
            "motcua.wsgi:application",
        ]
        self.stdout.write(f"motcua: http://{host}:{port}/ ({workers} tiến trình)")
        self.stdout.flush()
        if no_worker or not settings.MOTCUA_EMBEDDED_WORKER:
            os.execv(sys.executable, argv)  # noqa: S606 (replace this process with the server)
        sys.exit(supervise(argv, [sys.executable, "-m", "motcua", "worker"]))


FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)
WORKER_RESTART_SECONDS = 5
STOP_GRACE_SECONDS = 30


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM when its parent dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(argv, preexec_fn=_die_with_parent if sys.platform == "linux" else None)  # noqa: S603


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def supervise(server_argv: list[str], worker_argv: list[str]) -> int:
    """Run the server and a job worker until the server ends; the server's exit code."""
    server = _start(server_argv)
    worker = _start(worker_argv)
    stopping: list[int] = []

    def forward(signum, _frame):
        if server.poll() is None:
            server.send_signal(signum)
        if signum != signal.SIGHUP:
            stopping.append(signum)
        if worker.poll() is None:
            worker.terminate()  # the worker finishes its job and stops; after a SIGHUP it starts anew

    for signum in FORWARDED:
        signal.signal(signum, forward)
    next_start = 0.0
    while server.poll() is None:
        if worker.poll() is not None and not stopping and time.monotonic() >= next_start:
            # The worker ended on its own (or for a reload): start another, at most every few seconds.
            print(f"motcua: the job worker stopped (exit {worker.returncode}); starting it again",
                  file=sys.stderr, flush=True)
            worker = _start(worker_argv)
            next_start = time.monotonic() + WORKER_RESTART_SECONDS
        time.sleep(0.2)
    _stop(worker)
    return server.returncode if server.returncode >= 0 else 128 - server.returncode
