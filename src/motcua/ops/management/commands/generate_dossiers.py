"""`python -m motcua generate_dossiers --count N`: realistic generated dossiers (demos, benchmarks)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.models import Status
from motcua.ops.generator import DEFAULT_BATCH, GenerationError, generate


class Command(BaseCommand):
    help = ("Sinh hồ sơ mẫu như thật (kèm toàn bộ sự kiện) trong 12 tháng qua, trên danh mục thủ tục đã nhập, "
            "để trình diễn và đo hiệu năng.")

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Số hồ sơ cần sinh")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")
        parser.add_argument("--months", type=int, default=12, help="Số tháng trải hồ sơ (mặc định 12)")
        parser.add_argument("--agency", default=None, help="Chỉ sinh cho thủ tục của cơ quan có mã đơn vị này")
        parser.add_argument(
            "--fast", action="store_true",
            help="PostgreSQL, tài khoản superuser: bỏ kiểm tra khóa ngoại từng dòng khi COPY (nạp dữ liệu đo)",
        )
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="Số hồ sơ mỗi lô ghi")

    def handle(self, *args, count, seed, months, agency, batch, fast, **options):
        if count <= 0:
            raise CommandError("--count phải là số nguyên dương.")
        try:
            result = generate(count, seed=seed, months=months, agency=agency, batch_size=batch, skip_fk_checks=fast,
                              progress=lambda line: self.stdout.write("  " + line))
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Đã sinh {result.dossiers} hồ sơ, {result.events} sự kiện, {result.ratings} đánh giá "
            f"trong {result.seconds:.1f} s ({result.rows_per_second:,.0f} dòng/s; "
            f"{result.dossiers / max(result.seconds, 1e-9):,.0f} hồ sơ/s); "
            f"{result.staff_created} tài khoản sinh mới; ghi dữ liệu {result.write_seconds:.1f} s."
        ))
        for status, n in sorted(result.by_status.items()):
            self.stdout.write(f"  {status:2d} {Status(status).label}: {n}")
        # The generated dossiers carry their simulated (past) write times, which the reports'
        # summary would not look at: rebuild it.
        from motcua.reports import summary

        started = time.perf_counter()
        ended = summary.rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Số liệu tổng hợp báo cáo: {ended} hồ sơ đã kết thúc, {seconds:.1f} s.")
