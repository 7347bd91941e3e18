"""The dossier page: what the dossier is, its files, its process control sheet, and the actions
this user may take now (asked of `dossiers.queries.allowed_actions`; only those are shown).

Every action form POSTs the dossier version the user saw. The view compares it first, then calls
the action with it (`expected_version`), so when two officers press "hand over" together one
wins and the other is sent back to the refreshed page with a clear message. Errors of the
action layer become messages or field errors, never a 500 (POST/redirect/GET on success).
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts.models import Membership, Role
from motcua.audit import log_access
from motcua.catalog.fees import dossier_fee_views
from motcua.core.money import vnd
from motcua.dossiers import actions, counter_fees, lifecycle, paperwork
from motcua.dossiers.errors import (
    ActionNotAllowed,
    ConcurrentUpdate,
    DossierError,
    IdempotencyConflict,
    InvalidInput,
    PermissionDenied,
)
from motcua.dossiers.files import download_response, max_upload_bytes
from motcua.dossiers.lifecycle import Action, Capacity
from motcua.dossiers.models import (
    Delivery,
    Dossier,
    Event,
    EventKind,
    FileKind,
    FileSource,
    IdempotencyKey,
    Status,
)
from motcua.dossiers.queries import (
    allowed_actions,
    capacities,
    may_add_files,
    state_of,
    step_agency_id,
    step_index,
    steps_of,
    visible_files,
)
from motcua.payments import awaiting
from motcua.signing.errors import SigningRefused, WrongPin
from motcua.staff.access import dossier_or_404, staff_required
from motcua.staff.pages import staff_render

from . import forms, uploads
from .fees import counter_fee_view
from .reception import CONCURRENT_MESSAGE, component_rows

ROLE_LABELS = dict(Role.choices)
FILE_ACTIONS = ("result_files", "component_files")
FORM_LINKS = (
    ("01", gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")),
    ("02", gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
    ("03", gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ")),
    ("04", gettext_lazy("Văn bản xin lỗi và đề nghị gia hạn")),
    ("05", gettext_lazy("Thông báo dừng giải quyết hồ sơ")),
    ("06", gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ")),
)
# The order the action panels are shown in (the usual next step first).
ORDER = (
    "claim", "approve", "handover", "result_files", "complete", "post_result", "confirm_delivery", "return_result",
    "supply", "component_files", "request_supplement", "return_to_previous", "pause", "resume", "extend", "stop",
    "withdraw", "hand_over_paper_copy", "record_fee", "refund",
)
PRIMARY = {"claim", "approve", "handover", "complete", "return_result", "supply", "result_files", "post_result",
           "confirm_delivery", "refund"}


@dataclass
class Panel:
    name: str
    title: str
    form: Any
    help: str = ""
    warning: str = ""
    files: bool = False
    open: bool = False
    button: str = ""
    danger: bool = False
    extra: dict = field(default_factory=dict)


def _related(qs=None):
    return (qs or Dossier.objects).select_related(
        "procedure_version__procedure", "procedure_version__agency", "procedure_version__receiving_agency",
        "case", "agency", "handling_agency", "current_step", "assignee", "owner",
    )


def _label(user) -> str:
    name = getattr(user, "full_name", "") or user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _holders(agency_id: int, role: str) -> list:
    rows = (
        Membership.objects.filter(agency_id=agency_id, role=role, active=True, user__is_active=True)
        .select_related("user").order_by("user__full_name", "user__username")
    )
    return [(m.user, _label(m.user)) for m in rows]


@dataclass
class Context:
    dossier: Dossier
    steps: tuple
    index: int | None
    allowed: list[Action]
    caps: frozenset
    user: Any = None

    @functools.cached_property
    def components(self) -> list:
        return list(self.dossier.procedure_version.components.order_by("order", "id"))

    @functools.cached_property
    def fee_view(self):
        """The fees due now (before the result: at reception; awaiting payment or completed: all)."""
        from motcua.payments.services import default_when

        return counter_fee_view(self.dossier, default_when(self.dossier), self.fees)

    @functools.cached_property
    def fees(self) -> list:
        """The version's fees, read once for the fee row and the fee panels."""
        return list(self.dossier.procedure_version.fees.order_by("order", "id"))

    @property
    def next_step(self):
        if self.index is None or self.index + 1 >= len(self.steps):
            return None
        return self.steps[self.index + 1]

    @property
    def previous_step(self):
        if not self.index:
            return None
        return self.steps[self.index - 1]


