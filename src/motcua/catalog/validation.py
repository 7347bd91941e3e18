"""Checking a draft before it is published, and what a service level needs: the catalogue's own
rules, plain Python over the catalogue (no HTTP). Every door that publishes (the admin pages, the
catalogue import) calls `validate_draft` through `actions.publish_draft`, so they refuse the same
drafts with the same messages.

* ``validate_draft(version)`` -> every problem of the whole draft, each naming the section, the
  object and what is wrong, in Vietnamese, with the address of the section that fixes it;
* the workflow's time budget uses the workflow editor's rule (``budget.py``: legal time in working
  hours on the receiving agency's calendar), so the editor, publishing and import never disagree;
* ``level_requirements(version, target)`` -> what is missing for a service level (words);
  ``level_gaps`` gives the same as problems with links.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import budget as budget_rules
from .fees import Rule
from .fees import problems as fee_problems
from .models import (
    Component,
    PaperKind,
    ProcedureVersion,
    Role,
    ServiceLevel,
    TimeUnit,
)

ADMIN_ROOT = "/can-bo/quan-tri/"
# The sections of a draft (the URL segment under ban-nhap/), and the service level page.
SECTION_LABELS = {
    "chung": gettext_noop("Thông tin chung"),
    "truong-hop": gettext_noop("Trường hợp, thời hạn"),
    "thanh-phan": gettext_noop("Thành phần hồ sơ"),
    "le-phi": gettext_noop("Phí, lệ phí"),
    "huong-dan": gettext_noop("Hướng dẫn, video"),
    "hoi-dap": gettext_noop("Hỏi đáp"),
    "bieu-mau": gettext_noop("Biểu mẫu điện tử"),
    "quy-trinh": gettext_noop("Quy trình xử lý"),
    "muc-do": gettext_noop("Mức độ dịch vụ"),
    "chung-thu": gettext_noop("Chứng thư số"),  # registered by the system's operators: no page of the admin area
}
EMPTY = gettext_noop("(để trống)")



MAX_STEPS = 50  # a case's workflow: more is a data error, not a procedure


def too_many_steps() -> str:
    return _("Một trường hợp có tối đa %(n)s bước.") % {"n": MAX_STEPS}

def section_url(code: str, section: str) -> str:
    if section == "chung-thu":
        return ""
    if section == "muc-do":
        return f"{ADMIN_ROOT}thu-tuc/{code}/muc-do/"
    return f"{ADMIN_ROOT}thu-tuc/{code}/ban-nhap/{section}/"


@dataclass(frozen=True)
class Problem:
    """One thing to fix before publishing: where (section + object) and what."""

    section: str
    obj: str
    message: str
    code: str = ""  # the procedure code, for the link

    @property
    def section_label(self) -> str:
        return _(SECTION_LABELS.get(self.section, self.section))

    @property
    def url(self) -> str:
        return section_url(self.code, self.section) if self.code else ""

    def __str__(self) -> str:
        return f"{self.section_label} – {self.obj}: {self.message}"


def hours_text(hours: Decimal, daily: Decimal | None = None) -> str:
    """«12 giờ làm việc (1,5 ngày làm việc)» in words."""
    text = _("%(h)s giờ làm việc") % {"h": _number(hours)}
    if daily and hours and hours >= daily:
        text += " " + _("(%(d)s ngày làm việc)") % {"d": _number((hours / daily).quantize(Decimal("0.01")))}
    return text


# --- draft validation -------------------------------------------------------------------------


def _number(value: Any) -> str:
    """Decimal 1.50 -> «1,5»; 75000 -> «75.000» (Vietnamese separators)."""
    if value is None:
        return ""
    d = Decimal(str(value)).normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}".replace(",", ".")
    return f"{d:f}".replace(".", ",")


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def _loaded(version: ProcedureVersion) -> ProcedureVersion:
    """The version with everything validation and diff read, in a fixed number of queries."""
    return (
        ProcedureVersion.objects.select_related("procedure", "sector", "agency", "receiving_agency")
        .prefetch_related("cases__steps__agency", "components__form", "fees", "guides", "faqs")
        .get(pk=version.pk)
    )


def _eform_of(version: ProcedureVersion):
    from motcua.eforms.models import EForm

    return EForm.objects.filter(procedure_version_id=version.pk).select_related("component").first()


def validate_draft(version: ProcedureVersion, *, levels: bool = True) -> list[Problem]:
    """Every problem that stops this draft from being published (empty: it may be published).
    `levels=False` leaves out what the service level needs (`level_gaps`)."""
    version = _loaded(version)
    code = version.procedure.code
    problems: list[Problem] = []

    def add(section: str, obj: str, message: str) -> None:
        problems.append(Problem(section, obj, message, code))

    # General information.
    general = _("Thông tin chung")
    if _blank(version.name):
        add("chung", general, _("Chưa có tên thủ tục."))
    if not (version.for_citizens or version.for_businesses):
        add("chung", general, _("Chưa chọn đối tượng thực hiện (công dân hoặc tổ chức, doanh nghiệp)."))
    today = timezone.localdate()
    for label, agency in ((_("Cơ quan thực hiện"), version.agency),
                          (_("Nơi tiếp nhận"), version.receiving_agency)):
        if agency is not None and not agency.is_active(today):
            add("chung", general, _("%(what)s «%(name)s» đã ngừng hoạt động; chọn cơ quan đang hoạt động.")
                % {"what": label, "name": agency.name})

    # Cases and their workflows.
    cases = list(version.cases.all())
    if not cases:
        add("truong-hop", _("Trường hợp giải quyết"), _("Cần ít nhất một trường hợp giải quyết có thời hạn."))
    calendars: dict = {}
    roles = {r.value for r in Role}
    for i, case in enumerate(cases, 1):
        obj = _("Trường hợp %(n)s «%(name)s»") % {"n": i, "name": case.name or EMPTY}
        if _blank(case.name):
            add("truong-hop", obj, _("Chưa có tên trường hợp."))
        if case.time_unit not in TimeUnit.values:
            add("truong-hop", obj, _("Đơn vị thời hạn không hợp lệ."))
        if case.time_amount is None or case.time_amount <= 0:
            add("truong-hop", obj, _("Thời hạn giải quyết phải lớn hơn 0."))
        steps = list(case.steps.all())
        if not steps:
            add("quy-trinh", obj, _("Chưa có bước xử lý nào trong quy trình."))
            continue
        if len(steps) > MAX_STEPS:
            add("quy-trinh", obj, too_many_steps())
        for j, step in enumerate(steps, 1):
            sobj = _("%(case)s, bước %(n)s «%(name)s»") % {"case": obj, "n": j, "name": step.name or EMPTY}
            if _blank(step.name):
                add("quy-trinh", sobj, _("Chưa có tên bước."))
            if step.role not in roles:
                add("quy-trinh", sobj, _("Chưa chọn vai trò thực hiện bước."))
            if step.quota_hours is None or step.quota_hours < 0:
                add("quy-trinh", sobj, _("Thời gian định mức không được âm."))
            if step.agency_id is not None and (step.agency is None or not step.agency.is_active(today)):
                add("quy-trinh", sobj, _("Cơ quan thực hiện bước liên thông không còn hoạt động; chọn cơ quan khác."))
        if sum(1 for step in steps if step.approval) > 1:
            add("quy-trinh", obj, _("Quy trình chỉ được có một bước ký duyệt."))
        if case.time_amount and case.time_amount > 0:
            agency_id = version.receiving_agency_id
            if agency_id not in calendars:
                calendars[agency_id] = budget_rules.case_calendar(case)
            budget = budget_rules.case_budget(case, steps, calendars[agency_id])
            if budget.over:
                add("quy-trinh", obj, _(
                    "Tổng định mức các bước là %(used)s, vượt thời hạn giải quyết %(legal)s "
                    "(%(amount)s %(unit)s) là %(over)s; hãy rút ngắn định mức một số bước."
                ) % {
                    "used": hours_text(budget.used, budget.daily),
                    "legal": hours_text(budget.legal, budget.daily),
                    "amount": case.time_amount_display, "unit": case.get_time_unit_display(),
                    "over": hours_text(budget.overrun, budget.daily),
                })

    # Components.
    components = list(version.components.all())
    papers = set(PaperKind.values)
    for i, component in enumerate(components, 1):
        obj = _("Thành phần %(n)s «%(name)s»") % {"n": i, "name": (component.name or EMPTY)[:120]}
        if _blank(component.name):
            add("thanh-phan", obj, _("Chưa có tên giấy tờ."))
        if component.paper not in papers:
            add("thanh-phan", obj, _("Loại bản không hợp lệ."))
        if not 1 <= (component.copies or 0) <= 99:
            add("thanh-phan", obj, _("Số lượng bản phải từ 1 đến 99."))
        if not [t for t in (component.accepted_types or "").split(",") if t.strip()]:
            add("thanh-phan", obj, _("Chưa ghi loại tệp được nộp trực tuyến (ví dụ pdf,jpg)."))

    # Fees, guides, FAQ.
    for i, fee in enumerate(version.fees.all(), 1):
        obj = _("Khoản phí %(n)s «%(name)s»") % {"n": i, "name": fee.name or EMPTY}
        if _blank(fee.name):
            add("le-phi", obj, _("Chưa có tên khoản phí, lệ phí."))
        if fee.amount_vnd is None or fee.amount_vnd < 0:
            add("le-phi", obj, _("Mức thu không được âm."))
        else:
            for problem in fee_problems(Rule.of(fee)):
                add("le-phi", obj, problem)
    for i, guide in enumerate(version.guides.all(), 1):
        if _blank(guide.title):
            add("huong-dan", _("Hướng dẫn %(n)s") % {"n": i}, _("Chưa có tiêu đề."))
    for i, faq in enumerate(version.faqs.all(), 1):
        obj = _("Câu hỏi %(n)s") % {"n": i}
        if _blank(faq.question):
            add("hoi-dap", obj, _("Chưa có câu hỏi."))
        if _blank(faq.answer):
            add("hoi-dap", obj, _("Chưa có câu trả lời."))

    # The e-form.
    eform = _eform_of(version)
    if eform is not None:
        from motcua.eforms.schema import validate_schema

        obj = _("Biểu mẫu «%(t)s»") % {"t": eform.title or EMPTY}
        if _blank(eform.title):
            add("bieu-mau", obj, _("Chưa có tên tờ khai."))
        for message in validate_schema(eform.schema):
            add("bieu-mau", obj, message)
        if eform.component_id and eform.component.version_id != version.pk:
            add("bieu-mau", obj, _("Thành phần hồ sơ mà tờ khai thay thế không thuộc bản nháp này; chọn lại."))

    # The service level.
    if levels:
        problems += level_gaps(version, version.level, _eform=eform)
    return problems


# --- service levels -----------------------------------------------------------------------------


def payment_configured() -> tuple[bool, str]:
    """(usable, note): whether online payment can be offered with this installation's settings.
    Payments are configured for the whole installation (MOTCUA_PAYMENT_*), not per agency."""
    from motcua.payments import conf, providers

    name = conf.provider_name()
    if name not in providers.names():
        return False, _("Cổng thanh toán «%(p)s» trong cấu hình hệ thống không tồn tại.") % {"p": name}
    if name == "sandbox":
        return True, _("Hệ thống đang dùng cổng thanh toán thử nghiệm (không có tiền thật); "
                       "quản trị hệ thống cần cấu hình cổng thật trước khi vận hành.")
    if not conf.setting("MOTCUA_PAYMENT_HASH_SECRET"):
        return False, _("Cổng thanh toán «%(p)s» chưa có khóa bí mật (MOTCUA_PAYMENT_HASH_SECRET); "
                        "liên hệ quản trị hệ thống.") % {"p": name}
    return True, ""


def signing_certificate(version: ProcedureVersion):
    """A usable signing certificate of the agency that signs this version's results, or None."""
    from motcua.signing.certificates import usable

    for agency_id in dict.fromkeys([version.agency_id, version.receiving_agency_id]):
        certificate = usable(agency_id).first()
        if certificate is not None:
            return certificate
    return None


