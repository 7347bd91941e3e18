"""`python -m motcua audit_checkpoint`: write a signed checkpoint of the audit logs now (the worker
does it every MOTCUA_AUDIT_CHECKPOINT_MINUTES); the first one also anchors the unkeyed history."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.audit import checkpoints


class Command(BaseCommand):
    help = "Ghi một điểm kiểm tra có chữ ký của nhật ký kiểm toán (lần đầu: neo các bản ghi trước khi có khóa)."

    def handle(self, *args, **options):
        try:
            made = checkpoints.write()
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        if made is None:
            minutes = int(checkpoints.settle().total_seconds() // 60)
            self.stdout.write(f"Điểm kiểm tra gần nhất chưa quá {minutes} phút (MOTCUA_AUDIT_CHECKPOINT_MINUTES), "
                              "hoặc một tiến trình khác vừa ghi: không ghi thêm.")
            return
        self.stdout.write(f"Đã ghi điểm kiểm tra {checkpoints.describe(made)}.")