def _why_not(dossier, ctx: Context, action: Action) -> str:
    """The lifecycle's own words for why `action` is not offered now (the page says it instead of
    a button that silently is not there), or ""."""
    try:
        lifecycle.decide(action, state_of(dossier), ctx.caps, now=timezone.now())
    except DossierError as exc:
        return exc.message
    return ""


def _context(request, dossier) -> Context:
    steps = steps_of(dossier.case_id)
    return Context(
        dossier=dossier, steps=steps, index=step_index(dossier, steps),
        allowed=allowed_actions(request.user, dossier), caps=capacities(request.user, dossier), user=request.user,
    )


def _available(ctx: Context) -> list[str]:
    names = [str(a) for a in ctx.allowed]
    status = ctx.dossier.status
    at_reception = ctx.dossier.current_role == Role.RECEPTIONIST and ctx.dossier.current_step_id is not None
    # Who may add files: the action layer's rule (dossiers.queries.may_add_files).
    if may_add_files(ctx.caps, status, FileKind.RESULT) and not at_reception:
        names.append("result_files")
    if may_add_files(ctx.caps, status, FileKind.COMPONENT):
        names.append("component_files")
    # Fees (#17): record one outside a reception or a return; give back a refund pending.
    if counter_fees.may_record(status, ctx.caps) and status != Status.COMPLETED:  # at return: the return's form
        names.append("record_fee")
    if (Capacity.RECEPTIONIST in ctx.caps and counter_fees.refund_due(status, ctx.dossier.fee_collected)
            and _pending_refund(ctx.dossier) is not None):
        names.append("refund")
    return names


def _pending_refund(dossier: Dossier):
    from motcua.payments.models import Refund

    return Refund.objects.filter(dossier_id=dossier.pk, state=Refund.State.PENDING).order_by("created_at").first()


