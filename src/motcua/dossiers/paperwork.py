"""The official forms of a dossier (TT 03/2025/TT-VPCP, forms 01–07), read from its events.

`motcua.documents` renders plain dataclasses; this module is the one place that fills them
from dossiers, so the back office and the API serve the same papers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.fees import dossier_fee_amount
from motcua.catalog.presentation import time_display
from motcua.core.errors import DomainError
from motcua.core.money import vnd
from motcua.documents import forms as paper
from motcua.documents.render import doc_number

from . import supplements
from .codes import receipt_secret
from .models import Delivery, Dossier, Event, EventKind, FileKind
from .numbers import issued_number
from .queries import is_owner, sees_as_staff

# Who may download which form (TT 03/2025): the papers handed to the applicant, and the office's own
# records: the control sheet (06, its hand-overs name staff) and the ledger of the day (07, every
# dossier the agency received that day, with names, addresses and phones).
APPLICANT_FORMS = ("01", "02", "03", "04", "05")


class FormNotAvailable(DomainError):
    """The dossier has not reached the point where this form exists (e.g. no refusal)."""


def _agency_info(agency) -> paper.AgencyInfo:
    parent = agency.parent.name if agency.parent_id else ""
    return paper.AgencyInfo(name=agency.name, parent_name=parent, address=agency.address, phone=agency.phone)


def _applicant(d: Dossier) -> paper.ApplicantInfo:
    return paper.ApplicantInfo(
        name=d.applicant_name, id_number=d.applicant_id_number, address=d.applicant_address,
        phone=d.applicant_phone, email=d.applicant_email,
    )


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or user.get_full_name() or user.username


def _last_event(d: Dossier, kind: str) -> Event:
    event = d.events.filter(kind=kind).select_related("actor").order_by("-version").first()
    if event is None:
        raise FormNotAvailable(kind)
    return event


def _received_components(d: Dossier) -> list[paper.ComponentLine]:
    """The components with a file, or, for a paper-only dossier, the required ones."""
    components = list(d.procedure_version.components.all())
    with_files = set(
        d.files.filter(kind__in=[FileKind.COMPONENT, FileKind.SUPPLEMENT]).values_list("component_id", flat=True)
    )
    chosen = [c for c in components if c.pk in with_files] or [c for c in components if c.required]
    return [paper.ComponentLine(name=c.name, paper_text=c.get_paper_display(), copies=c.copies) for c in chosen]


def tracking_url(d: Dossier) -> str:
    return paper.build_tracking_url(settings.MOTCUA_PUBLIC_URL, d.code, d.tracking_key)


def receipt_url(d: Dossier) -> str:
    """The tracking URL the receipt's QR code carries: with the receipt's longer secret (`qr`), so
    the person holding the paper is never paused by strangers guessing at the short key."""
    return f"{tracking_url(d)}&{urlencode({'qr': receipt_secret(d.code, d.tracking_key)})}"


def _stored(number: int | None) -> str:
    """A number given when the paper was issued; none (a paper from before numbers were kept)
    leaves the dots to fill in by hand: printing never makes one up."""
    return str(number) if number else ""


def reception_number(d: Dossier) -> str | None:
    """Form 01's number as printed ("12/TNHS"), fixed at reception; None before it."""
    return doc_number(str(d.reception_number), "01") if d.reception_number else None


def _event_number(event: Event, agency=None, kind: str = "") -> str:
    """Forms 02, 03 print "12/HDHS", "12/TCHS"; the letters 04 and 05 carry the agency's own symbol
    (NĐ 30/2020: "12/STP", "12/TB-STP") when it has set its abbreviation, else dots after the number."""
    number = _stored(issued_number(event))
    if number and agency is not None and agency.abbreviation:
        return f"{number}/{kind}{agency.abbreviation}"
    return number


