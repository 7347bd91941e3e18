import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.importer import CatalogError, import_catalog


class Command(BaseCommand):
    help = "Nhập danh mục cơ quan, lĩnh vực và thủ tục từ tệp JSON (định dạng catalog.json)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp JSON")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {path}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"Tệp {path} không phải văn bản UTF-8.") from exc
        except json.JSONDecodeError as exc:
            where = f"dòng {exc.lineno}, cột {exc.colno}"
            raise CommandError(f"Tệp {path} không phải JSON hợp lệ: {where}: {exc.msg}.") from exc
        try:
            report = import_catalog(data)
        except CatalogError as exc:
            raise CommandError("Không nhập gì cả vì tệp có lỗi:\n- " + "\n- ".join(exc.problems)) from exc
        self.stdout.write(report.summary())
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
