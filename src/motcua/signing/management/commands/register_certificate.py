"""`python -m motcua register_certificate --agency UNIT (--pkcs12 PATH | --key PATH --cert PATH) ...`

Registers an agency's real signing certificate. The passphrase is never given on the command
line: ``--passphrase-ref env:NAME`` (or ``file:PATH``, ``setting:NAME``) says where the server
reads it. The files are opened once to check the passphrase and read the certificate; then a
test PDF is signed and verified, which tells whether MOTCUA_SIGNING_TRUST_ROOTS holds the root
of the certificate's CA (otherwise the public verify page would call the signer untrusted).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Khai báo chứng thư số của cơ quan (tệp PKCS#12 hoặc khóa và chứng thư PEM) để ký kết quả."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, metavar="UNIT", help="Mã định danh đơn vị")
        parser.add_argument("--pkcs12", help="Tệp .p12/.pfx")
        parser.add_argument("--key", help="Tệp khóa PEM")
        parser.add_argument("--cert", help="Tệp chứng thư PEM")
        parser.add_argument("--chain", default="", help="Tệp chuỗi chứng thư của tổ chức cấp (PEM)")
        parser.add_argument("--passphrase-ref", default="",
                            help="Nơi lấy mật khẩu: env:TEN_BIEN, file:/duong/dan hoặc setting:TEN")
        parser.add_argument("--label", default="", help="Tên gọi")
        parser.add_argument("--replace", action="store_true", help="Ngừng dùng các chứng thư khác của cơ quan")

    def handle(self, *args, **options):
        from motcua.agencies.models import Agency
        from motcua.signing import certificates
        from motcua.signing.errors import CertificateUnavailable
        from motcua.signing.models import AgencyCertificate, CertificateFormat, passphrase_ref_validator

        agency = Agency.objects.filter(unit_code=options["agency"].strip().upper()).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        if bool(options["pkcs12"]) == bool(options["key"] or options["cert"]):
            raise CommandError("Cần --pkcs12, hoặc --key và --cert.")
        if not options["pkcs12"] and not (options["key"] and options["cert"]):
            raise CommandError("Cần cả --key và --cert.")
        record = AgencyCertificate(
            agency=agency, label=options["label"],
            format=CertificateFormat.PKCS12 if options["pkcs12"] else CertificateFormat.PEM,
            pkcs12_path=options["pkcs12"] or "", key_path=options["key"] or "", cert_path=options["cert"] or "",
            chain_path=options["chain"], passphrase_ref=options["passphrase_ref"], active=True,
        )
        try:
            if record.passphrase_ref:
                passphrase_ref_validator(record.passphrase_ref)  # before use: never echo a typed passphrase
            facts = certificates.inspect(record)
            record.full_clean(exclude=["agency"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except CertificateUnavailable as exc:
            raise CommandError(exc.message) from exc
        with transaction.atomic():
            if options["replace"]:
                AgencyCertificate.objects.filter(agency=agency, active=True).update(active=False)
            record.save()
        self.stdout.write(f"Đã khai báo: {facts.subject}, do {facts.issuer} cấp, hiệu lực "
                          f"{facts.valid_from:%d/%m/%Y}–{facts.valid_to:%d/%m/%Y}.")
        self.stdout.write(self._self_test(record))

    def _self_test(self, record) -> str:
        import weasyprint

        from motcua.signing import certificates, pades, verify

        loaded = certificates.load(record)
        from django.utils import timezone

        request = pades.SignatureRequest(
            signed_at=timezone.now().replace(microsecond=0), reason="Kiểm tra chứng thư", location=None,
            name=loaded.facts.common_name, stamp=None,
        )
        pdf = weasyprint.HTML(string="<p>Kiểm tra chữ ký số</p>").write_pdf()
        result = verify.verify_pdf(pades.sign_pdf(pdf, loaded.signer, request))
        if result.verdict == verify.Verdict.VALID:
            return "Tự kiểm tra: ký và xác thực thử thành công."
        return (f"CẢNH BÁO: tệp ký thử bị đánh giá «{result.headline}». Thêm chứng thư gốc của tổ chức cấp vào "
                "MOTCUA_SIGNING_TRUST_ROOTS để trang xác thực tin cậy chữ ký của cơ quan.")