def _build_form(name: str, ctx: Context, data=None) -> Panel | None:
    d = ctx.dossier
    initial = {"version": d.version, "token": secrets.token_hex(16)}
    kw: dict[str, Any] = {"data": data, "initial": initial, "prefix": name}
    if name == "approve":
        kw["user"] = ctx.user
    components = ctx.components
    if name == "claim":
        return Panel(name, _("Nhận xử lý"), forms.SimpleActionForm(**kw),
                     help=_("Hồ sơ đang ở nhóm vai trò; nhận để những người khác trong nhóm biết bạn đang xử lý."),
                     button=_("Nhận xử lý hồ sơ này"))
    if name == "handover":
        step = ctx.next_step
        if step is None:
            return None
        agency_id = step_agency_id(d, step)
        holders = _holders(agency_id, step.role)
        pool = _("Cả nhóm %(role)s") % {
            "role": str(ROLE_LABELS.get(step.role, step.role)).lower()}
        return Panel(name, _("Chuyển bước tiếp theo: %(step)s") % {"step": step.name},
                     forms.HandoverForm(targets=holders, pool_label=pool, **kw),
                     help=_("Bước tiếp theo do %(role)s thực hiện, định mức %(hours)s giờ làm việc. Chọn một người, "
                            "hoặc chuyển cho cả nhóm: ai trong nhóm cũng nhận xử lý được.") % {
                         "role": str(ROLE_LABELS.get(step.role, step.role)).lower(),
                         "hours": f"{step.quota_hours:f}".rstrip("0").rstrip(".")},
                     button=_("Chuyển hồ sơ"))
    if name == "approve":
        return _approve_panel(ctx, kw)
    if name == "return_to_previous":
        step = ctx.previous_step
        if step is None:
            return None
        holders = _holders(step_agency_id(d, step), step.role)
        return Panel(name, _("Trả lại bước trước: %(step)s") % {"step": step.name},
                     forms.ReturnForm(targets=holders, default_label=_(
                         "Người đã xử lý bước trước (nếu còn giữ vai trò), nếu không thì nhóm vai trò"), **kw),
                     button=_("Trả lại"))
    if name == "request_supplement":
        if d.status == Status.SUBMITTED:
            return None  # at reception: the check page
        warning = ""
        if d.supplement_count >= 1:
            warning = _("Hồ sơ đã được yêu cầu bổ sung %(n)d lần trong khi xử lý. Yêu cầu thêm lần nữa sẽ làm hồ sơ bị "
                        "tính là QUÁ HẠN (QĐ 766).") % {"n": d.supplement_count}
        return Panel(name, _("Yêu cầu bổ sung, hoàn thiện hồ sơ"), forms.SupplementForm(components=components, **kw),
                     help=_("Chỉ yêu cầu một lần, liệt kê đầy đủ. Đồng hồ dừng trong khi chờ người nộp bổ sung; "
                            "thời gian đã qua vẫn được tính. Lần yêu cầu thứ hai làm hồ sơ bị tính là quá hạn."),
                     warning=warning, button=_("Gửi yêu cầu bổ sung (mẫu 02)"),
                     extra={"template": "backoffice/_supplement_fields.html"})
    if name == "supply":
        return Panel(name, _("Nhận giấy tờ bổ sung"), forms.SupplyForm(components=components, **kw), files=True,
                     help=_("Ghi nhận người nộp đã bổ sung; thời hạn được tính tiếp từ lúc này."),
                     button=_("Ghi nhận đã bổ sung"))
    if name == "pause":
        return Panel(name, _("Tạm dừng tính thời gian"), forms.PauseForm(**kw), button=_("Tạm dừng"))
    if name == "resume":
        return Panel(name, _("Tiếp tục xử lý"), forms.SimpleActionForm(**kw),
                     help=_("Thời hạn được lùi thêm đúng bằng thời gian làm việc đã tạm dừng."),
                     button=_("Tiếp tục xử lý"))
    if name == "extend":
        due = timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y") if d.due_at else ""
        return Panel(name, _("Xin lỗi và gia hạn (mẫu 04)"), forms.ExtendForm(**kw),
                     help=_("Chỉ gia hạn được trước thời hạn hiện tại (%(due)s); thời hạn mới phải sau thời hạn "
                            "này.") % {"due": due}, button=_("Gia hạn"))
    if name == "stop":
        return Panel(name, _("Dừng xử lý (mẫu 05)"), forms.StopForm(**kw), danger=True,
                     help=_("Hồ sơ kết thúc ở trạng thái «Dừng xử lý»; thao tác này không hoàn tác được."),
                     button=_("Dừng xử lý hồ sơ"))
    if name == "complete":
        help_text = _("Hồ sơ chuyển sang «Đã xử lý xong» và về bộ phận một cửa để trả kết quả.")
        if d.delivery == Delivery.ONLINE:
            help_text = _("Người nộp nhận kết quả điện tử: khi hoàn thành, kết quả được trả ngay trên Cổng Dịch vụ "
                          "công (hồ sơ chuyển sang «Đã trả kết quả»), không cần trả tại bộ phận một cửa.")
        return Panel(name, _("Hoàn thành xử lý"), forms.SimpleActionForm(**kw), help=help_text,
                     button=_("Hoàn thành xử lý"))
    if name == "post_result":
        return Panel(name, _("Gửi kết quả qua bưu chính"), forms.PostResultForm(**kw),
                     help=_("Người nộp đăng ký nhận kết quả qua bưu chính công ích tại: %(address)s. Ghi số hiệu bưu "
                            "gửi khi giao kết quả cho bưu điện; hồ sơ được trả khi bưu điện báo đã phát.")
                     % {"address": d.delivery_address or "—"}, button=_("Ghi nhận đã gửi bưu chính"))
    if name == "confirm_delivery":
        return Panel(name, _("Bưu chính đã phát kết quả"), forms.SimpleActionForm(**kw),
                     help=_("Khi bưu điện báo đã phát kết quả cho người nộp (bưu gửi %(number)s), ghi nhận để hồ sơ "
                            "chuyển sang «Đã trả kết quả».") % {"number": _postal_number(d) or "—"},
                     button=_("Xác nhận đã phát"))
    if name == "hand_over_paper_copy":
        return Panel(name, _("Trao bản giấy của kết quả điện tử"), forms.SimpleActionForm(**kw),
                     help=_("Kết quả đã được trả điện tử. Khi người nộp đề nghị bản giấy tại quầy, ghi nhận việc trao "
                            "bản giấy; trạng thái hồ sơ không đổi."), button=_("Ghi nhận đã trao bản giấy"))
    if name == "return_result":
        if data is None:  # what is still owed (status 9: every fee not paid yet), online payments counted
            kw["initial"]["fee_collected"] = ctx.fee_view.due_vnd
        return Panel(name, _("Trả kết quả cho người nộp"), forms.ReturnResultForm(**kw),
                     help=_("Đối chiếu bản chính với các tệp đã nộp, cho người nhận ký nhận, thu phí, lệ phí còn "
                            "lại (nếu có) và ghi số biên lai."), button=_("Xác nhận đã trả kết quả"),
                     extra={"fee_view": ctx.fee_view})
    if name == "record_fee":
        view = ctx.fee_view
        if data is None:
            kw["initial"]["fee_amount"] = str(view.due_vnd)
        return Panel(name, _("Ghi nhận thu phí, lệ phí"), forms.RecordFeeForm(**kw),
                     help=_("Số tiền người nộp đã nộp tại quầy, hình thức thu và số biên lai."),
                     button=_("Ghi nhận đã thu"), extra={"fee_view": view})
    if name == "refund":
        refund = _pending_refund(d)
        if refund is None:
            return None
        kw["initial"]["refund"] = refund.pk
        return Panel(name, _("Hoàn phí, lệ phí"), forms.RefundForm(**kw),
                     help=_("Hồ sơ đã nộp %(amount)s nhưng kết thúc không có kết quả: chờ hoàn phí. Khi đã trả lại "
                            "tiền cho người nộp, ghi nhận hình thức, số chứng từ và ngày hoàn.")
                     % {"amount": vnd(refund.amount_vnd, unit="đồng")}, button=_("Ghi nhận đã hoàn phí"))
    if name == "withdraw":
        return Panel(name, _("Rút hồ sơ theo yêu cầu của người nộp"), forms.WithdrawForm(**kw), danger=True,
                     button=_("Rút hồ sơ"))
    if name == "result_files":
        return Panel(name, _("Đính kèm tệp kết quả"), forms.FilesForm(**kw), files=True,
                     help=_("Văn bản kết quả giải quyết (PDF, JPEG, PNG, TIFF); cần ít nhất một tệp trước khi hoàn "
                            "thành."), button=_("Tải lên tệp kết quả"))
    if name == "component_files":
        return Panel(name, _("Thêm bản quét thành phần hồ sơ"), forms.FilesForm(components=components, **kw),
                     files=True, button=_("Tải lên"))
    return None


