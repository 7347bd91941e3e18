"""Operations on an e-form schema for the no-code builder: plain data in, a new schema out (no database;
`eforms.actions` runs them on the locked draft and saves the result).

Every operation copies the schema (the argument is never changed), applies one edit and checks the
result with ``eforms.schema.validate_schema``; it raises ``EditError`` with the problems the edit
would add (problems the schema already had, e.g. from an old import, never block an unrelated edit).
``parent`` names a repeat field ("Bảng nhiều dòng") to work on its sub-fields instead of the
top level.

    schema = add_field(schema, compose("text", label="Họ và tên", key="ho_ten", required=True))
    schema = move_field(schema, "ho_ten", -1)
    schema = remove_field(schema, "ho_ten")   # refused while another field's show_if uses it
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.core.text import fold
from motcua.eforms import patterns
from motcua.eforms.schema import KEY_RE, RULES, TYPE_LABELS, choices_of, display_value, validate_schema

CHOICE_TYPES = ("choice", "multi_choice")
# What a show_if may compare with: a field whose answer is one value (not a table, not an address).
CONDITION_TYPES = ("text", "number", "date", "choice", "multi_choice", "yes_no", "id_number", "phone", "email")
YES_WORDS = {"co", "yes", "true", "1", "dung"}
NO_WORDS = {"khong", "no", "false", "0", "sai"}


class EditError(DomainError, ValueError):
    """The edit cannot be made; `problems` lists why (Vietnamese, each naming the field). `field` is the
    input of the builder's field form the problem is about ("key", "show_if_field"…), None when it is
    about the form as a whole."""

    def __init__(self, problems: list[str], *, field: str | None = None):
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.field = field


# --- reading --------------------------------------------------------------------------------------


def level(schema: list, parent: str | None = None) -> list:
    """The list of fields at the top level, or the sub-fields of the repeat `parent` (the list itself,
    so the operations below, which work on a copy, can change it in place)."""
    if not parent:
        return schema
    spec = find(schema, parent)
    if spec is None or spec.get("type") != "repeat":
        raise EditError([_("Không có bảng nhiều dòng «%(k)s» trong biểu mẫu.") % {"k": parent}])
    if not isinstance(spec.get("fields"), list):
        return []
    return spec["fields"]


def find(schema: Iterable, key: str, parent: str | None = None) -> dict | None:
    specs = level(list(schema), parent) if parent else schema
    return next((s for s in specs if isinstance(s, Mapping) and s.get("key") == key), None)


def _index(specs: list, key: str) -> int:
    for i, spec in enumerate(specs):
        if isinstance(spec, Mapping) and spec.get("key") == key:
            return i
    raise EditError([_("Không có trường «%(k)s» trong biểu mẫu (có thể đã bị xóa); hãy tải lại trang.") % {"k": key}])


def label_of(spec: Mapping) -> str:
    return str(spec.get("label") or spec.get("key") or "")


# The keys of a field spec that name another field of its level (a condition, a copied address).
REFERENCES = ("show_if", "prefill_if", "same_as")


def dependents(schema: list, key: str, parent: str | None = None) -> list[dict]:
    """The fields (same level) that refer to `key`: shown, prefilled or copied depending on it."""
    return [s for s in level(schema, parent) if isinstance(s, Mapping)
            and any(isinstance(s.get(ref), Mapping) and s[ref].get("field") == key for ref in REFERENCES)]


def condition_candidates(schema: list, key: str | None, parent: str | None = None,
                         before: str | None = None) -> list[dict]:
    """The fields a show_if of `key` may depend on: the earlier fields of its level whose answer is one
    value (for a new field: all of them when it is added at the end, those before `before` when it is
    inserted there)."""
    out = []
    stop = key if key is not None else before
    for spec in level(schema, parent):
        if not isinstance(spec, Mapping):
            continue
        if stop is not None and spec.get("key") == stop:
            break
        if spec.get("type") in CONDITION_TYPES:
            out.append(spec)
    return out


def condition_text(schema: list, spec: Mapping, parent: str | None = None) -> str:
    """"Chỉ hiện khi «Có cha» là «Có»" for a field with a show_if; "" otherwise."""
    cond = spec.get("show_if")
    if not isinstance(cond, Mapping):
        return ""
    try:
        target = find(schema, str(cond.get("field")), parent)
    except EditError:
        target = None
    wanted = cond.get("in") if isinstance(cond.get("in"), list) else [cond.get("equals")]
    name = label_of(target) if target else str(cond.get("field"))
    values = " hoặc ".join(f"«{display_value(target, w) if target else w}»" for w in wanted)
    return _("Chỉ hiện khi «%(f)s» là %(v)s") % {"f": name, "v": values}


def sections(schema: list) -> list[str]:
    """The PDF sections already used, in order (for the section picker)."""
    out: list[str] = []
    for spec in schema:
        pdf = spec.get("pdf") if isinstance(spec, Mapping) else None
        title = pdf.get("section") if isinstance(pdf, Mapping) else None
        if isinstance(title, str) and title and title not in out:
            out.append(title)
    return out


# --- keys -------------------------------------------------------------------------------------------


def suggest_key(label: str, taken: Iterable[str] = ()) -> str:
    """An ascii snake_case key from a label ("Họ, chữ đệm, tên" -> "ho_chu_dem_ten"), unique among `taken`
    (a number is added: "ho_ten_2")."""
    base = "_".join(fold(label).split())[:40].strip("_")
    if not base or not base[0].isalpha():
        base = f"truong_{base}" if base else "truong"
    base = base[:40].rstrip("_")
    taken = set(taken)
    key, n = base, 2
    while key in taken:
        key = f"{base}_{n}"
        n += 1
    return key


def key_problem(key: str, taken: Mapping[str, Mapping] | Iterable[str]) -> str | None:
    """Why `key` cannot be used (bad form, or a duplicate naming the field that has it); None when it can."""
    if not KEY_RE.match(key or ""):
        return _("Mã trường «%(k)s» không hợp lệ: bắt đầu bằng chữ thường, chỉ gồm a-z, 0-9 và dấu _, "
                 "tối đa 50 ký tự.") % {"k": key}
    if key in taken:
        other = taken[key] if isinstance(taken, Mapping) else None
        if other is not None:
            return _("Mã trường «%(k)s» đã được dùng cho trường «%(f)s»; hãy chọn mã khác.") % {
                "k": key, "f": label_of(other)}
        return _("Mã trường «%(k)s» đã được dùng; hãy chọn mã khác.") % {"k": key}
    return None


def pattern_problem(pattern: str) -> str | None:
    """The error of a regular expression as the admin typed it; None when it compiles."""
    problem = patterns.problem(pattern)
    if problem is not None:
        return _("Biểu thức kiểm tra «%(p)s» bị lỗi: %(e)s.") % {"p": pattern[:80], "e": problem}
    return None


# --- composing a field ---------------------------------------------------------------------------


def show_if_value(target: Mapping, raw: Any) -> Any:
    """The value a show_if compares with, from what the admin typed: True/False for a yes/no field,
    the choice's value (typed as its value or its label) for a choice field, the text otherwise."""
    text = str(raw if raw is not None else "").strip()
    kind = target.get("type")
    if kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        folded = fold(text)
        if folded in YES_WORDS:
            return True
        if folded in NO_WORDS:
            return False
        raise EditError([_("Điều kiện hiện: trường «%(f)s» là Có/Không; hãy ghi «Có» hoặc «Không».")
                         % {"f": label_of(target)}], field="show_if_value")
    if kind in CHOICE_TYPES:
        pairs = choices_of(target)
        for value, _label in pairs:
            if text == value:
                return value
        for value, label in pairs:
            if fold(text) and fold(text) in (fold(value), fold(label)):
                return value
        raise EditError([_("Điều kiện hiện: «%(v)s» không phải lựa chọn của «%(f)s» (các lựa chọn: %(all)s).")
                         % {"v": text, "f": label_of(target), "all": ", ".join(label for _v, label in pairs)}],
                        field="show_if_value")
    if not text:
        raise EditError([_("Điều kiện hiện: hãy ghi giá trị của «%(f)s» làm trường này hiện ra.")
                         % {"f": label_of(target)}], field="show_if_value")
    return text


