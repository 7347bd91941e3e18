"""REST API for dossiers (docs/architecture.md §9): tokens, dossiers, files, actions, public tracking.

Mounted by `motcua.api.urls` at the API's root (authentication: motcua.api.auth):
  POST /api/v1/auth/token                 {username, password} -> {token, expires_at}
  POST /api/v1/dossiers                   create (counter staff: received; citizens: online)
  POST /api/v1/dossiers/receptions        counter reception in one call: data + scans + outcome
  GET  /api/v1/dossiers/<code>            detail with events (owner or staff of its agencies)
  GET  /api/v1/dossiers/<code>/files/<id> a file, if this user may open it (queries.visible_files)
  POST /api/v1/dossiers/<code>/files      multipart: component + file, or kind=result + file
  POST /api/v1/dossiers/<code>/actions    {action, version?, ...}
  GET  /api/v1/track/<code>?key=<key>     public status; a wrong key looks like an unknown code

Handlers are thin: they parse, look the dossier up, call `actions`, and turn domain errors into
the API's JSON errors. Times are ISO 8601 in Asia/Ho_Chi_Minh (+07:00).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from ninja import File, Form, Header, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from motcua.api.auth import api_auth, issue_token
from motcua.audit import log_access, throttle
from motcua.core.api_errors import ApiError
from motcua.core.dates import iso as _iso
from motcua.eforms.services import answers_data, dossier_answers
from motcua.integrations.scopes import DOSSIERS_READ, DOSSIERS_WRITE, require_scope
from motcua.payments.ledger import fees_json

from . import actions, counter_fees, lifecycle, paperwork, reception, supplements, tracking
from .errors import DossierError
from .files import download_response
from .models import Dossier, DossierFile, Event, EventKind, FileKind
from .paperwork import reception_number
from .queries import allowed_actions, can_see, capacities, tracking_holder, visible_files

TZ = lifecycle.TZ
NOT_FOUND_MESSAGE = "Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập."
FORM_NOT_AVAILABLE_MESSAGE = "Hồ sơ này không có mẫu số %(number)s (chưa phát sinh hoặc số mẫu không đúng: 01–07)."
RESULT_NOT_AVAILABLE_MESSAGE = "Hồ sơ chưa có kết quả điện tử."
REQUIRED_FILE = File(...)


router = Router()
auth_router = Router(tags=["auth"])
dossier_router = Router(tags=["dossiers"], auth=api_auth)
track_router = Router(tags=["tracking"])


# --- schemas ----------------------------------------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=500)
    otp: str = Field("", max_length=40, description="Mã xác thực hai bước (cán bộ đã bật xác thực hai bước).")


class TokenOut(Schema):
    token: str
    expires_at: str


class ApplicantIn(Schema):
    name: str = Field(max_length=255)
    id_number: str = Field(max_length=20)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)
    kind: str = Field("person", max_length=20)


class FeeInputsIn(Schema):
    """What the applicant declares for the fee rules (catalog/fees.py); what the rules do not ask is
    ignored. Checked by the action layer against the procedure's fees (error field «fee_inputs.*»);
    an unknown key is refused."""

    model_config = {**Schema.model_config, "extra": "forbid"}

    copies: int | None = Field(None, ge=1, le=1000, description="Số bản cần cấp (phí tính theo bản hoặc theo trang)")
    pages: int | None = Field(None, ge=1, le=1000, description="Số trang mỗi bản (phí tính theo trang)")
    kind: str = Field("", max_length=200, description="Đối tượng được giảm phí, đúng như một mục «reductions» của "
                                                      "phí trong /procedures/<code>; trống: không thuộc đối tượng nào")


class DossierIn(Schema):
    procedure: str = Field(max_length=50, description="Mã thủ tục, ví dụ 1.001193")
    case: int | None = Field(
        None, ge=1, le=1000, description="Số thứ tự trường hợp (1, 2…) như trong /procedures/<code>"
    )
    channel: int = Field(ge=1, le=3, description="1 trực tiếp, 2 trực tuyến, 3 bưu chính")
    applicant: ApplicantIn
    form_data: dict[str, Any] | None = None
    receive: bool = Field(True, description="Cán bộ một cửa: tiếp nhận ngay (mặc định) hay để chờ kiểm tra (1)")
    delivery: str | None = Field(None, max_length=10, description="counter, post hoặc online")
    delivery_address: str = Field("", max_length=500, description="Địa chỉ nhận kết quả khi chọn bưu chính (post)")
    fee_inputs: FeeInputsIn | None = Field(None, description="Số bản, số trang mỗi bản, đối tượng giảm phí")


class SupplementItemIn(Schema):
    """One item of a supplement request: a component of the procedure, or a free item (`text`)."""

    component: int | None = Field(None, ge=1, le=1000,
                                  description="Số thứ tự thành phần hồ sơ (1, 2…); trống: mục khác, ghi ở text")
    text: str = Field("", max_length=1000, description="Tên giấy tờ (mục khác); trống: tên thành phần")
    reason: str = Field("", max_length=2000, description="Nội dung cần bổ sung: giấy tờ sai, thiếu gì")


class ReceptionSupplementIn(Schema):
    """The supplement request of a counter reception: the same items as the action request_supplement."""

    items: list[SupplementItemIn] = Field(default_factory=list, max_length=50, description=(
        "Các mục cần bổ sung; thành phần bắt buộc chưa có mà không ghi ở đây được tự thêm với nội dung "
        "«Chưa có trong hồ sơ: cần nộp giấy tờ này.»"))


class ReceptionFeeIn(Schema):
    """The fee collected at the counter with the reception (the page's "Thu phí, lệ phí ngay khi tiếp
    nhận"): recorded by `actions.record_fee` in the reception's transaction."""

    model_config = {**Schema.model_config, "extra": "forbid"}

    amount: int = Field(description="Số tiền thu (đồng), số nguyên dương")
    method: str = Field(max_length=20, description="cash (tiền mặt), transfer (chuyển khoản) hoặc card (thẻ)")
    receipt_number: str = Field(max_length=100, description="Số biên lai (bắt buộc, tối đa 50 ký tự)")


class ReceptionIn(Schema):
    """The `data` part of POST /dossiers/receptions (JSON)."""

    procedure: str = Field(max_length=50, description="Mã thủ tục, ví dụ 1.001193")
    case: int | None = Field(None, ge=1, le=1000, description="Số thứ tự trường hợp (1, 2…)")
    channel: int = Field(1, ge=1, le=3, description="1 trực tiếp (mặc định) hoặc 3 bưu chính")
    applicant: ApplicantIn
    form_data: dict[str, Any] | None = None
    delivery: str | None = Field(None, max_length=10, description="counter, post hoặc online")
    delivery_address: str = Field("", max_length=500, description="Trống khi chọn post: địa chỉ người nộp")
    outcome: str = Field(max_length=20, description="receive, supplement hoặc refuse")
    present: list[int] = Field(default_factory=list, max_length=1000,
                               description="Số thứ tự các thành phần đã có (ngoài những thành phần có tệp)")
    supplement: ReceptionSupplementIn | None = Field(
        None, description="Yêu cầu bổ sung (outcome supplement): các mục, mỗi mục có nội dung cần bổ sung")
    missing: list[str] = Field(default_factory=list, max_length=50,
                               description="Cũ (deprecated), thay bằng supplement.items: các mục khác ngoài thành "
                                           "phần bắt buộc chưa có, mỗi mục một dòng, không có nội dung cần bổ sung")
    reason: str = Field("", max_length=2000, description="Từ chối: lý do (in trên mẫu 03)")
    fee_inputs: FeeInputsIn | None = Field(None, description="Số bản, số trang mỗi bản, đối tượng giảm phí (như "
                                                             "POST /dossiers); lưu vào hồ sơ, số phí theo đó")
    fee: ReceptionFeeIn | None = Field(None, description="Tiếp nhận (outcome receive): phí, lệ phí thu ngay tại "
                                                         "quầy, ghi như thao tác record_fee trong cùng giao dịch")


def _inline_defs(schema: dict) -> dict:
    """A JSON schema with its local «$defs» written in place (the OpenAPI document has no «$defs»
    at its root, so a «#/$defs/…» reference inside a part's schema would point nowhere)."""
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/") and ref[8:] in defs:
                return walk({**defs[ref[8:]], **{k: v for k, v in node.items() if k != "$ref"}})
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


class CreatedOut(Schema):
    code: str
    status: str
    status_code: int
    tracking_key: str
    due_at: str | None
    version: int


class ActionIn(Schema):
    action: str = Field(max_length=40)
    version: int | None = Field(None, ge=1, description="Phiên bản hồ sơ đang xem; khác bản hiện tại thì trả 409")
    reason: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)
    items: list[SupplementItemIn] = Field(default_factory=list, max_length=50,
                                          description="request_supplement: các mục cần bổ sung")
    missing: list[str] = Field(default_factory=list, max_length=50,
                               description="Cũ (deprecated), thay bằng items: tên các giấy tờ cần bổ sung")
    to_user: str | None = Field(None, max_length=150, description="Tên đăng nhập người nhận; trống: nhóm vai trò")
    new_due_at: dt.datetime | None = None
    kind: str = Field("other", max_length=20, description="Tạm dừng: payment (chờ nghĩa vụ tài chính) hoặc other")
    originals_checked: bool = False
    applicant_signed: bool = False
    fee_collected: int = Field(0, ge=0, le=10**12,
                               description="Cũ (deprecated), thay bằng thao tác record_fee: return_result ghi phí "
                                           "đã thu (tiền mặt)")
    receipt_number: str = Field("", max_length=50,
                                description="record_fee: số biên lai (bắt buộc); return_result: cũ (deprecated)")
    delivery: str | None = Field(None, max_length=10)
    amount: int | None = Field(None, ge=1, le=10**10,
                               description="record_fee: số tiền thu (đồng), số nguyên dương")
    method: str = Field("", max_length=20,
                        description="record_fee: cash (tiền mặt), transfer (chuyển khoản) hoặc card (thẻ)")
    postal_number: str = Field("", max_length=50, description="post_result: số hiệu bưu gửi")
    posted_on: dt.date | None = Field(None, description="post_result: ngày bưu chính nhận gửi; trống: hôm nay")
    pin: str | None = Field(None, max_length=100, description="approve: mã PIN (mật khẩu) chứng thư số cá nhân "
                            "của lãnh đạo; không bao giờ được lưu hay ghi nhật ký")


