import json
import sys

from django.core.management.base import BaseCommand

from motcua.catalog.importer import export_catalog


class Command(BaseCommand):
    help = "Xuất danh mục đang áp dụng ra tệp JSON (cùng định dạng với import_catalog)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="Tệp đích; '-' là đầu ra chuẩn")

    def handle(self, *args, file, **options):
        text = json.dumps(export_catalog(), ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            sys.stdout.write(text)
        else:
            with open(file, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"Đã ghi {file}.")
