"""`python -m motcua create_service_token <account> --scopes dossiers:read,webhooks:manage [--days 365]`

Prints a new token once (only its hash is stored). With --agency (unit code) an unknown account is
created first (with --roles, --scopes as its maximum scopes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.integrations import tokens
from motcua.integrations.models import ServiceAccount
from motcua.integrations.scopes import SCOPES, unknown


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class Command(BaseCommand):
    help = "Tạo mã truy cập API cho một tài khoản dịch vụ (mã chỉ hiện một lần)."

    def add_arguments(self, parser):
        parser.add_argument("account", help="Tên tài khoản dịch vụ")
        parser.add_argument("--scopes", default="", help=f"Phạm vi, cách nhau bởi dấu phẩy: {', '.join(SCOPES)}")
        parser.add_argument("--days", type=int, default=None, help="Hết hạn sau số ngày này (mặc định: không)")
        parser.add_argument("--label", default="", help="Ghi chú cho mã")
        parser.add_argument("--agency", default=None, help="Mã đơn vị: tạo tài khoản nếu chưa có")
        parser.add_argument("--roles", default="", help="Vai trò khi tạo tài khoản, ví dụ receptionist")

    def handle(self, *args, account, scopes, days, label, agency, roles, **options):
        scope_list = _split(scopes)
        if bad := unknown(scope_list):
            raise CommandError(f"Phạm vi không hợp lệ: {', '.join(bad)}. Các phạm vi: {', '.join(SCOPES)}.")
        if days is not None and days <= 0:
            raise CommandError("--days phải là số ngày dương.")
        found = ServiceAccount.objects.filter(name=account).first()
        if found is None:
            if not agency:
                raise CommandError(f"Không có tài khoản dịch vụ «{account}» (thêm --agency <mã đơn vị> để tạo).")
            found = self._create(account, agency, _split(roles), scope_list)
        try:
            raw, token = tokens.issue(found, scope_list, days=days, label=label)
        except tokens.TokenError as exc:
            raise CommandError(str(exc)) from None
        granted = ", ".join(sorted(tokens.effective_scopes(token)))
        self.stderr.write(f"Mã truy cập cho {found.name} (phạm vi: {granted}); chỉ hiện một lần:")
        self.stdout.write(raw)

    def _create(self, name: str, unit_code: str, roles: list[str], scopes: list[str]) -> ServiceAccount:
        from django.core.exceptions import ValidationError

        from motcua.agencies.models import Agency

        agency = Agency.objects.filter(unit_code=unit_code).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {unit_code}.")
        account = ServiceAccount(name=name, agency=agency, roles=roles, scopes=scopes)
        try:
            account.full_clean(exclude=["user"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        account.save()
        return account
