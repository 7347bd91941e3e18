"""`python -m motcua dev_certificate [--agency UNIT ...]`: development signing certificates.

Makes the development CA on first use (``<cert dir>/dev-ca.crt``) and, for each agency named
(every agency when none is), a certificate with the agency's name and unit code, written as an
encrypted PKCS#12 under ``<cert dir>/dev/`` and registered as the agency's signing certificate.
An agency that already has a usable certificate is left alone unless ``--force``. The
certificates have no legal value: production registers the agency's own (register_certificate).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Tạo CA và chứng thư số thử nghiệm cho các cơ quan (không có giá trị pháp lý)."

    def add_arguments(self, parser):
        parser.add_argument("--agency", action="append", default=[], metavar="UNIT",
                            help="Mã định danh đơn vị (lặp lại được); mặc định: mọi cơ quan")
        parser.add_argument("--days", type=int, default=None, help="Số ngày hiệu lực (mặc định 3 năm)")
        parser.add_argument("--force", action="store_true",
                            help="Tạo chứng thư mới (ngừng dùng chứng thư thử nghiệm cũ) kể cả khi đã có")

    def handle(self, *args, agency, days, force, **options):
        from motcua.agencies.models import Agency
        from motcua.signing import certificates
        from motcua.signing.models import AgencyCertificate

        if days is not None and not 1 <= days <= 20 * 365:
            raise CommandError("--days phải từ 1 đến 7300.")
        agencies = Agency.objects.select_related("parent").order_by("unit_code")
        if agency:
            wanted = {code.strip().upper() for code in agency}
            agencies = agencies.filter(unit_code__in=wanted)
            missing = wanted - {a.unit_code for a in agencies}
            if missing:
                raise CommandError(f"Không có cơ quan mã {', '.join(sorted(missing))}.")
        certificates.ensure_dev_ca()
        made = kept = 0
        for item in agencies:
            with transaction.atomic():
                if certificates.usable(item.pk).exists() and not force:
                    kept += 1
                    continue
                if force:
                    AgencyCertificate.objects.filter(agency=item, is_development=True, active=True).update(
                        active=False
                    )
                kwargs = {"days": days} if days else {}
                record = certificates.make_dev_certificate(item, **kwargs)
            made += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {item.unit_code}: {record.subject} (đến {record.valid_to:%d/%m/%Y})")
        self.stdout.write(
            f"Chứng thư thử nghiệm: {made} mới, {kept} đã có; CA thử nghiệm: "
            f"{certificates.cert_dir() / certificates.DEV_CA_CERT}."
        )