def _fees_text(d: Dossier) -> str:
    amounts = [(f, dossier_fee_amount(f, d)) for f in d.procedure_version.fees.all()]  # by each fee's rule
    if not any(amount for _f, amount in amounts):
        return _("Miễn phí")
    text = "; ".join(f"{f.name}: {vnd(amount, unit='đồng')}" for f, amount in amounts if amount)
    paid = fee_records_text(_fee_events(d))  # what was paid, at the counter (receipt number) or online
    return f"{text}. {_('Đã nộp')}: {paid}" if paid else text


FEE_EVENT_KINDS = (EventKind.FEE_RECORDED, EventKind.PAYMENT_RECEIVED)


def _fee_events(d: Dossier) -> list[Event]:
    prefetched = getattr(d, "fee_events", None)
    if prefetched is not None:
        return prefetched
    return list(d.events.filter(kind__in=FEE_EVENT_KINDS).order_by("version"))


def fee_records_text(events) -> str:
    """The fees a dossier paid, as form 01 and the ledger (form 07, notes column) print them:
    "200.000 đồng (tiền mặt, biên lai số 0000123); 8.000 đồng (trực tuyến, giao dịch 2603…)"."""
    from .counter_fees import method_label

    parts = []
    for e in events:
        data = e.data or {}
        amount = data.get("amount_vnd")
        if not isinstance(amount, int) or amount <= 0:
            continue
        if e.kind == EventKind.FEE_RECORDED:
            parts.append(_("%(amount)s (%(method)s, biên lai số %(receipt)s)") % {
                "amount": vnd(amount, unit="đồng"), "method": method_label(str(data.get("method", ""))).lower(),
                "receipt": data.get("receipt_number", "")})
        elif e.kind == EventKind.PAYMENT_RECEIVED:
            parts.append(_("%(amount)s (trực tuyến, giao dịch %(ref)s)") % {
                "amount": vnd(amount, unit="đồng"), "ref": data.get("reference", "")})
    return "; ".join(parts)


def _delivery_text(d: Dossier) -> str:
    if d.delivery == Delivery.POST:
        return _("Qua dịch vụ bưu chính công ích")
    if d.delivery == Delivery.ONLINE:
        return _("Kết quả điện tử trên Cổng Dịch vụ công")
    return f"{d.agency.name}, {d.agency.address}".strip(", ")


def receipt(d: Dossier) -> paper.ReceiptForm:
    if d.received_at is None:
        raise FormNotAvailable("01")
    received = d.events.filter(kind=EventKind.RECEIVED).select_related("actor").order_by("version").first()
    return paper.ReceiptForm(
        agency=_agency_info(d.agency),
        dossier_code=d.code,
        applicant=_applicant(d),
        procedure_name=d.procedure_version.name,
        received_at=d.received_at,
        due_at=d.original_due_at or d.due_at,
        components=_received_components(d),
        tracking_key=d.tracking_key,
        tracking_url=receipt_url(d),
        processing_time=time_display(d.case),
        result_delivery=_delivery_text(d),
        fees=_fees_text(d),
        ledger_book=str(timezone.localtime(d.received_at).year),
        ledger_entry=_stored(d.ledger_number),
        receiver_name=_person(received.actor if received else None),
        number=_stored(d.reception_number),
        place=d.agency.place(),
    )


def supplement_request(d: Dossier) -> paper.SupplementRequestForm:
    event = _last_event(d, EventKind.SUPPLEMENT_REQUESTED)
    # Every column filled: a free item has no paper kind or count in the catalogue ("—"); an item
    # listed the old way (no reason) was simply missing from the dossier.
    missing = [
        paper.ComponentLine(name=item.text, paper_text=item.paper_text or "—", copies=item.copies,
                            note=item.reason or _("Chưa có trong hồ sơ"))
        for item in supplements.items_of(event.data, list(d.procedure_version.components.all()))
    ]
    return paper.SupplementRequestForm(
        agency=_agency_info(event.from_agency or d.agency),
        applicant=_applicant(d),
        procedure_name=d.procedure_version.name,
        missing=missing,
        reason=event.note,
        contact_officer=_person(event.actor),
        contact_phone=(event.from_agency or d.agency).phone,
        dossier_code=d.code,
        issued_on=event.at,
        number=_event_number(event),
        place=(event.from_agency or d.agency).place(),
    )