class EventOut(Schema):
    version: int
    kind: str
    kind_label: str
    at: str
    actor: str | None
    from_status: int | None
    to_status: int | None
    from_step: str | None
    to_step: str | None
    from_agency: str | None
    to_agency: str | None
    from_assignee: str | None
    to_assignee: str | None
    note: str
    data: dict[str, Any]
    step_punctuality: str


class FileOut(Schema):
    id: int
    kind: str
    component: int | None
    name: str
    content_type: str
    size: int
    sha256: str
    source: str
    uploaded_at: str


class ComponentRef(Schema):
    number: int
    name: str
    required: bool
    accepted_types: str


class AgencyRef(Schema):
    unit_code: str
    name: str


class AnswerCell(Schema):
    label: str
    value: str | None


class AnswerItem(Schema):
    key: str
    label: str
    value: str | None = Field(
        description="Câu trả lời như cán bộ đọc (ngày dd/mm/yyyy, nhãn lựa chọn…); null: không điền")
    rows: list[list[AnswerCell]] | None = Field(None, description="Bảng nhiều dòng: mỗi dòng các cột {label, value}")


class AnswerSection(Schema):
    title: str
    items: list[AnswerItem]


class FeeDueOut(Schema):
    name: str
    amount_vnd: int = Field(description="Số tiền theo quy tắc tính phí của hồ sơ (đồng)")
    when: str = Field(description="at_reception (khi nộp hồ sơ) hoặc at_return (khi nhận kết quả)")
    due_vnd: int = Field(description="Số tiền khoản này còn phải nộp")


