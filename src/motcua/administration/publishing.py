"""Checking a draft before it is published, the readable difference between two versions, and
what a service level needs. Plain Python over the catalogue (no HTTP); views stay thin.

* ``validate_draft(version)`` -> every problem of the whole draft, each naming the section, the
  object and what is wrong, in Vietnamese, with the address of the section that fixes it;
* the workflow's time budget uses the workflow editor's rule (``budget.py``: legal time in working
  hours on the receiving agency's calendar), so the editor and publishing never disagree;
* ``diff_versions(old, new)`` -> per section, the items added, removed and changed, with each
  changed field's value before and after in words;
* ``level_requirements(version, target)`` -> what is missing for a service level (words);
  ``level_gaps`` gives the same as problems with links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.catalog.models import (
    Component,
    Fee,
    PaperKind,
    ProcedureVersion,
    Role,
    ServiceLevel,
    TimeUnit,
)

from . import budget as budget_rules

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


def validate_draft(version: ProcedureVersion) -> list[Problem]:
    """Every problem that stops this draft from being published (empty: it may be published)."""
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
    for gap in level_gaps(version, version.level, _eform=eform):
        problems.append(gap)
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


# --- readable difference -------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ItemChange:
    kind: str  # "added" | "removed" | "changed"
    label: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"added": _("Thêm"), "removed": _("Bỏ"), "changed": _("Sửa")}[self.kind]


@dataclass
class SectionDiff:
    section: str
    label: str
    changes: list[ItemChange] = field(default_factory=list)


def _yes_no(value: Any) -> str:
    return _("Có") if value else _("Không")


def _text(value: Any) -> str:
    if value is None or value == "":
        return _(EMPTY)
    return str(value)


def _choice(choices) -> Callable[[Any], str]:
    labels = dict(choices)
    return lambda v: str(labels.get(v, v)) if v not in (None, "") else _(EMPTY)


def _agency(agency) -> str:
    return agency.name if agency is not None else _("Cơ quan thực hiện thủ tục")


def _money(value: Any) -> str:
    return _("Miễn phí") if not value else _("%(v)s đồng") % {"v": _number(value)}


# (label, how to read the field from an object, how to put the value in words)
Reader = tuple[str, Callable[[Any], Any], Callable[[Any], str]]

GENERAL_FIELDS: list[Reader] = [
    (gettext_noop("Tên thủ tục"), lambda v: v.name, _text),
    (gettext_noop("Lĩnh vực"), lambda v: v.sector.name if v.sector_id else "", _text),
    (gettext_noop("Cơ quan thực hiện"), lambda v: v.agency.name, _text),
    (gettext_noop("Nơi tiếp nhận"), lambda v: v.receiving_agency.name, _text),
    (gettext_noop("Mức độ dịch vụ"), lambda v: v.level, _choice(ServiceLevel.choices)),
    (gettext_noop("Mã dịch vụ công"), lambda v: v.public_service_code, _text),
    (gettext_noop("Dành cho công dân"), lambda v: v.for_citizens, _yes_no),
    (gettext_noop("Dành cho tổ chức, doanh nghiệp"), lambda v: v.for_businesses, _yes_no),
    (gettext_noop("Căn cứ pháp lý"), lambda v: v.legal_basis.strip(), _text),
    (gettext_noop("Yêu cầu, điều kiện"), lambda v: v.requirements.strip(), _text),
    (gettext_noop("Kết quả"), lambda v: v.result.strip(), _text),
    (gettext_noop("Cách thức thực hiện"), lambda v: v.how_to_submit.strip(), _text),
]
CASE_FIELDS: list[Reader] = [
    (gettext_noop("Tên trường hợp"), lambda c: c.name, _text),
    (gettext_noop("Thời hạn giải quyết"), lambda c: (Decimal(c.time_amount).normalize(), c.time_unit),
     lambda v: f"{_number(v[0])} {dict(TimeUnit.choices).get(v[1], v[1])}"),
    (gettext_noop("Giờ chốt tiếp nhận"), lambda c: c.cutoff_time, lambda v: v.strftime("%H:%M") if v else _(EMPTY)),
]
STEP_FIELDS: list[Reader] = [
    (gettext_noop("Tên bước"), lambda s: s.name, _text),
    (gettext_noop("Vai trò thực hiện"), lambda s: s.role, _choice(Role.choices)),
    (gettext_noop("Cơ quan thực hiện bước"), lambda s: s.agency, _agency),
    (gettext_noop("Thời gian định mức"), lambda s: Decimal(s.quota_hours).normalize(),
     lambda v: _("%(h)s giờ làm việc") % {"h": _number(v)}),
]
COMPONENT_FIELDS: list[Reader] = [
    (gettext_noop("Tên giấy tờ"), lambda c: c.name, _text),
    (gettext_noop("Loại bản"), lambda c: c.paper, _choice(PaperKind.choices)),
    (gettext_noop("Số lượng"), lambda c: c.copies, _text),
    (gettext_noop("Bắt buộc"), lambda c: c.required, _yes_no),
    (gettext_noop("Loại tệp nhận"), lambda c: c.accepted_types, _text),
    (gettext_noop("Hướng dẫn"), lambda c: c.help_text.strip(), _text),
    (gettext_noop("Mẫu đơn, tờ khai"), lambda c: (c.form.filename if c.form_id else ""), _text),
]
FEE_FIELDS: list[Reader] = [
    (gettext_noop("Tên phí, lệ phí"), lambda f: f.name, _text),
    (gettext_noop("Mức thu"), lambda f: f.amount_vnd, _money),
    (gettext_noop("Ghi chú"), lambda f: f.note.strip(), _text),
    (gettext_noop("Thời điểm thu"), lambda f: f.collected, _choice(Fee.When.choices)),
]
GUIDE_FIELDS: list[Reader] = [
    (gettext_noop("Tiêu đề"), lambda g: g.title, _text),
    (gettext_noop("Nội dung"), lambda g: g.body.strip(), _text),
    (gettext_noop("Tệp video"), lambda g: g.video.name if g.video else "", _text),
    (gettext_noop("Đường dẫn video"), lambda g: g.video_url, _text),
]
FAQ_FIELDS: list[Reader] = [
    (gettext_noop("Câu hỏi"), lambda q: q.question, _text),
    (gettext_noop("Trả lời"), lambda q: q.answer.strip(), _text),
]


def _field_changes(old: Any, new: Any, readers: Iterable[Reader]) -> list[FieldChange]:
    out = []
    for label, read, words in readers:
        a, b = read(old), read(new)
        if a != b:
            out.append(FieldChange(_(label), words(a), words(b)))
    return out


def _pair(olds: list, news: list, key: Callable[[Any], Any]) -> tuple[list[tuple[Any, Any]], list, list]:
    """Match items of two lists: same key first (in order), then what is left by position.
    Returns (pairs, removed, added)."""
    pairs: list[tuple[Any, Any]] = []
    free_new = list(range(len(news)))
    unmatched_old = []
    for o in olds:
        k = key(o)
        hit = next((j for j in free_new if key(news[j]) == k), None)
        if hit is None:
            unmatched_old.append(o)
        else:
            pairs.append((o, news[hit]))
            free_new.remove(hit)
    left_new = [news[j] for j in free_new]
    # What is left pairs by position among the leftovers (a renamed item is a change, not a swap).
    n = min(len(unmatched_old), len(left_new))
    pairs += list(zip(unmatched_old[:n], left_new[:n], strict=True))
    return pairs, unmatched_old[n:], left_new[n:]


def _moved(pairs: list[tuple[Any, Any]], olds: list, news: list) -> set[int]:
    """Indexes in `pairs` whose position among the matched items changed (a reorder)."""
    old_pos = {id(o): i for i, o in enumerate(olds)}
    new_pos = {id(n): i for i, n in enumerate(news)}
    by_old = sorted(range(len(pairs)), key=lambda i: old_pos[id(pairs[i][0])])
    by_new = sorted(range(len(pairs)), key=lambda i: new_pos[id(pairs[i][1])])
    rank_old = {p: r for r, p in enumerate(by_old)}
    rank_new = {p: r for r, p in enumerate(by_new)}
    return {p for p in rank_old if rank_old[p] != rank_new[p]}


def _list_diff(olds: list, news: list, readers: list[Reader], noun: str, name: Callable[[Any], str],
               key: Callable[[Any], Any] | None = None, where: str = "") -> list[ItemChange]:
    """Added, removed and changed items; `noun` «name»`where` labels each (where: «(trường hợp X)»).
    An added item lists its filled-in fields only."""
    key = key or name
    pairs, removed, added = _pair(olds, news, key)
    moved = _moved(pairs, olds, news)
    changes = []
    new_index = {id(n): i for i, n in enumerate(news)}
    old_pos = {id(o): i for i, o in enumerate(olds)}

    def label(item) -> str:
        return f"{noun} «{name(item)}»{where}"

    for i in sorted(range(len(pairs)), key=lambda i: new_index[id(pairs[i][1])]):
        o, n = pairs[i]
        fields = _field_changes(o, n, readers)
        if i in moved:
            fields.append(FieldChange(_("Vị trí"), _("thứ %(n)s") % {"n": old_pos[id(o)] + 1},
                                      _("thứ %(n)s") % {"n": new_index[id(n)] + 1}))
        if fields:
            changes.append(ItemChange("changed", label(n), fields))
    empty = {_(EMPTY)}
    for n in added:
        fields = [FieldChange(_(lbl), "", words(read(n))) for lbl, read, words in readers]
        changes.append(ItemChange("added", label(n), [f for f in fields if f.after not in empty]))
    for o in removed:
        changes.append(ItemChange("removed", label(o)))
    return changes


def _eform_fields(eform) -> list[dict]:
    if eform is None or not isinstance(eform.schema, list):
        return []
    return [f for f in eform.schema if isinstance(f, dict)]


def _schema_words(spec: dict) -> list[Reader]:
    from motcua.eforms.schema import TYPE_LABELS

    def rules(s: dict) -> str:
        v = s.get("validation") or {}
        return ", ".join(f"{k} = {v[k]}" for k in sorted(v)) if isinstance(v, dict) else str(v)

    def show_if(s: dict) -> str:
        cond = s.get("show_if")
        if not isinstance(cond, dict):
            return ""
        return _("hiện khi «%(f)s» = %(v)s") % {"f": cond.get("field", ""), "v": cond.get("equals", cond)}

    def listed(value: Any) -> list[dict]:
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

    def choices(s: dict) -> str:
        return "; ".join(str(c.get("label", c.get("value"))) for c in listed(s.get("choices")))

    def pdf(s: dict) -> str:
        p = s.get("pdf")
        if not isinstance(p, dict):
            return ""
        parts = [str(p[k]) for k in ("section", "label") if p.get(k)]
        if "order" in p:
            parts.append(_("thứ tự %(n)s") % {"n": p["order"]})
        return ", ".join(parts)

    def sub_fields(s: dict) -> str:
        return ", ".join(str(f.get("label") or f.get("key")) for f in listed(s.get("fields")))

    return [
        (gettext_noop("Nhãn"), lambda s: s.get("label", ""), _text),
        (gettext_noop("Kiểu"), lambda s: s.get("type", ""),
         lambda v: (TYPE_LABELS.get(v, v) if isinstance(v, str) else str(v)) or _(EMPTY)),
        (gettext_noop("Bắt buộc"), lambda s: bool(s.get("required")), _yes_no),
        (gettext_noop("Hướng dẫn"), lambda s: s.get("help", ""), _text),
        (gettext_noop("Kiểm tra"), rules, _text),
        (gettext_noop("Điều kiện hiển thị"), show_if, _text),
        (gettext_noop("Lựa chọn"), choices, _text),
        (gettext_noop("Các cột"), sub_fields, _text),
        (gettext_noop("Vị trí trên tờ khai PDF"), pdf, _text),
        (gettext_noop("Điền sẵn từ"), lambda s: s.get("prefill", ""), _text),
    ]


def _eform_diff(old_form, new_form) -> list[ItemChange]:
    changes: list[ItemChange] = []
    if old_form is None and new_form is None:
        return changes
    form_readers: list[Reader] = [
        (gettext_noop("Tên tờ khai"), lambda e: e.title if e else "", _text),
        (gettext_noop("Thành phần hồ sơ thay thế"), lambda e: e.component.name if e and e.component_id else "", _text),
    ]
    if old_form is None:
        changes.append(ItemChange("added", _("Biểu mẫu «%(t)s»") % {"t": new_form.title},
                                  _field_changes(None, new_form, form_readers)))
    elif new_form is None:
        changes.append(ItemChange("removed", _("Biểu mẫu «%(t)s»") % {"t": old_form.title}))
        return changes
    else:
        fields = _field_changes(old_form, new_form, form_readers)
        if fields:
            changes.append(ItemChange("changed", _("Biểu mẫu «%(t)s»") % {"t": new_form.title}, fields))
    olds, news = _eform_fields(old_form), _eform_fields(new_form)
    readers = _schema_words({})

    def name(s: dict) -> str:
        return f"{s.get('label') or s.get('key')} ({s.get('key')})"

    changes += _list_diff(olds, news, readers, _("Trường"), name, key=lambda s: s.get("key"))
    return changes


def diff_versions(old: ProcedureVersion | None, new: ProcedureVersion) -> list[SectionDiff]:
    """What `new` changes against `old`, section by section (only sections with changes).
    With no `old` (a first version) every item is listed as added."""
    new = _loaded(new)
    old = _loaded(old) if old is not None else None
    sections: list[SectionDiff] = []

    def section(key: str, changes: list[ItemChange]) -> None:
        if changes:
            sections.append(SectionDiff(key, _(SECTION_LABELS[key]), changes))

    if old is None:
        section("chung", [ItemChange("added", _("Thông tin chung"),
                                     [FieldChange(_(lbl), "", w(r(new))) for lbl, r, w in GENERAL_FIELDS])])
    else:
        fields = _field_changes(old, new, GENERAL_FIELDS)
        section("chung", [ItemChange("changed", _("Thông tin chung"), fields)] if fields else [])

    old_cases = list(old.cases.all()) if old else []
    new_cases = list(new.cases.all())
    section("truong-hop", _list_diff(old_cases, new_cases, CASE_FIELDS, _("Trường hợp"), lambda c: c.name))
    section("thanh-phan", _list_diff(list(old.components.all()) if old else [], list(new.components.all()),
                                     COMPONENT_FIELDS, _("Thành phần"), lambda c: c.name))
    section("le-phi", _list_diff(list(old.fees.all()) if old else [], list(new.fees.all()),
                                 FEE_FIELDS, _("Khoản phí"), lambda f: f.name))
    section("huong-dan", _list_diff(list(old.guides.all()) if old else [], list(new.guides.all()),
                                    GUIDE_FIELDS, _("Hướng dẫn"), lambda g: g.title))
    section("hoi-dap", _list_diff(list(old.faqs.all()) if old else [], list(new.faqs.all()),
                                  FAQ_FIELDS, _("Câu hỏi"), lambda q: q.question))
    section("bieu-mau", _eform_diff(_eform_of(old) if old else None, _eform_of(new)))
    # Workflow steps, per case (cases paired as above); removed cases took their steps with them.
    pairs, _removed, added = _pair(old_cases, new_cases, lambda c: c.name)
    steps: list[ItemChange] = []
    for o, n in [*pairs, *((None, n) for n in added)]:
        where = " " + _("(trường hợp «%(c)s»)") % {"c": n.name}
        steps += _list_diff(list(o.steps.all()) if o else [], list(n.steps.all()), STEP_FIELDS, _("Bước"),
                            lambda s: s.name, where=where)
    section("quy-trinh", steps)
    return sections


def base_version(version: ProcedureVersion) -> ProcedureVersion | None:
    """The version a draft is compared with: the published one, else the newest before it."""
    procedure = version.procedure
    if procedure.published_id and procedure.published_id != version.pk:
        return procedure.published
    return (procedure.versions.exclude(pk=version.pk).filter(number__lt=version.number)
            .order_by("-number").first())
