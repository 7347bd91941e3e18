"""The readable difference between two versions of a procedure, for the check-and-publish page.
The rules that decide whether a draft may be published live in the catalogue
(`catalog.validation`, called by `catalog.actions.publish_draft`); this module only shows.

* ``diff_versions(old, new)`` -> per section, the items added, removed and changed, with each
  changed field's value before and after in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.catalog.models import Fee, PaperKind, ProcedureVersion, Role, ServiceLevel, TimeUnit
from motcua.catalog.validation import (  # noqa: F401 (the check page's vocabulary)
    EMPTY,
    SECTION_LABELS,
    Problem,
    _eform_of,
    _loaded,
    _number,
    level_gaps,
    level_requirements,
    payment_configured,
    signing_certificate,
    validate_draft,
)
from motcua.core.money import vnd

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


@dataclass(frozen=True)
class FileRef:
    """A file as the diff compares it (`key`: which stored file) and names it (`name`: the file's name
    as people know it, never its storage path, id or hash)."""

    key: Any
    name: str


NO_FILE = FileRef(None, "")


def _file_name(value: FileRef) -> str:
    return value.name or _(EMPTY)


def _form_file(component) -> FileRef:
    if not component.form_id:
        return NO_FILE
    return FileRef(component.form_id, component.form.filename)


def _video_file(guide) -> FileRef:
    if not guide.video:
        return NO_FILE
    return FileRef(guide.video.name, guide.video_name or _("tệp video đã tải lên"))


def _money(value: Any) -> str:
    return _("Miễn phí") if not value else _("%(v)s đồng") % {"v": vnd(value, unit="")}


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
    (gettext_noop("Bước ký duyệt"), lambda s: bool(s.approval), _yes_no),
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
    (gettext_noop("Mẫu đơn, tờ khai"), _form_file, _file_name),
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
    (gettext_noop("Tệp video"), _video_file, _file_name),
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
            before, after = words(a), words(b)
            if before == after:  # another file of the same name
                after = _("%(name)s (tệp mới, cùng tên)") % {"name": after}
            out.append(FieldChange(_(label), before, after))
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