def _approve_panel(ctx: Context, kw: dict) -> Panel:
    """Ký duyệt: the result files as page images, who signs, the PIN of a personal certificate."""
    from motcua.signing import personal, preview, providers
    from motcua.signing.services import unsigned_results

    d = ctx.dossier
    user = kw.pop("user")
    provider = providers.for_approval(d, user)
    certificate = personal.current(user) if provider is not None and provider.name == "personal" else None
    visible = set(visible_files(user, d).filter(kind=FileKind.RESULT).values_list("pk", flat=True))
    files = []
    for file in unsigned_results(d):
        if file.pk in visible:
            count = preview.page_count(file)  # cheap and cached: the images are made when asked for
            files.append({"file": file, "pages": list(range(1, min(count, preview.MAX_PAGES) + 1)),
                          "more": count > preview.MAX_PAGES})
    if certificate is not None:
        signer = _("Ký bằng chứng thư số cá nhân: %(name)s (do %(issuer)s cấp, hiệu lực đến %(to)s).") % {
            "name": certificate.common_name, "issuer": certificate.issuer,
            "to": timezone.localtime(certificate.valid_to).strftime("%d/%m/%Y")}
    elif provider is not None:
        signer = _("Ký bằng chứng thư số của cơ quan (bạn chưa tải lên chứng thư số cá nhân).")
    else:
        signer = _("Chưa có chứng thư số để ký: kết quả được duyệt nhưng không ký số.")
    next_step = ctx.next_step
    after = (_("Sau khi duyệt, hồ sơ chuyển sang bước «%(step)s» để văn thư điền số, ngày và đóng dấu số của cơ "
               "quan.") % {"step": next_step.name}) if next_step else _("Sau khi duyệt, hồ sơ được hoàn thành.")
    needs_pin = certificate is not None and bool(files)  # nothing to sign: no key to open
    return Panel("approve", _("Ký duyệt"), forms.ApproveForm(needs_pin=needs_pin, **kw),
                 help=f"{signer} {after}", button=_("Duyệt và ký số"),
                 extra={"template": "backoffice/_approve_fields.html", "files": files, "dossier_code": d.code})


def _postal_number(d: Dossier) -> str:
    posted = d.events.filter(kind=EventKind.RESULT_POSTED).order_by("-version").first()
    return (posted.data or {}).get("postal_number", "") if posted else ""


def _panels(ctx: Context, bound: Panel | None = None) -> list[Panel]:
    names = _available(ctx)
    panels = []
    for name in ORDER:
        if name not in names:
            continue
        if bound is not None and bound.name == name:
            bound.open = True
            panels.append(bound)
            continue
        panel = _build_form(name, ctx)
        if panel is not None:
            panel.open = name in PRIMARY
            panels.append(panel)
    return panels


