"""Rendering of the Vietnamese text templates: ``notify/<name>.<channel>.txt``.

Templates use the Django template language with autoescaping off (they are plain text).
An e-mail template's first line is the subject, the rest the body. An SMS template is
written in proper Vietnamese; the text sent is folded to one paragraph without diacritics
(MOTCUA_SMS_UNACCENT, default on) so that it fits 160 GSM characters.

Agencies may override any template by putting a file of the same name in a directory
listed in MOTCUA_NOTIFY_TEMPLATE_DIRS.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist

from .text import sms_text

_BLANK_LINES = re.compile(r"\n{3,}")


@functools.lru_cache(maxsize=4)
def _engine(dirs: tuple[str, ...]) -> Engine:
    return Engine(dirs=list(dirs), app_dirs=True, autoescape=False)


def engine() -> Engine:
    return _engine(tuple(str(d) for d in settings.MOTCUA_NOTIFY_TEMPLATE_DIRS))


def template_name(template: str, channel: str) -> str:
    return f"notify/{template}.{channel}.txt"


def exists(template: str, channel: str) -> bool:
    try:
        engine().get_template(template_name(template, channel))
    except TemplateDoesNotExist:
        return False
    return True


def base_context() -> dict[str, Any]:
    return {
        "site_name": settings.MOTCUA_SITE_NAME,
        "public_url": settings.MOTCUA_PUBLIC_URL.rstrip("/"),
    }


def render(template: str, channel: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message; SMS has no subject. Raises TemplateDoesNotExist/TemplateSyntaxError."""
    values = {**base_context(), **context}
    text = engine().get_template(template_name(template, channel)).render(Context(values, autoescape=False))
    text = unicodedata.normalize("NFC", text)
    if channel == "sms":
        return "", sms_text(text, strip_accents=settings.MOTCUA_SMS_UNACCENT)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject = " ".join(lines[0].split())[:255] if lines else ""
    body = _BLANK_LINES.sub("\n\n", "\n".join(lines[1:]).strip()) + "\n"
    return subject, body
