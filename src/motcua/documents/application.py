"""The citizen's filled application form (tờ khai, đơn) as a PDF, from an online submission's e-form.

An online dossier carries this PDF as the file of its form component, so nobody prints the
form, signs it and scans it back. Plain data in (the dataclasses below, filled by
``motcua.submissions``), PDF bytes out, through the same restricted WeasyPrint set-up as the
one-stop forms (``render.py``: embedded fonts, no fetching but data: URIs and the font files).

    pdf = render_application(ApplicationForm(
        title="Tờ khai đăng ký khai sinh", procedure_code="1.001193", procedure_name="Đăng ký khai sinh",
        recipient="Ủy ban nhân dân phường Tân Thành", applicant_name="Nguyễn Văn An",
        sections=[ApplicationSection("I. Người yêu cầu", [ApplicationField("Họ, chữ đệm, tên", "Nguyễn Văn An")])],
        submitted_at=now, dossier_code="000.21.01.H12-260309-0001", place="Cà Mau"))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from motcua.documents import render
from motcua.documents.formatting import BLANK, nfc, place_and_date, time_and_date

__all__ = ["ApplicationField", "ApplicationForm", "ApplicationSection", "application_html", "render_application"]


@dataclass(frozen=True)
class ApplicationField:
    """One answer: ``value`` as printed, or a table (``columns`` and ``rows``) for a repeated group."""

    label: str
    value: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ApplicationSection:
    title: str
    fields: list[ApplicationField] = field(default_factory=list)


@dataclass(frozen=True)
class ApplicationForm:
    title: str
    procedure_code: str
    procedure_name: str
    recipient: str
    applicant_name: str
    sections: list[ApplicationSection]
    submitted_at: datetime
    dossier_code: str = ""
    place: str = ""
    case_name: str = ""
    site_name: str = ""


def application_context(form: ApplicationForm) -> dict:
    form = nfc(form)
    return {
        "form": form,
        "form_title": form.title,
        "title": form.title.upper(),
        "blank": BLANK,
        "place_date": place_and_date(form.place, form.submitted_at),
        "submitted": time_and_date(form.submitted_at),
        "barcode": render.barcode(form.dossier_code, module_mm=0.25) if form.dossier_code else None,
    }


def application_html(form: ApplicationForm) -> str:
    return render._html("documents/application.html", application_context(form))


def render_application(form: ApplicationForm) -> bytes:
    return render._pdf(application_html(form))