def _form_links(dossier, kinds: set[str], user) -> list[tuple[str, str, str]]:
    wanted = set(paperwork.forms_for(dossier, user, kinds))
    return [(no, title, f"/can-bo/ho-so/{dossier.code}/mau/{no}.pdf") for no, title in FORM_LINKS if no in wanted]


def _render(request, dossier, ctx: Context, bound: Panel | None = None, status: int = 200):
    events = list(
        Event.objects.filter(dossier=dossier).select_related(
            "actor", "from_step", "to_step", "from_agency", "to_agency", "from_assignee", "to_assignee"
        ).order_by("version")
    )
    rows = component_rows(dossier, user=request.user)
    result_files = list(visible_files(request.user, dossier).filter(kind=FileKind.RESULT).select_related("uploaded_by"))
    kinds = {e.kind for e in events}
    steps = []
    for i, step in enumerate(ctx.steps):
        state = "upcoming"
        if ctx.index is not None:
            state = "done" if i < ctx.index else ("current" if i == ctx.index else "upcoming")
        if dossier.status in (Status.COMPLETED, Status.RETURNED):
            state = "done"
        steps.append({"step": step, "state": state, "role": ROLE_LABELS.get(step.role, step.role)})
    pool_label = ""
    if dossier.current_step_id and not dossier.assignee_id:
        pool_label = _("Nhóm vai trò: %(role)s – %(agency)s") % {
            "role": ROLE_LABELS.get(dossier.current_role, dossier.current_role), "agency": dossier.handling_agency.name}
    last_step_hint = ""
    if (Capacity.STEP_HOLDER in ctx.caps and ctx.index is not None and ctx.index + 1 == len(ctx.steps)
            and may_add_files(ctx.caps, dossier.status, FileKind.RESULT) and not result_files
            and Action.COMPLETE not in ctx.allowed and dossier.paused_at is None):
        last_step_hint = _("Đây là bước cuối. Đính kèm ít nhất một tệp kết quả để hoàn thành xử lý.")
    elif (Capacity.STEP_HOLDER in ctx.caps and ctx.index is not None and ctx.index + 1 == len(ctx.steps)
          and result_files and Action.COMPLETE not in ctx.allowed and dossier.paused_at is None
          and dossier.status in (Status.RECEIVED, Status.PROCESSING)):
        last_step_hint = _why_not(dossier, ctx, Action.COMPLETE)  # e.g. a result added after the approval
    return staff_render(request, "backoffice/dossier.html", {
        "dossier": dossier, "procedure": dossier.procedure_version.procedure, "pv": dossier.procedure_version,
        "rows": rows, "result_files": result_files, "events": events, "panels": _panels(ctx, bound),
        "steps": steps, "pool_label": pool_label, "form_links": _form_links(dossier, kinds, request.user),
        "role_labels": ROLE_LABELS, "last_step_hint": last_step_hint,
        "check_url": dossier.status == Status.SUBMITTED and Action.RECEIVE in ctx.allowed,
        "fees": dossier_fee_views(dossier, ctx.fees), "fee_state": awaiting.shown(dossier),
        "max_mb": max_upload_bytes() // (1024 * 1024), "accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff",
        "fee_view": ctx.fee_view,
    }, status=status)


@require_safe
@staff_required
def dossier_page(request, code: str):
    dossier = dossier_or_404(request, code, _related())
    log_access(request, dossier, "view")
    return _render(request, dossier, _context(request, dossier))


# --- actions ---------------------------------------------------------------------------------------------

FIELD_MAP = {"reason": "reason", "missing": "missing", "new_due_at": "new_due_at", "to_user": "to_user",
             "fee_collected": "fee_collected", "receipt_number": "receipt_number", "kind": "kind",
             "component": "component", "file": None, "postal_number": "postal_number", "posted_on": "posted_on",
             "amount": "fee_collected", "method": "fee_method", "reference": "refund_reference"}


def _local(value) -> str:
    return timezone.localtime(value).strftime("%H:%M ngày %d/%m/%Y") if value else "—"