class FeePaidOut(Schema):
    amount_vnd: int
    method: str = Field(description="cash, transfer, card (tại quầy) hoặc online")
    receipt_number: str = Field(description="Số biên lai (tại quầy) hoặc ký hiệu và số biên lai điện tử; trống: "
                                            "chỉ có xác nhận thanh toán")
    at: str | None
    source: str = Field(description="counter (record_fee) hoặc online (cổng thanh toán)")
    reference: str | None = Field(None, description="online: mã giao dịch tại cổng thanh toán")
    document_url: str | None = Field(None, description="online: biên lai điện tử hoặc xác nhận thanh toán (PDF)")


class RefundOut(Schema):
    amount_vnd: int
    state: str = Field(description="pending (chờ hoàn phí) hoặc done (đã hoàn phí)")
    reason: str = Field(description="Sự kiện phát sinh: refused, withdrawn hoặc stopped")
    method: str | None
    reference: str | None
    refunded_on: str | None
    created_at: str


class FeesOut(Schema):
    due: list[FeeDueOut]
    paid: list[FeePaidOut]
    refunds: list[RefundOut]


class DossierOut(Schema):
    code: str
    status: str
    status_code: int
    version: int
    tracking_key: str
    procedure: dict[str, Any]
    case: str
    channel: int
    agency: AgencyRef
    handling_agency: AgencyRef
    applicant: dict[str, Any]
    submitted_at: str
    received_at: str | None
    reception_number: str | None = None
    due_at: str | None
    original_due_at: str | None
    finished_at: str | None
    returned_at: str | None
    closed_at: str | None
    current_step: str | None
    current_role: str
    step_due_at: str | None
    assignee: str | None
    paused: bool
    paused_seconds: int
    supplement_count: int
    counts_as_late: bool
    supplement: SupplementOut | None = None
    delivery: str
    delivery_address: str = ""
    delivery_fee: int = 0
    fee_collected: int
    receipt_number: str
    fees: FeesOut | None = Field(None, description="Phí, lệ phí: phải nộp, đã nộp (tại quầy, trực tuyến), hoàn phí")
    originals_checked: bool
    applicant_signed: bool
    form_data: dict[str, Any]
    fee_inputs: dict[str, Any] = Field(
        default_factory=dict,
        description="Số bản (copies), số trang mỗi bản (pages), đối tượng giảm phí (kind) đã khai")
    fee_state: str | None = Field(
        None, description="Mức 4, phí nộp khi nộp hồ sơ, trạng thái 1: awaiting (chờ nộp phí), overdue (quá hạn nộp "
                          "phí), paid (đã nộp phí); null trong các trường hợp khác")
    subject: str = Field("", description="Đối tượng của hồ sơ: câu trả lời của trường đối tượng trong tờ khai")
    form_answers: list[AnswerSection] = Field(
        default_factory=list, description="Nội dung tờ khai theo mục và nhãn của phiên bản biểu mẫu")
    components: list[ComponentRef]
    files: list[FileOut]
    events: list[EventOut]
    allowed_actions: list[str]