def compose(kind: str, *, label: str, key: str, required: bool = False, help: str = "",
            validation: Mapping | None = None, choices: Iterable[tuple[str, str]] = (), prefill: str = "",
            show_if: Mapping | None = None, pdf: Mapping | None = None, fields: list | None = None,
            default: Any = None) -> dict:
    """A field spec with only what is set (no empty help, no empty rules), in the schema's key order."""
    spec: dict[str, Any] = {"key": key, "label": label.strip(), "type": kind}
    if required:
        spec["required"] = True
    if help and help.strip():
        spec["help"] = help.strip()
    rules = {k: v for k, v in (validation or {}).items() if v not in (None, "")}
    if rules:
        spec["validation"] = rules
    if kind in CHOICE_TYPES:
        spec["choices"] = [{"value": v, "label": lbl or v} for v, lbl in choices]
    if prefill:
        spec["prefill"] = prefill
    if show_if:
        spec["show_if"] = dict(show_if)
    pdf = {k: v for k, v in (pdf or {}).items() if v not in (None, "")}
    if pdf:
        spec["pdf"] = pdf
    if kind == "repeat":
        spec["fields"] = copy.deepcopy(list(fields or []))
    if default is not None:
        spec["default"] = default
    return spec


def allowed_rules(kind: str) -> set[str]:
    return set(RULES.get(kind, set()))


