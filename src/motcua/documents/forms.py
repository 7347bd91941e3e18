"""The official one-stop forms (Phụ lục I, TT 03/2025/TT-VPCP) as plain data, and one function per form.

Each ``render_*`` function takes one of the form dataclasses below and returns the PDF as bytes.
Nothing here touches the ORM: the dossiers app (or a script, or a test) fills the dataclasses
from whatever it holds. All text is normalised to NFC before rendering. Times may be aware
(printed in Viet Nam time, UTC+7) or naive (printed as given).

| form | dataclass | function |
|---|---|---|
| 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả | ReceiptForm | render_receipt (A4 or 80 mm) |
| 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ | SupplementRequestForm | render_supplement_request |
| 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ | RefusalForm | render_refusal |
| 04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết | ApologyExtensionForm | render_apology_extension |
| 05 Thông báo dừng giải quyết hồ sơ | StopNoticeForm | render_stop_notice |
| 06 Phiếu kiểm soát quá trình giải quyết hồ sơ | ControlSheetForm | render_control_sheet |
| 07 Sổ theo dõi hồ sơ | LedgerForm | render_ledger |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from motcua.documents.codes import build_tracking_url

__all__ = [
    "FORM_CLASSES",
    "FORM_TITLES",
    "HEAD_TITLE",
    "LEGAL_BASIS",
    "AgencyInfo",
    "ApologyExtensionForm",
    "ApplicantInfo",
    "ComponentLine",
    "ControlSheetForm",
    "HandoverRow",
    "LedgerForm",
    "LedgerRow",
    "ReceiptForm",
    "RefusalForm",
    "StopNoticeForm",
    "SupplementRequestForm",
    "build_tracking_url",
    "render_apology_extension",
    "render_control_sheet",
    "render_form",
    "render_html",
    "render_ledger",
    "render_receipt",
    "render_refusal",
    "render_stop_notice",
    "render_supplement_request",
]

LEGAL_BASIS = "Thông tư số 03/2025/TT-VPCP"
HEAD_TITLE = "THỦ TRƯỞNG CƠ QUAN"  # the signature title of a letter whose agency names no head

StepResult = Literal["early", "on_time", "late"]
ReceiptLayout = Literal["a4", "80mm"]


# --- building blocks --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyInfo:
    """The issuing body: ``name`` is the unit (Trung tâm PVHCC, Bộ phận Một cửa…), ``parent_name``
    the managing agency printed above it (UBND TỈNH …)."""

    name: str
    parent_name: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ApplicantInfo:
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ComponentLine:
    """One document of the dossier: ``paper_text`` is the kind of paper (Bản chính, Bản sao
    chứng thực…); ``note`` says what to supplement (form 02) and is printed where it fits."""

    name: str
    paper_text: str = ""
    copies: int | None = 1
    note: str = ""


@dataclass(frozen=True)
class HandoverRow:
    """One hand-over of the process control sheet (form 06): ``action`` (what was done: Tiếp nhận,
    Chuyển bước…) is printed apart from the officer's ``note``."""

    from_agency: str
    to_agency: str
    given_at: datetime | None = None
    given_by: str = ""
    received_by: str = ""
    received_at: datetime | None = None
    result: StepResult | None = None
    note: str = ""
    action: str = ""


@dataclass(frozen=True)
class LedgerRow:
    """One dossier in the ledger (form 07). ``number`` (STT) defaults to the row's position."""

    code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime | date | None
    due_at: datetime | date | None = None
    sets: int | None = 1
    applicant_address: str = ""
    applicant_phone: str = ""
    lead_agency: str = ""
    sent_to_agency_at: datetime | date | None = None
    result_received_at: datetime | date | None = None
    returned_at: datetime | date | None = None
    note: str = ""
    number: int | None = None


# --- the forms ------------------------------------------------------------------------------------
# ``number`` is the document number: "15" prints as "Số: 15/TNHS" (the form's usual symbol),
# "15/UBND-VP" as given, and an empty one leaves dots to fill in by hand.
# ``place`` is the place name of the date line ("Thanh Hóa, ngày …").


@dataclass(frozen=True)
class ReceiptForm:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    agency: AgencyInfo
    dossier_code: str
    applicant: ApplicantInfo
    procedure_name: str
    received_at: datetime
    due_at: datetime | None
    components: Sequence[ComponentLine] = ()
    tracking_key: str = ""
    tracking_url: str = ""  # build_tracking_url(base, code, key); the QR code encodes it
    number: str = ""
    place: str = ""
    issued_on: date | None = None  # the receipt's date when None
    sets: int = 1
    processing_time: str = ""  # "10 ngày làm việc"
    result_delivery: str = ""  # where the result is collected (or "Qua dịch vụ bưu chính công ích")
    fees: str = ""  # "Lệ phí: 200.000 đồng"; empty prints "Không"
    ledger_book: str = ""  # Sổ theo dõi hồ sơ, Quyển số
    ledger_entry: str = ""  # … Số thứ tự
    receiver_name: str = ""  # the receptionist who signs


