"""`python -m motcua settings_table [--write [PATH]]`: the settings table of docs/operations.md, written from
the registry (motcua.conf); --write puts it between the table's markers in the document."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua import conf


def operations_doc() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "operations.md"


class Command(BaseCommand):
    help = "In bảng cài đặt (lấy từ danh mục motcua.conf); --write ghi bảng vào docs/operations.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", nargs="?", const=str(operations_doc()), default=None, metavar="PATH",
                            help="Ghi bảng vào tài liệu (mặc định docs/operations.md)")

    def handle(self, *args, write: str | None = None, **options):
        if write is None:
            self.stdout.write(conf.table(), ending="")
            return
        path = Path(write)
        try:
            text = path.read_text(encoding="utf-8")
            updated = conf.with_table(text)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if updated != text:
            path.write_text(updated, encoding="utf-8")
        self.stdout.write(f"{path}: {'updated' if updated != text else 'already up to date'}")