def _success(name: str, dossier: Dossier, extra: dict) -> str:
    if name == "claim":
        return _("Bạn đã nhận xử lý hồ sơ %(code)s.") % {"code": dossier.code}
    if name == "handover":
        to = _label(dossier.assignee) if dossier.assignee_id else _("nhóm vai trò %(role)s") % {
            "role": str(ROLE_LABELS.get(dossier.current_role, dossier.current_role)).lower()}
        return _("Đã chuyển hồ sơ %(code)s sang bước «%(step)s» cho %(to)s.") % {
            "code": dossier.code, "step": dossier.current_step.name if dossier.current_step_id else "", "to": to}
    if name == "return_to_previous":
        return _("Đã trả hồ sơ %(code)s về bước «%(step)s».") % {
            "code": dossier.code, "step": dossier.current_step.name if dossier.current_step_id else ""}
    if name == "request_supplement":
        text = _("Đã yêu cầu bổ sung hồ sơ %(code)s; thời gian chờ bổ sung không tính vào thời hạn. Hãy gửi phiếu "
                 "yêu cầu bổ sung (mẫu 02) cho người nộp.") % {"code": dossier.code}
        if dossier.counts_as_late:
            text += " " + _("Lưu ý: đây là lần yêu cầu bổ sung thứ hai trở lên, hồ sơ bị tính là quá hạn.")
        return text
    if name == "supply":
        return _("Đã ghi nhận bổ sung; hồ sơ %(code)s được xử lý tiếp, hạn trả: %(due)s.") % {
            "code": dossier.code, "due": _local(dossier.due_at)}
    if name == "pause":
        return _("Đã tạm dừng tính thời gian hồ sơ %(code)s.") % {"code": dossier.code}
    if name == "resume":
        return _("Đã tiếp tục xử lý hồ sơ %(code)s; hạn trả: %(due)s.") % {"code": dossier.code,
                                                                           "due": _local(dossier.due_at)}
    if name == "extend":
        return _("Đã gia hạn hồ sơ %(code)s đến %(due)s. Hãy gửi văn bản xin lỗi và gia hạn (mẫu 04).") % {
            "code": dossier.code, "due": _local(dossier.due_at)}
    if name == "stop":
        return _("Đã dừng xử lý hồ sơ %(code)s. Hãy gửi thông báo dừng giải quyết (mẫu 05).") % {"code": dossier.code}
    if name == "approve":
        if dossier.status in (Status.COMPLETED, Status.RETURNED):
            return _("Đã duyệt và ký số kết quả hồ sơ %(code)s; hồ sơ đã hoàn thành.") % {"code": dossier.code}
        return _("Đã duyệt và ký số kết quả hồ sơ %(code)s; hồ sơ chuyển sang bước «%(step)s».") % {
            "code": dossier.code, "step": dossier.current_step.name if dossier.current_step_id else ""}
    if name == "complete":
        if dossier.status == Status.RETURNED:  # an electronic result: returned by the system at once
            return _("Đã hoàn thành xử lý hồ sơ %(code)s; kết quả điện tử đã được trả cho người nộp trên Cổng Dịch "
                     "vụ công.") % {"code": dossier.code}
        return _("Đã hoàn thành xử lý hồ sơ %(code)s; hồ sơ chờ trả kết quả tại bộ phận một cửa.") % {
            "code": dossier.code}
    if name == "post_result":
        return _("Đã ghi nhận gửi kết quả hồ sơ %(code)s qua bưu chính.") % {"code": dossier.code}
    if name == "confirm_delivery":
        return _("Đã ghi nhận bưu chính phát kết quả; hồ sơ %(code)s đã trả kết quả.") % {"code": dossier.code}
    if name == "hand_over_paper_copy":
        return _("Đã ghi nhận trao bản giấy kết quả hồ sơ %(code)s.") % {"code": dossier.code}
    if name == "return_result":
        return _("Đã trả kết quả hồ sơ %(code)s.") % {"code": dossier.code}
    if name == "record_fee":
        return _("Đã ghi nhận thu phí, lệ phí của hồ sơ %(code)s (biên lai số %(receipt)s).") % {
            "code": dossier.code, "receipt": dossier.receipt_number}
    if name == "refund":
        return _("Đã ghi nhận hoàn phí, lệ phí của hồ sơ %(code)s.") % {"code": dossier.code}
    if name == "withdraw":
        return _("Đã ghi nhận người nộp rút hồ sơ %(code)s.") % {"code": dossier.code}
    if name in FILE_ACTIONS:
        return _("Đã lưu %(n)d tệp vào hồ sơ %(code)s.") % {"n": extra.get("files", 0), "code": dossier.code}
    return _("Đã cập nhật hồ sơ %(code)s.") % {"code": dossier.code}


def _check_files(request, panel: Panel, field_name: str = "files", accepted: str | None = None) -> list:
    """The uploads of a file form, each checked; refusals go on the form (naming the file)."""
    files = request.FILES.getlist(f"{panel.name}-{field_name}")[:50]
    good = []
    for upload in files:
        message = uploads.check_upload(upload, upload.name, accepted)
        if message:
            panel.form.add_action_error(None, message)
        else:
            good.append(upload)
    return good


