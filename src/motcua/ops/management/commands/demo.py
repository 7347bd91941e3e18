"""`python -m motcua demo`: a working system with the sample province, forms and accounts."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 (documented demo password, README.md)
SAMPLE_CATALOG = Path(__file__).resolve().parents[3] / "catalog/fixtures/sample_catalog.json"

# username, full name, role held in the sample agencies (None: not staff)
STAFF = [
    ("tiepnhan", "Nguyễn Thị Tiếp Nhận", "receptionist"),
    ("chuyenvien", "Trần Văn Chuyên", "officer"),
    ("truongphong", "Lê Thị Trưởng Phòng", "department_head"),
    ("lanhdao", "Phạm Văn Lãnh Đạo", "leader"),
    ("vanthu", "Hoàng Thị Văn Thư", "clerk"),
    ("quantri", "Võ Văn Quản Trị", "agency_admin"),
    ("giamsat", "Đặng Thị Giám Sát", "supervisor"),
]


class Command(BaseCommand):
    help = "Chuẩn bị cơ sở dữ liệu với dữ liệu mẫu và các tài khoản trình diễn (mật khẩu motcua-demo)."

    def add_arguments(self, parser):
        parser.add_argument("--catalog", default=str(SAMPLE_CATALOG), help="Tệp danh mục mẫu")

    def handle(self, *args, catalog, **options):
        call_command("migrate", interactive=False, verbosity=0)
        from motcua.catalog.blank_forms import generate_missing
        from motcua.catalog.importer import import_catalog

        report = import_catalog(json.loads(Path(catalog).read_text(encoding="utf-8")))
        self.stdout.write(report.summary())
        made = generate_missing()
        self.stdout.write(f"Biểu mẫu tạo mới: {made}.")
        from motcua.eforms.services import load_demo_eforms

        self.stdout.write(f"Biểu mẫu điện tử tạo mới: {load_demo_eforms()}.")
        self._calendar()
        created = self._accounts()
        self.stdout.write(f"Tài khoản trình diễn: {created} mới (mật khẩu {DEMO_PASSWORD}).")
        # Development signing certificates, so completed results come out signed (docs/signing.md).
        call_command("dev_certificate", stdout=self.stdout)

    def _calendar(self) -> None:
        from motcua.worktime.services import ensure_years

        year = timezone.localdate().year
        ensure_years(range(year - 1, year + 3), persist=True)

    @transaction.atomic
    def _accounts(self) -> int:
        from motcua.accounts.models import Membership, Role, User
        from motcua.agencies.models import Agency

        created = 0
        admin, made = User.objects.get_or_create(
            username="admin",
            defaults={"full_name": "Quản trị hệ thống", "is_staff": True, "is_superuser": True,
                      "email": "admin@example.invalid"},
        )
        if made:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            created += 1
        citizen, made = User.objects.get_or_create(
            username="congdan",
            defaults={"full_name": "Nguyễn Văn Công Dân", "phone": "0912345678", "id_number": "096090001234",
                      "email": "congdan@example.invalid", "address": "Phường Tân Thành, tỉnh Cà Mau"},
        )
        if made:
            citizen.set_password(DEMO_PASSWORD)
            citizen.save()
            created += 1
        agencies = list(Agency.objects.all())
        for username, full_name, role in STAFF:
            user, made = User.objects.get_or_create(
                username=username,
                defaults={"full_name": full_name, "is_staff": role in {"agency_admin", "supervisor"},
                          "email": f"{username}@example.invalid"},
            )
            if made:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created += 1
            # Every staff account holds its role in every sample agency (docs/architecture.md §9), so any
            # sample procedure can be taken through its whole workflow.
            for agency in agencies:
                if role == Role.RECEPTIONIST and agency.kind not in {"service_centre", "commune"}:
                    continue
                Membership.objects.get_or_create(user=user, agency=agency, role=role)
        return created