@dataclass(frozen=True)
class SupplementRequestForm:
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (everything missing, in one table)."""

    agency: AgencyInfo
    applicant: ApplicantInfo
    procedure_name: str
    missing: Sequence[ComponentLine]
    reason: str = ""
    contact_officer: str = ""
    contact_phone: str = ""
    guide_name: str = ""  # NGƯỜI HƯỚNG DẪN who signs; the contact officer when empty
    dossier_code: str = ""
    number: str = ""
    place: str = ""
    issued_on: date | datetime | None = None


@dataclass(frozen=True)
class RefusalForm:
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    agency: AgencyInfo
    applicant: ApplicantInfo
    procedure_name: str
    reason: str
    components: Sequence[ComponentLine] = ()
    officer_name: str = ""  # the refusing officer, who signs
    refused_on: date | datetime | None = None
    dossier_code: str = ""
    number: str = ""
    place: str = ""


@dataclass(frozen=True)
class ApologyExtensionForm:
    """Mẫu 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết.

    ``agency`` is the agency at fault, whose head signs; ``receiving_agency`` the office that
    received the dossier (``agency.name`` when empty)."""

    agency: AgencyInfo
    applicant: ApplicantInfo
    dossier_code: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    new_due_at: datetime
    reason: str
    receiving_agency: str = ""
    signer_title: str = HEAD_TITLE
    signer_name: str = ""
    number: str = ""
    place: str = ""
    issued_on: date | datetime | None = None
    recipients: Sequence[str] = ("Như trên", "Lưu: VT")  # Nơi nhận


@dataclass(frozen=True)
class StopNoticeForm:
    """Mẫu 05: Thông báo dừng giải quyết hồ sơ."""

    agency: AgencyInfo
    applicant: ApplicantInfo
    dossier_code: str
    procedure_name: str
    reason: str
    received_at: datetime | None = None
    legal_basis: str = ""  # Căn cứ … (if any)
    signer_title: str = HEAD_TITLE
    signer_name: str = ""
    number: str = ""
    place: str = ""
    issued_on: date | datetime | None = None
    recipients: Sequence[str] = ("Như trên", "Lưu: VT")


@dataclass(frozen=True)
class ControlSheetForm:
    """Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ (one row per hand-over)."""

    agency: AgencyInfo
    dossier_code: str
    rows: Sequence[HandoverRow]
    receipt_number: str = ""  # Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số …
    processing_agency: str = ""  # Cơ quan (bộ phận) giải quyết hồ sơ
    coordinating_agencies: str = ""  # Cơ quan phối hợp giải quyết hồ sơ
    procedure_name: str = ""
    applicant_name: str = ""
    blank_rows: int = 0  # empty rows added for hand-written hand-overs


@dataclass(frozen=True)
class LedgerForm:
    """Mẫu 07: Sổ theo dõi hồ sơ for a period (landscape A4, as many pages as it takes)."""

    agency: AgencyInfo
    rows: Sequence[LedgerRow]
    period_from: date | None = None
    period_to: date | None = None
    book_number: str = ""  # Quyển số


FORM_CLASSES: dict[str, type] = {
    "01": ReceiptForm,
    "02": SupplementRequestForm,
    "03": RefusalForm,
    "04": ApologyExtensionForm,
    "05": StopNoticeForm,
    "06": ControlSheetForm,
    "07": LedgerForm,
}

FORM_TITLES: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "07": "Sổ theo dõi hồ sơ",
}


# --- rendering ------------------------------------------------------------------------------------


def render_receipt(form: ReceiptForm, *, layout: ReceiptLayout = "a4") -> bytes:
    """Form 01 as PDF: ``layout="a4"`` or ``"80mm"`` (receipt printer, page as long as the content)."""
    from motcua.documents import render

    return render.receipt(form, layout=layout)


def render_supplement_request(form: SupplementRequestForm) -> bytes:
    """Form 02 as PDF."""
    from motcua.documents import render

    return render.supplement_request(form)


def render_refusal(form: RefusalForm) -> bytes:
    """Form 03 as PDF."""
    from motcua.documents import render

    return render.refusal(form)


def render_apology_extension(form: ApologyExtensionForm) -> bytes:
    """Form 04 as PDF."""
    from motcua.documents import render

    return render.apology_extension(form)


def render_stop_notice(form: StopNoticeForm) -> bytes:
    """Form 05 as PDF."""
    from motcua.documents import render

    return render.stop_notice(form)


def render_control_sheet(form: ControlSheetForm) -> bytes:
    """Form 06 as PDF."""
    from motcua.documents import render

    return render.control_sheet(form)


def render_ledger(form: LedgerForm) -> bytes:
    """Form 07 as PDF (landscape A4, header rows repeated on every page)."""
    from motcua.documents import render

    return render.ledger(form)


_RENDERERS = {
    ReceiptForm: render_receipt,
    SupplementRequestForm: render_supplement_request,
    RefusalForm: render_refusal,
    ApologyExtensionForm: render_apology_extension,
    StopNoticeForm: render_stop_notice,
    ControlSheetForm: render_control_sheet,
    LedgerForm: render_ledger,
}


def render_form(form: object, *, layout: ReceiptLayout = "a4") -> bytes:
    """Any of the form dataclasses as PDF (``layout`` applies to form 01 only)."""
    renderer = _RENDERERS.get(type(form))
    if renderer is None:
        raise TypeError(f"not a form: {type(form).__name__}")
    if renderer is render_receipt:
        return render_receipt(form, layout=layout)  # type: ignore[arg-type]
    return renderer(form)


def render_html(form: object, *, layout: ReceiptLayout = "a4") -> str:
    """The HTML a form is printed from (for previews and debugging)."""
    from motcua.documents import render

    return render.html_for(form, layout=layout)