def type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind)


# --- the operations ---------------------------------------------------------------------------------


def _checked(old: list, new: list) -> list:
    before = set(validate_schema(old))
    problems = [p for p in validate_schema(new) if p not in before]
    if problems:
        raise EditError(problems)
    return new


def _level_keys(specs: list) -> dict[str, Mapping]:
    return {s["key"]: s for s in specs if isinstance(s, Mapping) and isinstance(s.get("key"), str)}


def add_field(schema: list, spec: Mapping, *, parent: str | None = None, after: str | None = None,
              before: str | None = None) -> list:
    """A new schema with `spec` added at the end of its level (or right after the field `after`, or
    right before the field `before`: the builder's «Chèn trường trước …»)."""
    new = copy.deepcopy(list(schema))
    specs = level(new, parent)
    problem = key_problem(str(spec.get("key") or ""), _level_keys(specs))
    if problem:
        raise EditError([problem], field="key")
    if parent and spec.get("type") == "repeat":
        raise EditError([_("Bảng nhiều dòng không đặt trong bảng khác được.")])
    position = _index(specs, after) + 1 if after else _index(specs, before) if before else len(specs)
    specs.insert(position, copy.deepcopy(dict(spec)))
    return _checked(schema, new)


def update_field(schema: list, key: str, spec: Mapping, *, parent: str | None = None) -> list:
    """A new schema with the field `key` replaced by `spec`. Its type stays; a new key is carried over
    to the fields that refer to it (show_if, prefill_if, same_as); a repeat keeps its sub-fields
    unless `spec` has them."""
    new = copy.deepcopy(list(schema))
    specs = level(new, parent)
    index = _index(specs, key)
    old = specs[index]
    spec = copy.deepcopy(dict(spec))
    if spec.get("type") != old.get("type"):
        raise EditError([_("Không đổi được kiểu của trường «%(f)s»; hãy thêm trường mới với kiểu khác.")
                         % {"f": label_of(old)}])
    new_key = str(spec.get("key") or "")
    if new_key != key:
        others = {k: s for k, s in _level_keys(specs).items() if k != key}
        problem = key_problem(new_key, others)
        if problem:
            raise EditError([problem], field="key")
        for other in [*specs, spec]:
            for ref in REFERENCES:
                cond = other.get(ref) if isinstance(other, Mapping) else None
                if isinstance(cond, dict) and cond.get("field") == key:
                    cond["field"] = new_key
    if old.get("type") == "repeat" and not spec.get("fields"):
        spec["fields"] = copy.deepcopy(old.get("fields") or [])
    specs[index] = spec
    cond = spec.get("show_if")
    if isinstance(cond, Mapping) and cond != old.get("show_if"):
        earlier = {s.get("key") for s in specs[:index]}
        if cond.get("field") not in earlier:
            raise EditError([_("Điều kiện hiện của «%(f)s» chỉ dựa được vào một trường đứng trước nó.")
                             % {"f": label_of(spec)}], field="show_if_field")
    return _checked(schema, new)