class SupplementItemOut(Schema):
    component: int | None  # the component's number, None for a free item
    text: str
    reason: str
    paper: str  # original, copy, certified_copy, original_or_certified_copy; "" for a free item
    paper_label: str
    copies: int | None


class SupplementOut(Schema):
    at: str
    phase: str
    note: str
    open: bool  # the dossier is waiting for this supplement (status 5)
    items: list[SupplementItemOut]


class ActionOut(DossierOut):
    event: EventOut
    replayed: bool


class TrackStep(Schema):
    name: str
    started_at: str
    finished_at: str | None
    punctuality: str


class TrackOut(Schema):
    code: str
    status: str
    status_code: int
    procedure: str
    procedure_code: str
    agency: str
    applicant: str
    submitted_at: str
    received_at: str | None
    due_at: str | None
    finished_at: str | None
    returned_at: str | None
    current_step: str | None
    steps: list[TrackStep]


# --- helpers ----------------------------------------------------------------------------------------


def _domain_errors(view):
    """Turn domain errors into the API's JSON errors (status, stable code, Vietnamese message)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DossierError as exc:
            raise ApiError(exc.status, exc.code, exc.message, **exc.extra) from exc

    return wrapper


def _not_found() -> ApiError:
    return ApiError(404, "not_found", NOT_FOUND_MESSAGE)


def _visible(request, code: str) -> Dossier:
    if "\x00" in code:  # PostgreSQL refuses NUL in text: answer like any unknown code, not 500
        raise _not_found()
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "case", "agency", "handling_agency")
        .filter(code=code[:50]).first()
    )
    if dossier is None or not can_see(request.auth, dossier):
        raise _not_found()  # the same answer: existence is not revealed
    return dossier


def _user_label(user) -> str | None:
    if user is None:
        return None
    return user.full_name or user.get_full_name() or user.username


def _event_out(event: Event) -> dict[str, Any]:
    return {
        "version": event.version,
        "kind": event.kind,
        "kind_label": str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind,
        "at": _iso(event.at),
        "actor": _user_label(event.actor),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "from_step": event.from_step.name if event.from_step else None,
        "to_step": event.to_step.name if event.to_step else None,
        "from_agency": event.from_agency.unit_code if event.from_agency else None,
        "to_agency": event.to_agency.unit_code if event.to_agency else None,
        "from_assignee": event.from_assignee.username if event.from_assignee else None,
        "to_assignee": event.to_assignee.username if event.to_assignee else None,
        "note": event.note,
        "data": event.data or {},
        "step_punctuality": event.step_punctuality,
    }


def _components(dossier: Dossier) -> list:
    return list(dossier.procedure_version.components.order_by("order", "id"))


def _file_out(file: DossierFile, numbers: dict[int, int]) -> dict[str, Any]:
    return {
        "id": file.pk, "kind": file.kind, "component": numbers.get(file.component_id), "name": file.original_name,
        "content_type": file.content_type, "size": file.size, "sha256": file.sha256, "source": file.source,
        "uploaded_at": _iso(file.uploaded_at),
    }


def _supplement_out(dossier: Dossier, events, components: list, numbers: dict[int, int]) -> dict[str, Any] | None:
    """The last supplement request, item by item (made with `items` or the old `missing`)."""
    last = next((e for e in reversed(events) if e.kind == EventKind.SUPPLEMENT_REQUESTED), None)
    if last is None:
        return None
    return {
        "at": _iso(last.at), "phase": str((last.data or {}).get("phase", "")), "note": last.note,
        "open": dossier.status == lifecycle.Status.SUPPLEMENT_REQUESTED,
        "items": [
            {"component": numbers.get(item.component_id), "text": item.text, "reason": item.reason,
             "paper": item.paper, "paper_label": item.paper_text, "copies": item.copies}
            for item in supplements.items_of(last.data, components)
        ],
    }


def _supplement_items(dossier: Dossier, items: list[SupplementItemIn]) -> list[dict[str, Any]]:
    """The API's items (a component by its number) as the action layer takes them."""
    return _items_of_components(_components(dossier) if items else [], items)


