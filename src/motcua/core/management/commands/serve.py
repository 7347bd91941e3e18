"""`python -m motcua serve`: the production web server (granian, WSGI).

WSGI rather than ASGI: our views are synchronous, and granian's WSGI interface serves them
several times faster than going through the ASGI adapter. Static files are served by
WhiteNoise inside the app (collected first, with hashed names when MOTCUA_MANIFEST_STATIC=1).
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web cho môi trường vận hành (granian, WSGI)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("MOTCUA_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("MOTCUA_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("MOTCUA_WEB_WORKERS", "2")),
            help="Số tiến trình (mặc định 2; thường bằng số nhân CPU)",
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("MOTCUA_WEB_THREADS", "4")),
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
            "--log-level", os.environ.get("MOTCUA_SERVER_LOG_LEVEL", "warning"),
            "motcua.wsgi:application",
        ]
        if not no_worker and os.environ.get("MOTCUA_EMBEDDED_WORKER", "1") != "0":
            # The embedded set-up needs no other service: one job worker runs beside the web
            # server (it outlives this process, which becomes granian, and stops with it).
            subprocess.Popen([sys.executable, "-m", "motcua", "worker"], start_new_session=False)  # noqa: S603
        self.stdout.write(f"motcua: http://{host}:{port}/ ({workers} tiến trình)")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 (replace this process with the server)