def refusal(d: Dossier) -> paper.RefusalForm:
    event = _last_event(d, EventKind.REFUSED)
    return paper.RefusalForm(
        agency=_agency_info(d.agency),
        applicant=_applicant(d),
        procedure_name=d.procedure_version.name,
        reason=event.note,
        components=_received_components(d),
        officer_name=_person(event.actor),
        refused_on=event.at,
        dossier_code=d.code,
        number=_event_number(event),
        place=d.agency.place(),
    )


def _head(agency) -> dict:
    """Who signs a letter of `agency` (forms 04, 05): its head as its settings name them, or a
    blank line to sign by hand; never the officer who clicked."""
    return {"signer_title": agency.head_title or paper.HEAD_TITLE, "signer_name": agency.head_name}


def late_agency(d: Dossier, event: Event):
    """The agency responsible for the late step of an extension: the one holding the dossier."""
    return event.from_agency or d.handling_agency


def apology_extension(d: Dossier) -> paper.ApologyExtensionForm:
    event = _last_event(d, EventKind.EXTENDED)
    before = event.data.get("due_at_before")
    due_before = dt.datetime.fromisoformat(before) if before else d.original_due_at
    agency = late_agency(d, event)
    return paper.ApologyExtensionForm(
        agency=_agency_info(agency),
        applicant=_applicant(d),
        dossier_code=d.code,
        procedure_name=d.procedure_version.name,
        received_at=d.received_at,
        due_at=due_before,
        new_due_at=dt.datetime.fromisoformat(event.data["due_at"]),
        reason=event.note,
        receiving_agency=d.agency.name,
        issued_on=event.at,
        number=_event_number(event, agency),
        place=agency.place(),
        **_head(agency),
    )


def stop_notice(d: Dossier) -> paper.StopNoticeForm:
    event = _last_event(d, EventKind.STOPPED)
    agency = event.from_agency or d.handling_agency
    return paper.StopNoticeForm(
        agency=_agency_info(agency),
        applicant=_applicant(d),
        dossier_code=d.code,
        procedure_name=d.procedure_version.name,
        reason=event.note,
        received_at=d.received_at,
        signer_name=_person(event.actor),
        issued_on=event.at,
        number=_event_number(event, agency, "TB-"),
        place=agency.place(),
    )


HANDOVER_KINDS = (
    EventKind.RECEIVED, EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.COMPLETED,
    EventKind.RESULT_RETURNED, EventKind.RESULT_DELIVERED, EventKind.RESULT_POSTED, EventKind.POST_DELIVERED,
    EventKind.PAPER_COPY_HANDED_OVER,
)
# Hand-overs to the applicant (the electronic and postal ones carry no signature on paper).
TO_APPLICANT = frozenset({
    EventKind.RESULT_RETURNED, EventKind.RESULT_DELIVERED, EventKind.POST_DELIVERED, EventKind.PAPER_COPY_HANDED_OVER,
})


def _system_name(e: Event) -> str:
    return _("Hệ thống") if e.kind == EventKind.RESULT_DELIVERED else ""


def _pool(e: Event) -> str:
    if e.to_assignee_id:
        return _person(e.to_assignee)
    if e.to_step_id:
        return _("Nhóm %(role)s") % {"role": e.to_step.get_role_display().lower()}
    return ""


