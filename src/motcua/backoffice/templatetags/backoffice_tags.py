"""Display helpers for the back-office templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from motcua.backoffice import display
from motcua.core.dates import parse_iso_datetime
from motcua.staff.access import load_staff

register = template.Library()


@register.filter
def local(value, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An aware datetime in Viet Nam time: '09/03/2026 09:15'."""
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(fmt)


@register.filter
def iso_local(value) -> str:
    """An ISO 8601 time stored in an event's data, shown in Viet Nam time."""
    parsed = parse_iso_datetime(str(value))
    return local(parsed) if parsed else ""


@register.filter
def iso_date(value) -> str:
    """An ISO 8601 date stored in an event's data ('2026-03-09'), as '09/03/2026'."""
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return ""


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def filesize(value) -> str:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _badge(t: display.Timeliness | None, extra: str = ""):
    if t is None:
        return ""
    return format_html(
        '<span class="due-badge {}"><span class="due-badge__symbol" aria-hidden="true">{}</span> {}{}</span>',
        t.css, t.symbol, t.label, extra,
    )


def _calendars(context) -> dict:
    """The page's working calendars by agency id (one lookup per agency for all its rows)."""
    request = context.get("request")
    if request is None:
        return {}
    return request.__dict__.setdefault("_motcua_calendars", {})


@register.simple_tag
def timeliness_legend():
    """The badges of the inbox, drawn exactly as in the rows (same words, symbols, colours)."""
    return format_html_join(" ", "{}", ((_badge(t),) for t in display.legend()))


@register.simple_tag(takes_context=True)
def due_badge(context, dossier):
    """The dossier's timeliness as a badge: symbol, word and colour."""
    return _badge(display.dossier_timeliness(dossier, context.get("now") or timezone.now(), _calendars(context)))


@register.simple_tag(takes_context=True)
def step_badge(context, dossier):
    return _badge(display.step_timeliness(dossier, context.get("now") or timezone.now(), _calendars(context)))


@register.simple_tag
def punctuality_badge(value):
    return _badge(display.punctuality(value))


@register.simple_tag(takes_context=True)
def row_class(context, dossier) -> str:
    return display.dossier_timeliness(dossier, context.get("now") or timezone.now(), _calendars(context)).css


@register.filter
def status_class(status) -> str:
    return f"status--{int(status)}" if status else ""




@register.simple_tag
def dossier_answers(dossier):
    """The dossier's e-form answers in the sections of its form version (`eforms.services.dossier_answers`)."""
    from motcua.eforms.services import dossier_answers as answers

    return answers(dossier.procedure_version, dossier.form_data)


@register.simple_tag(takes_context=True)
def staff_of_request(context):
    """The signed-in staff member (agencies, roles) for the frame, when a page of another app is
    shown in it (the staff's password and two-factor pages) and no staff view has loaded it."""
    request = context.get("request")
    return load_staff(request) if request is not None else None