_UNSET = object()


def level_gaps(version: ProcedureVersion, target: int, *, _eform: Any = _UNSET) -> list[Problem]:
    """What this version lacks for service level `target`, as problems linking to the fix.
    Level 3 needs components (at least one, every required one named) and an e-form; level 4
    also a payment configuration when the procedure has fees above 0 and a signing certificate
    of its agency. Levels 1 and 2 need nothing beyond a valid draft."""
    code = version.procedure.code
    gaps: list[Problem] = []
    obj = _("Mức độ %(n)s") % {"n": target}
    if target >= ServiceLevel.PARTLY_ONLINE:
        components: list[Component] = list(version.components.all())
        if not components:
            gaps.append(Problem("thanh-phan", obj, _("Cần ít nhất một thành phần hồ sơ để người dân nộp trực tuyến."),
                                code))
        unnamed = [i for i, c in enumerate(components, 1) if c.required and _blank(c.name)]
        if unnamed:
            gaps.append(Problem("thanh-phan", obj, _("Thành phần bắt buộc số %(n)s chưa có tên.")
                                % {"n": ", ".join(map(str, unnamed))}, code))
        eform = _eform_of(version) if _eform is _UNSET else _eform
        if eform is None or not eform.schema:
            gaps.append(Problem("bieu-mau", obj, _("Cần biểu mẫu điện tử (tờ khai trực tuyến) có ít nhất một trường."),
                                code))
    if target >= ServiceLevel.FULLY_ONLINE:
        if any(f.amount_vnd and f.amount_vnd > 0 for f in version.fees.all()):
            ok, note = payment_configured()
            if not ok:
                gaps.append(Problem("le-phi", obj, _("Thủ tục có thu phí nhưng chưa cấu hình thanh toán trực tuyến: ")
                                    + note, code))
        if signing_certificate(version) is None:
            gaps.append(Problem("chung-thu", obj, _(
                "Cơ quan «%(a)s» chưa có chứng thư số còn hiệu lực để ký kết quả điện tử; "
                "liên hệ quản trị hệ thống để đăng ký chứng thư của cơ quan."
            ) % {"a": version.agency.name}, code))
    return gaps


def level_requirements(version: ProcedureVersion, target: int) -> list[str]:
    """What is missing for service level `target`, in words (empty: nothing is missing)."""
    return [gap.message for gap in level_gaps(version, target)]