def handover_rows(events: Iterable[Event], d: Dossier | None = None) -> list[paper.HandoverRow]:
    """One row per hand-over of the paper dossier (form 06): the applicant to the one-stop office
    at reception, office to office and step to step, the result back to the one-stop office at
    completion, and the result to the applicant. The notes column gives the action, then the note."""
    rows = []
    for e in events:
        if e.kind not in HANDOVER_KINDS:
            continue
        dossier = d or e.dossier
        office = dossier.agency.name  # the one-stop office that received the dossier
        applicant = dossier.applicant_name
        from_agency = e.from_agency.name if e.from_agency_id else ""
        to_agency = e.to_agency.name if e.to_agency_id else ""
        given_by = _person(e.actor) if e.actor_id else _system_name(e)
        received_by = _pool(e)
        if e.kind == EventKind.RECEIVED:
            # The applicant hands the dossier to the office (online: through the portal).
            from_agency, to_agency = applicant, office
            given_by, received_by = applicant, _person(e.actor)
        elif e.kind == EventKind.COMPLETED:
            to_agency, received_by = office, _("Bộ phận Một cửa")  # the result goes back to the office
        elif e.kind == EventKind.RESULT_POSTED:
            number = (e.data or {}).get("postal_number", "")
            from_agency, to_agency = office, _("Bưu chính công ích")
            received_by = _("Bưu chính công ích (bưu gửi %(number)s)") % {"number": number}
        elif e.kind == EventKind.POST_DELIVERED:
            from_agency, to_agency = _("Bưu chính công ích"), applicant
            given_by, received_by = _("Bưu chính công ích"), _("Người nộp hồ sơ")  # staff only record it
        elif e.kind == EventKind.RESULT_DELIVERED:
            from_agency, to_agency = office, applicant
            received_by = _("Người nộp hồ sơ (kết quả điện tử)")
        elif e.kind in TO_APPLICANT:
            from_agency, to_agency = office, applicant
            received_by = _("Người nộp hồ sơ")
        rows.append(paper.HandoverRow(
            from_agency=from_agency or to_agency,
            to_agency=to_agency,
            given_at=e.at,
            given_by=given_by,
            received_by=received_by,
            received_at=e.at,
            result=e.step_punctuality or None,
            action=str(e.get_kind_display()),
            note=e.note,
        ))
    return rows


def control_sheet(d: Dossier) -> paper.ControlSheetForm:
    if d.received_at is None:
        raise FormNotAvailable("06")
    events = (d.events.select_related("actor", "from_agency", "to_agency", "to_assignee", "to_step")
              .filter(kind__in=HANDOVER_KINDS).order_by("version"))
    coordinating = sorted(
        {s.agency.name for s in d.case.steps.select_related("agency") if s.agency_id and s.agency_id != d.agency_id}
    )
    return paper.ControlSheetForm(
        agency=_agency_info(d.agency),
        dossier_code=d.code,
        rows=handover_rows(events, d),
        processing_agency=d.procedure_version.agency.name,
        coordinating_agencies=", ".join(coordinating),
        procedure_name=d.procedure_version.name,
        applicant_name=d.applicant_name,
        receipt_number=reception_number(d) or "",
    )


BUILDERS = {
    "01": receipt,
    "02": supplement_request,
    "03": refusal,
    "04": apology_extension,
    "05": stop_notice,
    "06": control_sheet,
}


def available_forms(d: Dossier, kinds: Iterable[str] | None = None) -> list[str]:
    """The form numbers this dossier has, whoever asks (`kinds`: its event kinds, when known)."""
    kinds = set(d.events.values_list("kind", flat=True) if kinds is None else kinds)
    out = []
    if d.received_at:
        out += ["01", "06", "07"]
    for number, kind in (("02", EventKind.SUPPLEMENT_REQUESTED), ("03", EventKind.REFUSED),
                         ("04", EventKind.EXTENDED), ("05", EventKind.STOPPED)):
        if kind in kinds:
            out.append(number)
    return sorted(out)