def _items_of_components(components: list, items: list[SupplementItemIn]) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(items):
        component = None
        if item.component is not None:
            if item.component > len(components):
                raise ApiError(400, "invalid_parameter", f"Thủ tục chỉ có {len(components)} thành phần hồ sơ "
                               f"(trường «items[{i}].component»).", field=f"items[{i}].component")
            component = components[item.component - 1]
        out.append({"component": component, "text": item.text, "reason": item.reason})
    return out


def _detail(request, dossier: Dossier) -> dict[str, Any]:
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure", "case", "agency", "handling_agency", "current_step", "assignee"
        ).get(pk=dossier.pk)
    )
    components = _components(dossier)
    numbers = {c.pk: i for i, c in enumerate(components, 1)}
    events = list(
        Event.objects.filter(dossier=dossier).order_by("version")
        .select_related("actor", "from_step", "to_step", "from_agency", "to_agency", "from_assignee", "to_assignee")
    )
    version = dossier.procedure_version
    return {
        "code": dossier.code,
        "status": dossier.get_status_display(),
        "status_code": dossier.status,
        "version": dossier.version,
        "tracking_key": dossier.tracking_key,
        "procedure": {"code": version.procedure.code, "name": version.name, "version": version.number},
        "case": dossier.case.name,
        "channel": dossier.channel,
        "agency": {"unit_code": dossier.agency.unit_code, "name": dossier.agency.name},
        "handling_agency": {"unit_code": dossier.handling_agency.unit_code, "name": dossier.handling_agency.name},
        "applicant": {
            "kind": dossier.applicant_kind, "name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone, "email": dossier.applicant_email, "address": dossier.applicant_address,
        },
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "reception_number": reception_number(dossier),
        "due_at": _iso(dossier.due_at),
        "original_due_at": _iso(dossier.original_due_at),
        "finished_at": _iso(dossier.finished_at),
        "returned_at": _iso(dossier.returned_at),
        "closed_at": _iso(dossier.closed_at),
        "current_step": dossier.current_step.name if dossier.current_step else None,
        "current_role": dossier.current_role,
        "step_due_at": _iso(dossier.step_due_at),
        "assignee": dossier.assignee.username if dossier.assignee else None,
        "paused": dossier.paused_at is not None,
        "paused_seconds": int(dossier.paused_total.total_seconds()),
        "supplement_count": dossier.supplement_count,
        "counts_as_late": dossier.counts_as_late,
        "supplement": _supplement_out(dossier, events, components, numbers),
        "delivery": dossier.delivery,
        "delivery_address": dossier.delivery_address,
        "delivery_fee": dossier.delivery_fee,
        "fee_collected": dossier.fee_collected,
        "receipt_number": dossier.receipt_number,
        "fees": fees_json(dossier),
        "originals_checked": dossier.originals_checked,
        "applicant_signed": dossier.applicant_signed,
        "form_data": dossier.form_data or {},
        "fee_inputs": dossier.fee_inputs or {},
        "fee_state": _fee_state(dossier),
        "subject": dossier.subject,
        "form_answers": answers_data(dossier_answers(version, dossier.form_data)),
        "components": [
            {"number": i, "name": c.name, "required": c.required, "accepted_types": c.accepted_types}
            for i, c in enumerate(components, 1)
        ],
        "files": [_file_out(f, numbers) for f in visible_files(request.auth, dossier).order_by("uploaded_at", "id")],
        "events": [_event_out(e) for e in events],
        "allowed_actions": [str(a) for a in allowed_actions(request.auth, dossier)]
        + (["record_fee"] if counter_fees.may_record(dossier.status, capacities(request.auth, dossier)) else []),
    }


# --- auth -------------------------------------------------------------------------------------------