def remove_field(schema: list, key: str, *, parent: str | None = None) -> list:
    """A new schema without the field `key`; refused while other fields refer to it (show_if,
    prefill_if, same_as: naming them), and for the last column of a table."""
    new = copy.deepcopy(list(schema))
    specs = level(new, parent)
    index = _index(specs, key)
    users = dependents(new, key, parent)
    if users:
        raise EditError([_("Không xóa được «%(f)s»: các trường %(d)s dựa vào câu trả lời của nó. "
                           "Hãy sửa hoặc xóa điều kiện của các trường đó trước.")
                         % {"f": label_of(specs[index]), "d": ", ".join(f"«{label_of(s)}»" for s in users)}])
    if parent and len(specs) == 1:
        raise EditError([_("Không xóa được cột cuối cùng của bảng «%(t)s»; hãy xóa cả bảng nếu không dùng nữa.")
                         % {"t": label_of(find(new, parent) or {})}])
    del specs[index]
    return _checked(schema, new)


def move_field(schema: list, key: str, offset: int, *, parent: str | None = None) -> list:
    """A new schema with the field `key` moved `offset` places (-1 up, +1 down), clamped to the level's
    ends. Refused when a field would come before the field its show_if depends on."""
    new = copy.deepcopy(list(schema))
    specs = level(new, parent)
    index = _index(specs, key)
    target = max(0, min(len(specs) - 1, index + offset))
    if target == index:
        return new
    spec = specs.pop(index)
    specs.insert(target, spec)
    for i, item in enumerate(specs):
        cond = item.get("show_if") if isinstance(item, Mapping) else None
        if not isinstance(cond, Mapping):
            continue
        earlier = {s.get("key") for s in specs[:i]}
        if cond.get("field") not in earlier and any(s.get("key") == cond.get("field") for s in specs):
            other = find(specs, cond.get("field"))
            raise EditError([_("Không chuyển được: «%(a)s» chỉ hiện theo câu trả lời của «%(b)s», nên phải đứng "
                               "sau «%(b)s».") % {"a": label_of(item), "b": label_of(other or {})}])
    return _checked(schema, new)


def summary_rows(schema: list, parent: str | None = None) -> list[dict]:
    """What the builder's list shows for each field of a level, in order."""
    specs = level(copy.deepcopy(list(schema)), parent)
    rows = []
    for i, spec in enumerate(specs):
        if not isinstance(spec, Mapping):
            continue
        pdf = spec.get("pdf") if isinstance(spec.get("pdf"), Mapping) else {}
        rows.append({
            "key": spec.get("key"), "label": label_of(spec), "type": spec.get("type"),
            "type_label": type_label(str(spec.get("type"))), "required": bool(spec.get("required")),
            "condition": condition_text(schema, spec, parent), "first": i == 0, "last": i == len(specs) - 1,
            "pdf_section": pdf.get("section", ""), "pdf_order": pdf.get("order", ""),
            "columns": [label_of(s) for s in spec.get("fields") or [] if isinstance(s, Mapping)],
        })
    return rows
