"""Plain rules for what citizens type: phone numbers, e-mail addresses, ID numbers, names, dates.

No HTTP and no ORM here: forms, the OpenID Connect mapping and other apps call these, and the
tests call them directly. Every function either returns a clean value or raises
ValidationError with a Vietnamese message that says what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# Vietnamese mobile numbers: 10 digits, 03x / 05x / 07x / 08x / 09x (after the 2018 renumbering).
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_PHONE_NOISE = re.compile(r"[\s.\-()]")
_ID_NOISE = re.compile(r"[\s.\-]")
# Letters of any script, combining marks, spaces, and the few signs names carry.
_NAME_EXTRA = set(" '’.-")
MAX_NAME = 100
MAX_ADDRESS = 500
MAX_EMAIL = 254


def normalize_phone(value: str) -> str:
    """'+84 912.345.678' or '84912345678' -> '0912345678'; anything else is returned stripped."""
    raw = _PHONE_NOISE.sub("", (value or "").strip())
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    return raw


def clean_mobile(value: str) -> str:
    """A Vietnamese mobile number (codes are sent to it by SMS), normalised to 0xxxxxxxxx."""
    phone = normalize_phone(value)
    if not _MOBILE.match(phone):
        raise ValidationError(
            _("Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ 0912345678)."),
            code="phone",
        )
    return phone


def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def clean_email(value: str) -> str:
    email = normalize_email(value)
    if len(email) > MAX_EMAIL:
        raise ValidationError(_("Địa chỉ e-mail quá dài."), code="email")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("Địa chỉ e-mail chưa đúng. Ví dụ đúng: ten@gmail.com"), code="email"
        ) from None
    return email


@dataclass(frozen=True)
class Contact:
    """A phone number or an e-mail address a person typed, recognised and normalised."""

    kind: str  # "phone" or "email"
    value: str

    @property
    def channel(self) -> str:
        return "sms" if self.kind == "phone" else "email"


def looks_like_email(value: str) -> bool:
    return "@" in (value or "")


def looks_like_phone(value: str) -> bool:
    raw = normalize_phone(value)
    return bool(raw) and raw.isdigit() and 9 <= len(raw) <= 12


def parse_contact(value: str) -> Contact:
    """'0912 345 678' -> Contact('phone', '0912345678'); 'An@Mail.vn' -> Contact('email', 'an@mail.vn')."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Vui lòng nhập số điện thoại di động hoặc địa chỉ e-mail."), code="required")
    if looks_like_email(value):
        return Contact("email", clean_email(value))
    if looks_like_phone(value) or value[:1] in "+0123456789":
        return Contact("phone", clean_mobile(value))
    raise ValidationError(
        _("Hãy nhập số điện thoại di động (ví dụ 0912345678) hoặc địa chỉ e-mail (ví dụ ten@gmail.com)."),
        code="contact",
    )


def identifier_key(value: str) -> str:
    """The form of a sign-in identifier that rate limits count against (phone variants are one)."""
    value = (value or "").strip()[:254]
    if looks_like_email(value):
        return normalize_email(value)
    if looks_like_phone(value):
        return normalize_phone(value)
    return value.lower()


# --- Personal ID number (số định danh cá nhân, on the citizen identity card) -------------------


def normalize_id_number(value: str) -> str:
    return _ID_NOISE.sub("", (value or "").strip())


def id_number_birth_year(id_number: str) -> int | None:
    """The birth year written in a 12-digit ID number (digits 4–6), or None if it is not one.

    Digit 4 codes century and sex (0/1: 1900s, 2/3: 2000s, 4/5: 2100s …), digits 5–6 the year
    (Circular 59/2021/TT-BCA, art. 7).
    """
    if not re.fullmatch(r"\d{12}", id_number or ""):
        return None
    century = 1900 + (int(id_number[3]) // 2) * 100
    return century + int(id_number[4:6])


def clean_id_number(value: str, date_of_birth: dt.date | None = None) -> str:
    number = normalize_id_number(value)
    if not re.fullmatch(r"\d{12}", number):
        raise ValidationError(
            _("Số định danh cá nhân gồm đúng 12 chữ số, in trên thẻ căn cước (ví dụ 079090001234)."),
            code="id_number",
        )
    if date_of_birth is not None:
        year = id_number_birth_year(number)
        if year != date_of_birth.year:
            raise ValidationError(
                _(
                    "Số định danh cá nhân không khớp với năm sinh %(dob)s: theo các chữ số thứ 4 đến 6, "
                    "người có số này sinh năm %(year)s. Vui lòng kiểm tra lại số định danh hoặc ngày sinh."
                ),
                code="id_number_birth_year",
                params={"dob": date_of_birth.year, "year": year},
            )
    return number


# --- Names, addresses, dates ----------------------------------------------------------------


def clean_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not name:
        raise ValidationError(_("Vui lòng nhập họ và tên."), code="required")
    if len(name) > MAX_NAME:
        raise ValidationError(
            _("Họ và tên dài tối đa %(max)s ký tự."), code="max_length", params={"max": MAX_NAME}
        )
    for ch in name:
        if ch in _NAME_EXTRA:
            continue
        if not unicodedata.category(ch).startswith(("L", "M")):
            raise ValidationError(
                _("Họ và tên chỉ gồm chữ cái và dấu cách, không có chữ số hay ký hiệu (ví dụ Nguyễn Văn An)."),
                code="name",
            )
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise ValidationError(_("Vui lòng nhập họ và tên."), code="required")
    return name


def clean_text_line(value: str, limit: int) -> str:
    """One line of text without control characters (PostgreSQL refuses NUL), spaces collapsed."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        raise ValidationError(
            _("Tối đa %(max)s ký tự (đang có %(n)s)."), code="max_length", params={"max": limit, "n": len(text)}
        )
    return text


def clean_date_of_birth(value: dt.date, today: dt.date) -> dt.date:
    if value > today:
        raise ValidationError(_("Ngày sinh không thể sau ngày hôm nay."), code="future")
    if value.year < 1900:
        raise ValidationError(_("Năm sinh phải từ 1900 trở về sau."), code="too_old")
    return value


def mask_destination(value: str) -> str:
    """'0912345678' -> '091*****78'; 'an.nguyen@gmail.com' -> 'a*******n@gmail.com' (for pages not signed in)."""
    if "@" in value:
        local, _sep, domain = value.partition("@")
        if len(local) <= 2:
            return f"{local[:1]}*@{domain}"
        return f"{local[0]}{'*' * (len(local) - 2)}{local[-1]}@{domain}"
    if len(value) <= 5:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 5)}{value[-2:]}"