@auth_router.post("/token", response=TokenOut, summary="Lấy mã truy cập API")
def obtain_token(request, payload: TokenIn):
    from motcua.accounts import twofactor

    user = twofactor.api_sign_in(request, payload.username, payload.password, payload.otp)  # limits, 2FA
    raw, token = issue_token(user)
    return {"token": raw, "expires_at": _iso(token.expires_at)}


def _published_version(code: str):
    from motcua.catalog.models import Procedure

    procedure = Procedure.objects.select_related("published__receiving_agency").filter(code=code[:50]).first()
    if procedure is None or procedure.published is None:
        raise ApiError(400, "invalid_parameter", f"Không tìm thấy thủ tục «{code[:50]}» đang áp dụng "
                       "(trường «procedure»).", field="procedure")
    return procedure.published


def _case(version, number: int | None):
    if number is None:
        return None
    cases = list(version.cases.order_by("order", "id"))
    if number > len(cases):
        raise ApiError(400, "invalid_parameter", f"Thủ tục chỉ có {len(cases)} trường hợp giải quyết "
                       "(trường «case»).", field="case")
    return cases[number - 1]


def _fee_state(dossier) -> str | None:
    from motcua.payments.awaiting import state

    found = state(dossier)
    return str(found) if found else None


# --- dossiers ---------------------------------------------------------------------------------------


