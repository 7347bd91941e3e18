"""`python -m motcua verify_audit [--dossier CODE]`: check the audit hash chains; exit 1 on any problem."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from motcua.audit.verify import BATCH, verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi mã băm của nhật ký (sự kiện hồ sơ, truy cập dữ liệu cá nhân); mã thoát 1 nếu có sai lệch."

    def add_arguments(self, parser):
        parser.add_argument("--dossier", metavar="CODE", help="Chỉ kiểm tra một hồ sơ (mã hồ sơ).")
        parser.add_argument("--batch", type=int, default=BATCH, help="Số hồ sơ mỗi lượt đọc.")

    def handle(self, *args, dossier=None, batch=BATCH, **options):
        from motcua.audit import chains
        from motcua.audit.models import AuditLog

        owner = chains.get(AuditLog.EVENT).owner
        if dossier is not None and not owner.objects.filter(code=dossier).exists():
            raise CommandError(f"Không có hồ sơ {dossier}.")
        started = time.monotonic()
        problems = 0
        for problem in verify(dossier, batch=max(1, batch)):
            problems += 1
            self.stdout.write(str(problem))
        elapsed = time.monotonic() - started
        if dossier is None:
            self._checkpoint_summary()
        if problems:
            self.stderr.write(f"Phát hiện {problems} sai lệch trong nhật ký ({elapsed:.1f} s).")
            sys.exit(1)
        self.stdout.write(f"Nhật ký toàn vẹn ({elapsed:.1f} s).")

    def _checkpoint_summary(self) -> None:
        from motcua.audit import checkpoints

        try:
            last = checkpoints.newest()
        except checkpoints.CheckpointError as exc:
            self.stdout.write(str(exc))
            return
        if last is None:
            self.stdout.write("Chưa có điểm kiểm tra nào: việc xóa các bản ghi mới nhất chưa phát hiện được. "
                              "Hãy chạy bộ xử lý nền (worker) hoặc `python -m motcua audit_checkpoint`.")
        else:
            self.stdout.write(f"Điểm kiểm tra gần nhất: {checkpoints.describe(last)}.")
