"""Text helpers for SMS: Vietnamese without diacritics, the GSM 03.38 alphabet, phone numbers.

SMS in Viet Nam is usually sent without diacritics: a GSM-7 message holds 160 characters,
a Unicode one only 70. `unaccent` strips the marks but keeps case and punctuation
("Hồ sơ Đã nhận" -> "Ho so Da nhan"), unlike `motcua.core.text.fold`, which is for search.
"""

from __future__ import annotations

import re
import unicodedata

# GSM 03.38 basic alphabet (one septet each) and its extension table (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
SINGLE_SMS = 160
MULTIPART_SMS = 153

# Typographic characters the templates (or people) use, spelled in GSM.
_ASCII = str.maketrans({
    "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"',
    "…": "...", "•": "-", "\u00a0": " ", "→": "->", "₫": "d",
})
_SPACES = re.compile(r"[ \t]+")


def unaccent(text: str) -> str:
    """Drop Vietnamese diacritics, keep case: 'Đăng ký khai sinh' -> 'Dang ky khai sinh'."""
    text = text.replace("đ", "d").replace("Đ", "D").translate(_ASCII)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def gsm_length(text: str) -> int:
    """Septets used by `text` in GSM-7 (extension characters count twice)."""
    return sum(2 if ch in GSM_EXTENDED else 1 for ch in text)


def sms_parts(text: str) -> int:
    """How many SMS a text takes: GSM-7 160/153 per part, otherwise UCS-2 70/67."""
    if is_gsm(text):
        length, single, multi = gsm_length(text), SINGLE_SMS, MULTIPART_SMS
    else:
        length, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    if length <= single:
        return 1
    return -(-length // multi)


def sms_text(text: str, *, strip_accents: bool = True) -> str:
    """A rendered SMS template as sent: one paragraph, single spaces, no diacritics (by default)."""
    text = unicodedata.normalize("NFC", text)
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    text = _SPACES.sub(" ", text).strip()
    if strip_accents:
        text = unaccent(text)
        # Whatever is still outside the GSM alphabet would turn the whole message into UCS-2.
        text = "".join(ch if ch in GSM_BASIC or ch in GSM_EXTENDED else "?" for ch in text)
    return text


_PHONE = re.compile(r"^(?:\+?84|0)(\d{9,10})$")
PHONE_FORMATS = ("national", "international", "e164")


def normalise_phone(value: str, number_format: str = "national") -> str:
    """'+84 912.345.678' -> '0912345678' (national), '84912345678' or '+84912345678'.

    Raises ValueError for anything that is not a Vietnamese number."""
    cleaned = re.sub(r"[\s.\-()]", "", value or "")
    match = _PHONE.match(cleaned)
    if not match:
        raise ValueError(f"not a Vietnamese phone number: {value!r}")
    subscriber = match.group(1)
    if number_format == "international":
        return "84" + subscriber
    if number_format == "e164":
        return "+84" + subscriber
    if number_format == "national":
        return "0" + subscriber
    raise ValueError(f"unknown phone number format {number_format!r} (one of {', '.join(PHONE_FORMATS)})")