def forms_for(d: Dossier, user, kinds: Iterable[str] | None = None) -> list[str]:
    """The forms of this dossier that `user` may download, the one rule for the pages and the API:
    staff who see the dossier through an agency (and superusers) all of them; its owner the
    applicant's papers (01–05); anyone else none."""
    if sees_as_staff(user, d):
        return available_forms(d, kinds)
    if is_owner(user, d):
        return [number for number in available_forms(d, kinds) if number in APPLICANT_FORMS]
    return []


def render(d: Dossier, number: str, *, layout: str = "a4") -> bytes:
    """The PDF of form `number` ("01".."07") for this dossier; FormNotAvailable if it has none.
    Form 07 is the ledger of the day the dossier was received at its agency."""
    if number == "07":
        if d.received_at is None:
            raise FormNotAvailable(number)
        day = timezone.localtime(d.received_at).date()
        return ledger(d.agency, day, day)
    builder = BUILDERS.get(number)
    if builder is None:
        raise FormNotAvailable(number)
    form = builder(d)
    if number == "01":
        return paper.render_receipt(form, layout="80mm" if layout == "80mm" else "a4")
    return paper.render_form(form)


def ledger_dossiers(agency, start: dt.date, end: dt.date):
    """The dossiers `agency` received between two local dates (inclusive), in the ledger's order:
    what the ledger page lists and form 07 prints (`ledger_rows` fills both)."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    handovers = Prefetch(
        "events", queryset=Event.objects.filter(kind=EventKind.HANDOVER).order_by("version"), to_attr="handovers"
    )
    fees = Prefetch(
        "events", queryset=Event.objects.filter(kind__in=FEE_EVENT_KINDS).order_by("version"), to_attr="fee_events"
    )
    return (
        Dossier.objects.filter(agency=agency, received_at__gte=lo, received_at__lt=hi)
        .select_related("procedure_version__agency", "agency", "handling_agency")
        .prefetch_related(handovers, fees)
        .order_by("received_at", "pk")
    )


def ledger_row(d: Dossier) -> paper.LedgerRow:
    """One line of the ledger (form 07) from a dossier of `ledger_dossiers` (hand-overs prefetched).
    STT is the number the dossier took in the book at reception (form 01 prints it too)."""
    # "Chuyển hồ sơ đến cơ quan giải quyết": the first hand-over out of the receiving agency.
    sent = next((e.at for e in d.handovers if e.to_agency_id and e.to_agency_id != d.agency_id), None)
    return paper.LedgerRow(
        code=d.code,
        procedure_name=d.procedure_version.name,
        applicant_name=d.applicant_name,
        applicant_address=d.applicant_address,
        applicant_phone=d.applicant_phone,
        received_at=d.received_at,
        due_at=d.due_at,
        lead_agency=d.procedure_version.agency.name,
        sent_to_agency_at=sent,
        result_received_at=d.finished_at,
        returned_at=d.returned_at,
        note=_ledger_note(d),
        number=d.ledger_number,
    )


def _ledger_note(d: Dossier) -> str:
    """The notes column: how the dossier ended without a result, and the fees it paid (both
    counter and online records, #17)."""
    parts = [d.get_status_display()] if d.status in (3, 7, 8) else []
    paid = fee_records_text(_fee_events(d))
    if paid:
        parts.append(_("Phí, lệ phí: %(paid)s") % {"paid": paid})
    return "; ".join(parts)


def ledger(agency, start: dt.date, end: dt.date) -> bytes:
    """Form 07: the dossiers the agency received between two dates (inclusive), in order."""
    rows = [ledger_row(d) for d in ledger_dossiers(agency, start, end)]
    book = str(start.year) if start.year == end.year else ""  # one book a year (Quyển số, as form 01 prints)
    return paper.render_ledger(paper.LedgerForm(agency=_agency_info(agency), rows=rows, period_from=start,
                                                period_to=end, book_number=book))