@dossier_router.post("", response={201: CreatedOut}, summary="Nộp hoặc tiếp nhận hồ sơ")
@_domain_errors
def create_dossier(request, payload: DossierIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    require_scope(request, DOSSIERS_WRITE)
    version = _published_version(payload.procedure)
    case = _case(version, payload.case)
    result = actions.create_dossier(
        actor=request.auth,
        version=version,
        case=case,
        channel=payload.channel,
        applicant=actions.Applicant(**payload.applicant.dict()),
        form_data=payload.form_data,
        receive=payload.receive,
        delivery=payload.delivery,
        delivery_address=payload.delivery_address,
        idempotency_key=idempotency_key,
        fee_inputs=payload.fee_inputs.dict(exclude_none=True) if payload.fee_inputs else None,
    )
    d = result.dossier
    return Status(201, {
        "code": d.code, "status": d.get_status_display(), "status_code": d.status, "tracking_key": d.tracking_key,
        "due_at": _iso(d.due_at), "version": d.version,
    })


@dossier_router.post(
    "/receptions", response={201: ActionOut}, summary="Tiếp nhận hồ sơ tại quầy: thông tin, tệp quét và kết quả",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["data"],
        "properties": {"data": {
            "type": "string", "contentMediaType": "application/json",
            "contentSchema": _inline_defs(ReceptionIn.model_json_schema()),
            "description": "ReceptionIn dạng JSON (procedure, case, channel, applicant, form_data, delivery, "
                           "delivery_address, outcome, present, supplement, missing, reason, fee_inputs)"}},
        "additionalProperties": {"type": "string", "format": "binary",
                                 "description": "files.<số thứ tự thành phần>: tệp quét (nhiều tệp được)"},
    }}}}},
)
@_domain_errors
def receive_at_counter(request, data: str = Form(..., max_length=200_000),
                       idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Counter reception in one call, as the counter page does it: the dossier, its scans and the
    outcome (receive, supplement or refuse), all or nothing (`dossiers.reception`)."""
    require_scope(request, DOSSIERS_WRITE)
    try:
        payload = ReceptionIn.model_validate_json(data)
    except PydanticValidationError as exc:
        raise ValidationError([{"loc": ["data", *e["loc"]], "msg": e["msg"]} for e in exc.errors()]) from None
    version = _published_version(payload.procedure)
    case = _case(version, payload.case)
    components = list(version.components.order_by("order", "id"))
    files = []
    for part in request.FILES:
        number = part.removeprefix("files.")
        if not part.startswith("files.") or not number.isdigit() or not 0 < int(number) <= len(components):
            raise ApiError(400, "invalid_parameter", f"Phần tệp «{part[:50]}» không hợp lệ: cần files.<số thứ tự "
                           f"thành phần> từ 1 đến {len(components)}.", field=part[:50])
        component = components[int(number) - 1]
        files += [(component, upload, upload.name or "") for upload in request.FILES.getlist(part)]
    if any(not 0 < n <= len(components) for n in payload.present):
        raise ApiError(400, "invalid_parameter", f"Thủ tục chỉ có {len(components)} thành phần hồ sơ "
                       "(trường «present»).", field="present")
    result = reception.receive_at_counter(
        actor=request.auth, version=version, case=case, channel=payload.channel,
        applicant=actions.Applicant(**payload.applicant.dict()), form_data=payload.form_data,
        delivery=payload.delivery, delivery_address=payload.delivery_address,
        files=files, present=[components[n - 1] for n in payload.present], outcome=payload.outcome,
        missing=payload.missing, reason=payload.reason, idempotency_key=idempotency_key,
        items=_items_of_components(components, payload.supplement.items) if payload.supplement else (),
        fee_inputs=payload.fee_inputs.dict(exclude_none=True) if payload.fee_inputs else None,
        fee={"amount_vnd": payload.fee.amount, "method": payload.fee.method,
             "receipt_number": payload.fee.receipt_number} if payload.fee else None,
    )
    body = _detail(request, result.dossier)
    event = Event.objects.select_related(
        "actor", "from_step", "to_step", "from_agency", "to_agency", "from_assignee", "to_assignee"
    ).get(pk=result.event.pk)
    return Status(201, body | {"event": _event_out(event), "replayed": result.replayed})


@dossier_router.get("/{code}", response=DossierOut, summary="Chi tiết hồ sơ và quá trình xử lý")
@_domain_errors
def get_dossier(request, code: str):
    require_scope(request, DOSSIERS_READ)
    dossier = _visible(request, code)
    log_access(request, dossier, "view")
    return _detail(request, dossier)


@dossier_router.get(
    "/{code}/forms/{number}.pdf", summary="Mẫu giấy tờ chính thức (01–07) của hồ sơ, dạng PDF",
    response={200: None, 404: dict},
)
@_domain_errors
def get_form(request, code: str, number: str, layout: str = "a4"):
    """01 receipt (``layout=80mm`` for a receipt printer), 02 supplement request, 03 refusal,
    04 apology and extension, 05 stop notice, 06 process control sheet, 07 the ledger of the
    day the dossier was received at its agency."""
    require_scope(request, DOSSIERS_READ)
    dossier = _visible(request, code)
    try:
        if number not in paperwork.forms_for(dossier, request.auth):  # the pages' rule too
            raise paperwork.FormNotAvailable(number)
        pdf = paperwork.render(dossier, number, layout=layout)
    except paperwork.FormNotAvailable:
        raise ApiError(404, "form_not_available", FORM_NOT_AVAILABLE_MESSAGE % {"number": number[:2]}) from None
    log_access(request, dossier, "download")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-mau-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@dossier_router.get("/{code}/result", summary="Kết quả điện tử của hồ sơ", response={200: None, 404: dict})
@_domain_errors
def get_result(request, code: str):
    require_scope(request, DOSSIERS_READ)
    dossier = _visible(request, code)
    result = visible_files(request.auth, dossier).filter(kind=FileKind.RESULT).order_by("-uploaded_at", "-pk").first()
    if result is None or dossier.status not in (lifecycle.Status.COMPLETED, lifecycle.Status.RETURNED):
        raise ApiError(404, "result_not_available", RESULT_NOT_AVAILABLE_MESSAGE)
    log_access(request, dossier, "download")
    return download_response(result)


@dossier_router.get("/{code}/files/{file_id}", summary="Tải một tệp của hồ sơ", response={200: None, 404: dict})
@_domain_errors
def get_file(request, code: str, file_id: int):
    """A file of the dossier as an attachment, if this user may open it (`queries.visible_files`:
    staff of its agencies every file; its owner what was submitted and released results)."""
    require_scope(request, DOSSIERS_READ)
    dossier = _visible(request, code)
    file = visible_files(request.auth, dossier).filter(pk=file_id).first() if 0 < file_id < 2**63 else None
    if file is None:
        raise ApiError(404, "not_found", "Không tìm thấy tệp này trong hồ sơ.")
    try:
        response = download_response(file)  # attachment, stored type, nosniff, no-store
    except OSError:
        raise ApiError(404, "not_found", "Không tìm thấy tệp này trong hồ sơ.") from None
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    log_access(request, dossier, "download")
    return response


@dossier_router.post("/{code}/files", response={201: FileOut}, summary="Thêm tệp vào hồ sơ")
@_domain_errors
def add_file(
    request,
    code: str,
    file: UploadedFile = REQUIRED_FILE,
    component: int | None = Form(None, ge=1, le=1000),
    kind: str = Form("component", max_length=20),
    source: str | None = Form(None, max_length=20),
    version: int | None = Form(None, ge=1),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    require_scope(request, DOSSIERS_WRITE)
    dossier = _visible(request, code)
    component_obj = None
    if kind != FileKind.RESULT and component is not None:
        components = _components(dossier)
        if component > len(components):
            raise ApiError(400, "invalid_parameter", f"Thủ tục chỉ có {len(components)} thành phần hồ sơ "
                           "(trường «component»).", field="component")
        component_obj = components[component - 1]
    result = actions.add_file(
        dossier, actor=request.auth, upload=file, name=file.name or "", component=component_obj, kind=kind,
        source=source, expected_version=version, idempotency_key=idempotency_key,
    )
    numbers = {c.pk: i for i, c in enumerate(_components(dossier), 1)}
    return Status(201, _file_out(result.file, numbers))


@dossier_router.post("/{code}/actions", response=ActionOut, summary="Thao tác xử lý hồ sơ")
@_domain_errors
def act(request, code: str, payload: ActionIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    require_scope(request, DOSSIERS_WRITE)
    dossier = _visible(request, code)
    new_due_at = payload.new_due_at
    if new_due_at is not None and timezone.is_naive(new_due_at):
        new_due_at = new_due_at.replace(tzinfo=TZ)  # a time without offset is local time
    if payload.action == "record_fee":  # not a move of the lifecycle: the fee collected at the counter
        if payload.amount is None:
            raise ApiError(400, "invalid_parameter", "Cần nhập số tiền thu (trường «amount»).", field="amount")
        result = actions.record_fee(
            dossier, actor=request.auth, amount_vnd=payload.amount, method=payload.method,
            receipt_number=payload.receipt_number, expected_version=payload.version, idempotency_key=idempotency_key,
        )
        body = _detail(request, result.dossier)
        return body | {"event": _event_out(Event.objects.get(pk=result.event.pk)), "replayed": result.replayed}
    result = actions.perform(
        dossier,
        payload.action,
        actor=request.auth,
        expected_version=payload.version,
        idempotency_key=idempotency_key,
        reason=payload.reason,
        note=payload.note,
        missing=payload.missing,
        items=_supplement_items(dossier, payload.items),
        to_user=payload.to_user,
        new_due_at=new_due_at,
        pause_kind=payload.kind,
        originals_checked=payload.originals_checked,
        applicant_signed=payload.applicant_signed,
        fee_collected=payload.fee_collected,
        receipt_number=payload.receipt_number,
        delivery=payload.delivery,
        postal_number=payload.postal_number,
        posted_on=payload.posted_on,
        pin=payload.pin,
    )
    body = _detail(request, result.dossier)
    event = Event.objects.select_related(
        "actor", "from_step", "to_step", "from_agency", "to_agency", "from_assignee", "to_assignee"
    ).get(pk=result.event.pk)
    return body | {"event": _event_out(event), "replayed": result.replayed}


# --- public tracking --------------------------------------------------------------------------------


@track_router.get("/{code}", response=TrackOut, summary="Tra cứu tình trạng hồ sơ (công khai)")
def track(request, code: str, key: str = ""):
    if (refused := throttle.tracking_refused(request, code)) and not tracking_holder(
            request.user, code, key, request.GET.get("qr")):
        raise ApiError(429, "rate_limited", throttle.tracking_message(refused), retry_after=refused.retry_after)
    status = tracking.public_status(code, key)
    # Unknown code, missing key, wrong key: one answer, byte for byte.
    if status is None:
        throttle.tracking_failed(request, code)
        raise _not_found()
    return status


TRACK_NOT_FOUND = json.dumps(
    {"error": {"code": "not_found", "message": NOT_FOUND_MESSAGE}}, ensure_ascii=False
).encode()


@require_safe
def track_lean(request, code: str):
    """GET /api/v1/track/<code>?key=: the same answer as `track` above, without the framework.

    Public tracking is the busiest call (receipts' QR codes, kiosks, citizens refreshing); this
    plain view serves the cached JSON bytes directly (bench/tracking.py). The URLconf routes the
    path here first; the ninja operation stays for the OpenAPI schema and answers the same."""
    # One cache round trip for the rate-limit counters and the cached answer (Redis: one network call).
    refused, cached = throttle.tracking_check(request, code, (tracking.cache_key(code),))
    key = request.GET.get("key", "")
    if refused and not tracking_holder(request.user, code, key, request.GET.get("qr")):
        return throttle.tracking_json(refused)
    body = tracking.public_json(code, key, prefetched=cached)
    if body is None:
        throttle.tracking_failed(request, code)
        return HttpResponse(TRACK_NOT_FOUND, status=404, content_type="application/json; charset=utf-8")
    return HttpResponse(body, content_type="application/json; charset=utf-8")


router.add_router("/auth", auth_router)
router.add_router("/dossiers", dossier_router)
router.add_router("/track", track_router)
