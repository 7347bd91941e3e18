"""`python -m motcua restore DIR`: into an empty database, after checking every checksum."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.core.backup import BackupError, describe, restore


class Command(BaseCommand):
    help = ("Phục hồi một bản sao lưu vào cơ sở dữ liệu trống: kiểm tra mã của mọi tệp trước khi ghi, "
            "so sánh số dòng từng bảng sau khi phục hồi.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Thư mục bản sao lưu (có manifest.json)")

    def handle(self, *args, directory: Path, **options):
        started = timezone.now()
        try:
            report = restore(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã phục hồi từ {directory}: {describe(report, started)}")
