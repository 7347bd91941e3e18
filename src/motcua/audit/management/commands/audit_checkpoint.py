"""`python -m motcua audit_checkpoint`: write a signed checkpoint of the audit logs now (the worker
does it every MOTCUA_AUDIT_CHECKPOINT_MINUTES); the first one also anchors the unkeyed history."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.audit import checkpoints


class Command(BaseCommand):
    help = "Ghi một điểm kiểm tra có chữ ký của nhật ký kiểm toán (lần đầu: neo các bản ghi trước khi có khóa)."

    def handle(self, *args, **options):
        made = checkpoints.write()
        if made is None:
            self.stdout.write(f"Điểm kiểm tra gần nhất chưa quá {int(checkpoints.SETTLE.total_seconds())} giây; "
                              "không ghi thêm.")
            return
        sealed = ", ".join(f"{checkpoints.LABEL[log]} {part['count']}" for log, part in made.record["sealed"].items())
        self.stdout.write(f"Đã ghi điểm kiểm tra #{made.n} lúc {timezone.localtime(made.at):%H:%M %d/%m/%Y} "
                          f"({made.name}; số bản ghi được niêm: {sealed}).")
