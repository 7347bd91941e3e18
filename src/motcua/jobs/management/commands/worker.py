"""`python -m motcua worker`: runs background jobs (notifications, payment checks, sync)."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from motcua.jobs.runner import run_pending, schedule_periodic, work_forever


class Command(BaseCommand):
    help = "Chạy các tác vụ nền (gửi thông báo, kiểm tra thanh toán, đồng bộ)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Chạy các tác vụ đến hạn rồi dừng")
        parser.add_argument("--poll", type=float, default=1.0, help="Giây chờ giữa hai lần kiểm tra")

    def handle(self, *args, once, poll, **options):
        if once:
            schedule_periodic()
            counts = run_pending(1000)
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "0")
            return
        stopping = []

        def stop(*_):
            stopping.append(True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        work_forever(poll_seconds=poll, stop=lambda: bool(stopping))
