"""`python -m motcua rebuild_summary`: rebuild the reports' summary of ended dossiers from the
dossiers (after an import, a restore, or dossiers written outside the action layer)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from motcua.reports import summary


class Command(BaseCommand):
    help = "Dựng lại số liệu tổng hợp của các hồ sơ đã kết thúc (báo cáo, chỉ số QĐ 766)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = summary.rebuild()
        self.stdout.write(f"Đã tổng hợp {total} hồ sơ đã kết thúc trong {time.perf_counter() - started:.1f} s.")