def _run(name: str, request, dossier: Dossier, panel: Panel) -> dict:
    """Call the action; returns extra facts for the success message. Raises DossierError."""
    data = panel.form.cleaned_data
    user = request.user
    common = {"actor": user, "expected_version": data["version"],
              "idempotency_key": f"bo-{name}:{data['token']}" if data.get("token") else None}
    note = data.get("note", "")
    if name == "claim":
        actions.claim(dossier, **common)
    elif name == "handover":
        target = int(data["to_user"]) if data.get("to_user") else None
        actions.handover(dossier, to_user=target, note=note, **common)
    elif name == "return_to_previous":
        target = int(data["to_user"]) if data.get("to_user") else None
        actions.return_to_previous(dossier, reason=data["reason"], to_user=target, **common)
    elif name == "request_supplement":
        actions.request_supplement(dossier, items=data["items"], missing=data["missing"], note=note, **common)
    elif name == "pause":
        actions.pause(dossier, reason=data["reason"], kind=data["kind"], **common)
    elif name == "resume":
        actions.resume(dossier, note=note, **common)
    elif name == "extend":
        actions.extend(dossier, new_due_at=data["new_due_at"], reason=data["reason"], **common)
    elif name == "stop":
        actions.stop(dossier, reason=data["reason"], **common)
    elif name == "complete":
        actions.complete(dossier, note=note, **common)
    elif name == "approve":
        actions.approve(dossier, note=note, pin=data.get("pin") or None, **common)
    elif name == "return_result":
        # The fee collected now is recorded by record_fee, then the result handed over: one transaction.
        amount = data.get("fee_collected") or 0
        fee = {"amount_vnd": amount, "method": data.get("fee_method") or "cash",
               "receipt_number": data.get("receipt_number", "")} if amount else None
        actions.return_with_fee(
            dossier, fee=fee, originals_checked=bool(data.get("originals_checked")),
            applicant_signed=bool(data.get("applicant_signed")), note=note, **common)
    elif name == "withdraw":
        actions.withdraw(dossier, reason=data.get("reason", ""), **common)
    elif name == "post_result":
        actions.post_result(dossier, postal_number=data["postal_number"], posted_on=data.get("posted_on"), note=note,
                            **common)
    elif name == "confirm_delivery":
        actions.confirm_delivery(dossier, note=note, **common)
    elif name == "hand_over_paper_copy":
        actions.hand_over_paper_copy(dossier, note=note, **common)
    elif name == "record_fee":
        actions.record_fee(dossier, amount_vnd=data["fee_amount"], method=data["fee_method"],
                           receipt_number=data["fee_receipt"], **common)
    elif name == "refund":
        actions.record_refund(data["refund"], actor=user, method=data["refund_method"],
                              reference=data["refund_reference"], refunded_on=data.get("refunded_on"),
                              expected_version=data["version"], dossier=dossier)
    else:  # pragma: no cover - the names come from _available
        raise Http404("unknown action")
    return {}


def _run_with_files(name: str, request, dossier: Dossier, panel: Panel, good: list) -> dict:
    data = panel.form.cleaned_data
    user = request.user
    expected = data["version"]
    component = None
    if data.get("component"):
        component = next((c for c in dossier.procedure_version.components.all() if c.pk == data["component"]), None)
    kind = FileKind.RESULT if name == "result_files" else FileKind.COMPONENT
    with transaction.atomic():
        for i, upload in enumerate(good):
            actions.add_file(dossier, actor=user, upload=upload, name=upload.name, component=component, kind=kind,
                             source=FileSource.SCANNED if kind != FileKind.RESULT else None,
                             expected_version=expected if i == 0 else None)
        if name == "supply":
            actions.supply(dossier, actor=user, note=data.get("note", ""),
                           expected_version=None if good else expected)
    return {"files": len(good)}


