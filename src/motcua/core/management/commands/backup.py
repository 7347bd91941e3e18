"""`python -m motcua backup DIR`: the database and every stored file, with a checksum manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.core.backup import BackupError, backup, describe


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và toàn bộ tệp vào một thư mục mới, kèm bảng mã kiểm tra (manifest.json)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Thư mục mới (hoặc trống) để ghi bản sao lưu")

    def handle(self, *args, directory: Path, **options):
        started = timezone.now()
        try:
            report = backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã sao lưu vào {directory}: {describe(report, started)}")
