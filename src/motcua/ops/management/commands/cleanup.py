"""`python -m motcua cleanup [--dry-run]`: the daily housekeeping now (see motcua.ops.cleanup)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.ops import cleanup


class Command(BaseCommand):
    help = ("Dọn dữ liệu bị bỏ lại: hồ sơ nháp bỏ dở, mã xác minh và mã truy cập đã hết hạn, tệp không còn dùng "
            "(việc này cũng chạy hằng ngày trong tác vụ nền core.cleanup).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm những gì sẽ bị xóa, không xóa gì")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        self.stdout.write(f"Giữ hồ sơ nháp {cleanup.draft_retention_days()} ngày kể từ lần lưu cuối; "
                          f"mã đã hết hạn thêm {cleanup.code_retention_days()} ngày.")
        failed = []
        for kind in cleanup.KINDS:
            try:
                count = kind.remove(now=now, dry_run=dry_run)
            except Exception as exc:
                failed.append(kind.label)
                self.stderr.write(f"{kind.label}: lỗi, chưa dọn được ({exc})")
                continue
            verb = "sẽ xóa" if dry_run else "đã xóa"
            self.stdout.write(f"{kind.label}: {verb} {count}")
        if dry_run:
            self.stdout.write("Chạy thử: chưa xóa gì.")
        if failed:
            raise CommandError("Không dọn được: " + ", ".join(failed))
