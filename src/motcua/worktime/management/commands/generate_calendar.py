"""`python -m motcua generate_calendar YEAR [YEAR...]`: the years' days off, from `holidays`.

Idempotent: running it again changes nothing unless the package learned something new. Rows
entered or edited by hand are kept; confirmed years are skipped unless --refresh-confirmed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.worktime.holidays_vn import SUPPORTED_YEARS
from motcua.worktime.services import generate_calendar_year


class Command(BaseCommand):
    help = (
        "Sinh ngày nghỉ lễ, nghỉ bù, nghỉ hoán đổi và ngày làm bù của các năm từ thư viện "
        "holidays (giữ nguyên các dòng sửa tay; bỏ qua năm đã xác nhận)."
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int, metavar="YEAR", help="Năm, ví dụ 2026.")
        parser.add_argument(
            "--refresh-confirmed",
            action="store_true",
            help="Sinh lại cả năm đã xác nhận (nếu có thay đổi, năm đó cần xác nhận lại).",
        )
        parser.add_argument(
            "--without-culture-day",
            action="store_true",
            help="Không thêm Ngày Văn hóa Việt Nam (24/11) và ngày nghỉ bù của nó.",
        )

    def handle(self, *args, years: list[int], refresh_confirmed: bool, without_culture_day: bool, **options):
        bad = [y for y in years if y not in SUPPORTED_YEARS]
        if bad:
            raise CommandError(
                f"Năm ngoài phạm vi {SUPPORTED_YEARS.start}–{SUPPORTED_YEARS.stop - 1}: " + ", ".join(map(str, bad))
            )
        for year in dict.fromkeys(years):
            result = generate_calendar_year(
                year, culture_day=not without_culture_day, refresh_confirmed=refresh_confirmed
            )
            if result.skipped_confirmed:
                self.stdout.write(f"{year}: đã xác nhận, bỏ qua (dùng --refresh-confirmed để sinh lại).")
                continue
            line = (
                f"{year}: thêm {result.created}, cập nhật {result.updated}, xóa {result.deleted}, "
                f"giữ {result.kept_manual} dòng sửa tay."
            )
            if result.unconfirmed:
                line += " Lịch đã thay đổi: cần xác nhận lại."
            self.stdout.write(self.style.SUCCESS(line) if result.changed else line)