@sensitive_post_parameters("approve-pin")  # the PIN never reaches an error report
@require_POST
@staff_required
def dossier_action(request, code: str, action: str):
    dossier = dossier_or_404(request, code, _related())
    ctx = _context(request, dossier)
    if action not in ORDER:
        raise Http404("unknown action")
    token = request.POST.get(f"{action}-token", "")[:64]
    if token and IdempotencyKey.objects.filter(actor=request.user, key=f"bo-{action}:{token}").exists():
        # The same form sent twice (a double click, a reload): the first one did it.
        messages.info(request, _("Thao tác này đã được thực hiện ở lần bấm trước."))
        return redirect("backoffice:dossier", code=dossier.code)
    seen = request.POST.get(f"{action}-version", "")
    if seen.isdigit() and int(seen) != dossier.version:
        messages.error(request, CONCURRENT_MESSAGE)
        return redirect("backoffice:dossier", code=dossier.code)
    if action not in _available(ctx):
        messages.error(request, _("Thao tác này hiện không thực hiện được với hồ sơ %(code)s (trạng thái: "
                                  "%(status)s), hoặc bạn không có quyền.") % {
                                      "code": dossier.code, "status": dossier.get_status_display()})
        return redirect("backoffice:dossier", code=dossier.code)
    panel = _build_form(action, ctx, data=request.POST)
    if panel is None:
        messages.error(request, _("Thao tác này hiện không thực hiện được."))
        return redirect("backoffice:dossier", code=dossier.code)
    valid = panel.form.is_valid()
    good: list = []
    if panel.files:
        good = _check_files(request, panel)
        if action in FILE_ACTIONS and valid and not good and not panel.form.errors:
            panel.form.add_action_error(None, _("Chưa chọn tệp nào để tải lên."))
        if action == "supply" and good and valid and not panel.form.cleaned_data.get("component"):
            panel.form.add_action_error("component", _("Chọn thành phần hồ sơ cho các tệp bổ sung."))
        valid = valid and not panel.form.errors
    if not valid:  # refused input: the page again with the messages and what was typed (400)
        return _render(request, dossier, ctx, bound=panel, status=400)
    try:
        extra = (_run_with_files(action, request, dossier, panel, good) if panel.files
                 else _run(action, request, dossier, panel))
    except ConcurrentUpdate:
        messages.error(request, CONCURRENT_MESSAGE)
        return redirect("backoffice:dossier", code=dossier.code)
    except (ActionNotAllowed, PermissionDenied) as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:dossier", code=dossier.code)
    except InvalidInput as exc:
        field_for = getattr(panel.form, "field_for", None)  # a supplement item's field
        panel.form.add_action_error(FIELD_MAP.get(exc.field) or (field_for and field_for(exc.field)), exc.message)
        return _render(request, dossier, ctx, bound=panel, status=400)
    except WrongPin as exc:
        panel.form.add_action_error("pin" if "pin" in panel.form.fields else None, exc.message)
        return _render(request, dossier, ctx, bound=panel, status=400)
    except SigningRefused as exc:
        panel.form.add_action_error(None, exc.message)
        return _render(request, dossier, ctx, bound=panel, status=400)
    except IdempotencyConflict:
        messages.error(request, _("Biểu mẫu này đã được gửi một lần; trang đã được tải lại, hãy thao tác lại nếu cần."))
        return redirect("backoffice:dossier", code=dossier.code)
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:dossier", code=dossier.code)
    fresh = _related().get(pk=dossier.pk)
    messages.success(request, _success(action, fresh, extra))
    return redirect("backoffice:dossier", code=dossier.code)


# --- files ------------------------------------------------------------------------------------------------


@require_safe
@staff_required
def dossier_file(request, code: str, file_id: int):
    """A dossier file as an attachment (never rendered inline), if this user may open it (the one
    rule of every door, `dossiers.queries.visible_files`)."""
    dossier = dossier_or_404(request, code)
    file = visible_files(request.user, dossier).filter(pk=file_id).first()
    if file is None:
        raise Http404("no such file")
    try:
        response = download_response(file)  # attachment, stored type, nosniff, no-store
    except (FileNotFoundError, OSError) as exc:
        raise Http404("missing file") from exc
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    log_access(request, dossier, "download")
    return response



@require_safe
@staff_required
def dossier_file_page(request, code: str, file_id: int, number: int):
    """One page of a result file as a PNG image (the approval page: PDFs are not embedded), if
    this user may open the file; made on the first request, once per file content and page
    (signing.preview); logged in the personal data access log like a file download."""
    from django.http import FileResponse

    from motcua.signing import preview

    dossier = dossier_or_404(request, code)
    file = visible_files(request.user, dossier).filter(pk=file_id, kind=FileKind.RESULT).first()
    if file is None or not 1 <= number <= preview.MAX_PAGES:
        raise Http404("no such file")
    path = preview.page_image(file, number)
    if path is None:
        raise Http404("no such page")
    log_access(request, dossier, "download")  # an image of a file's content, like a file download
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
