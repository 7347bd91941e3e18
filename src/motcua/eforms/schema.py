"""E-form schemas (biểu mẫu điện tử): check a schema, clean a citizen's answers, prefill, display.

Plain Python on plain data (no ORM, no HTTP), so the later admin builder, the catalogue import,
the wizard and the API all share one set of rules. A schema is a list of fields:

    {"key": "child_name", "label": "Họ, chữ đệm, tên của trẻ", "type": "text", "required": true,
     "help": "Viết in hoa có dấu", "validation": {"max_length": 100},
     "show_if": {"field": "has_father", "equals": true},
     "prefill": "profile.full_name",
     "pdf": {"section": "I. Thông tin của trẻ", "order": 10, "label": "Họ, chữ đệm, tên"}}

Two conveniences for forms that ask about several people:

* ``"prefill_if": {"field": "relationship", "equals": "me"}`` beside ``prefill``: the field is
  prefilled from the profile only when the requester says they are that person (the mother's
  name when the requester is the mother). Such a field does not name the applicant.
* ``"same_as": {"field": "requester_address", "label": "Giống nơi cư trú của người yêu cầu"}`` on
  an address: a tick box that copies that other address (``<key>-same`` in the answers); the
  label is optional.

Types: text, long_text, number, date, choice, multi_choice (with "choices": [{"value", "label"}]),
yes_no, id_number (CCCD, 12 digits), phone, email, address (province + commune from the address
list, and the house/street/hamlet as text), repeat (rows of "fields"). docs/eforms.md has the
whole reference.

`validate_schema(schema)` lists every problem (Vietnamese, naming the field);
`clean_data(schema, data)` returns (cleaned, errors): hidden fields (show_if) are neither
required nor kept; errors are keyed by the field's path ("children.0.name").
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.dates import parse_iso_date
from motcua.core.errors import DomainError

from . import patterns
from .addresses import AddressBook, address_book

logger = logging.getLogger(__name__)

TYPES = (
    "text", "long_text", "number", "date", "choice", "multi_choice", "yes_no",
    "id_number", "phone", "email", "address", "repeat",
)
TYPE_LABELS = {
    "text": "Văn bản một dòng", "long_text": "Văn bản nhiều dòng", "number": "Số", "date": "Ngày",
    "choice": "Chọn một", "multi_choice": "Chọn nhiều", "yes_no": "Có/Không",
    "id_number": "Số định danh cá nhân", "phone": "Số điện thoại", "email": "Thư điện tử",
    "address": "Địa chỉ (tỉnh, xã)", "repeat": "Bảng nhiều dòng",
}
PREFILL_SOURCES = (
    "profile.full_name", "profile.id_number", "profile.date_of_birth",
    "profile.address", "profile.phone", "profile.email", "profile.birth_year",
)
# The field types each prefill source may fill.
PREFILL_TYPES = {
    "profile.full_name": {"text"},
    "profile.id_number": {"id_number", "text"},
    "profile.date_of_birth": {"date", "text"},
    "profile.address": {"address", "text", "long_text"},
    "profile.phone": {"phone", "text"},
    "profile.email": {"email", "text"},
    "profile.birth_year": {"number", "text"},
}
# What the national identity sign-in proves about the person (accounts.oidc sets these).
IDENTITY_SOURCES = ("profile.full_name", "profile.id_number", "profile.date_of_birth", "profile.birth_year")
# The account field each of them reads (accounts.User.identity_fields names what the provider supplied).
IDENTITY_FIELD = {"profile.full_name": "full_name", "profile.id_number": "id_number",
                  "profile.date_of_birth": "date_of_birth", "profile.birth_year": "date_of_birth"}
FIELD_PROPS = {"key", "label", "type", "required", "help", "validation", "show_if", "prefill", "pdf",
               "choices", "fields", "default", "prefill_if", "same_as"}
TEXT_RULES = {"min_length", "max_length", "pattern", "pattern_message"}
RULES = {
    "text": TEXT_RULES, "long_text": TEXT_RULES, "id_number": {"pattern", "pattern_message"},
    "phone": set(), "email": set(), "number": {"min_value", "max_value", "integer"},
    "date": {"min_value", "max_value"}, "choice": set(), "multi_choice": {"min_items", "max_items"},
    "yes_no": set(), "address": set(), "repeat": {"min_rows", "max_rows"},
}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# Hard limits, whatever a schema says: they keep garbage cheap to refuse.
MAX_FIELDS = 200
MAX_TEXT = {"text": 500, "long_text": 5000}
DEFAULT_MAX_TEXT = {"text": 255, "long_text": 2000}
MAX_CHOICES = 300
MAX_ROWS = 50
DEFAULT_MAX_ROWS = 20
MAX_NUMBER = Decimal("1e12")
MAX_RAW_CHARS = 20_000
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")
ID_NUMBER_RE = re.compile(r"^\d{12}$")
MIN_YEAR, MAX_YEAR = 1900, 2100


class SchemaError(DomainError, ValueError):
    """A schema (or an imported e-form) cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --- reading a schema -------------------------------------------------------------------------


def choices_of(spec: Mapping) -> list[tuple[str, str]]:
    """(value, label) pairs; a plain string choice is its own label."""
    out = []
    for item in spec.get("choices") or []:
        if isinstance(item, Mapping):
            value = str(item.get("value", ""))
            out.append((value, str(item.get("label") or value)))
        else:
            out.append((str(item), str(item)))
    return out


def rules_of(spec: Mapping) -> Mapping:
    rules = spec.get("validation")
    return rules if isinstance(rules, Mapping) else {}


def pdf_of(spec: Mapping) -> Mapping:
    pdf = spec.get("pdf")
    return pdf if isinstance(pdf, Mapping) else {}


def section_of(spec: Mapping) -> str:
    return str(pdf_of(spec).get("section") or "")


def walk(schema: Iterable[Mapping]) -> Iterable[tuple[str, Mapping]]:
    """(path, field) for every field, sub-fields of repeats as "repeat.sub"."""
    for spec in schema:
        yield spec["key"], spec
        if spec.get("type") == "repeat":
            for sub in spec.get("fields") or []:
                yield f"{spec['key']}.{sub['key']}", sub


# --- checking a schema --------------------------------------------------------------------------


def _name(spec: Any, index: int, parent: str = "") -> str:
    where = f"«{parent}» › " if parent else ""
    if isinstance(spec, Mapping) and spec.get("label"):
        return f"{where}«{spec.get('label')}» ({spec.get('key', '?')})"
    if isinstance(spec, Mapping) and spec.get("key"):
        return f"{where}«{spec.get('key')}»"
    return f"{where}trường thứ {index + 1}"


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return (isinstance(value, int | float)) and not isinstance(value, bool)


def _date_rule(value: Any) -> dt.date | None:
    if value == "today":
        return timezone.localdate()
    return parse_iso_date(value) if isinstance(value, str) else None


def _check_rules(spec: Mapping, name: str, problems: list[str]) -> None:
    kind: Any = spec.get("type")  # a schema is JSON: checked here, not trusted
    raw = spec.get("validation")
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        problems.append(_("%(f)s: «validation» phải là một đối tượng.") % {"f": name})
        return
    allowed = RULES.get(kind, set())
    for rule in raw:
        if rule not in allowed:
            problems.append(
                _("%(f)s: quy tắc «%(r)s» không dùng được với kiểu «%(t)s» (dùng được: %(ok)s).")
                % {"f": name, "r": rule, "t": kind, "ok": ", ".join(sorted(allowed)) or "không có"}
            )
    for low, high in (("min_length", "max_length"), ("min_items", "max_items"), ("min_rows", "max_rows")):
        for rule in (low, high):
            if rule in raw and (not _is_int(raw[rule]) or raw[rule] < 0):
                problems.append(_("%(f)s: «%(r)s» phải là số nguyên không âm.") % {"f": name, "r": rule})
        if _is_int(raw.get(low)) and _is_int(raw.get(high)) and raw[low] > raw[high]:
            problems.append(
                _("%(f)s: «%(lo)s» (%(a)s) lớn hơn «%(hi)s» (%(b)s).")
                % {"f": name, "lo": low, "a": raw[low], "hi": high, "b": raw[high]}
            )
    if kind in MAX_TEXT and _is_int(raw.get("max_length")) and raw["max_length"] > MAX_TEXT[kind]:
        problems.append(_("%(f)s: «max_length» tối đa %(n)d ký tự.") % {"f": name, "n": MAX_TEXT[kind]})
    if kind == "repeat" and _is_int(raw.get("max_rows")) and raw["max_rows"] > MAX_ROWS:
        problems.append(_("%(f)s: «max_rows» tối đa %(n)d dòng.") % {"f": name, "n": MAX_ROWS})
    if kind == "number":
        for rule in ("min_value", "max_value"):
            if rule in raw and not _is_number(raw[rule]):
                problems.append(_("%(f)s: «%(r)s» phải là một số.") % {"f": name, "r": rule})
        if "integer" in raw and not isinstance(raw["integer"], bool):
            problems.append(_("%(f)s: «integer» phải là true hoặc false.") % {"f": name})
        if _is_number(raw.get("min_value")) and _is_number(raw.get("max_value")) \
                and raw["min_value"] > raw["max_value"]:
            problems.append(
                _("%(f)s: «min_value» (%(a)s) lớn hơn «max_value» (%(b)s).")
                % {"f": name, "a": raw["min_value"], "b": raw["max_value"]}
            )
    if kind == "date":
        for rule in ("min_value", "max_value"):
            if rule in raw and _date_rule(raw[rule]) is None:
                problems.append(
                    _("%(f)s: «%(r)s» phải là ngày dạng YYYY-MM-DD hoặc \"today\".") % {"f": name, "r": rule}
                )
        first, last = _date_rule(raw.get("min_value")), _date_rule(raw.get("max_value"))
        if first and last and first > last:
            problems.append(
                _("%(f)s: «min_value» (%(a)s) sau «max_value» (%(b)s).")
                % {"f": name, "a": raw["min_value"], "b": raw["max_value"]}
            )
    if "pattern" in raw:
        pattern = raw["pattern"]
        if not isinstance(pattern, str) or not pattern:
            problems.append(_("%(f)s: «pattern» phải là một biểu thức chính quy.") % {"f": name})
        elif (problem := patterns.problem(pattern)) is not None:
            problems.append(
                _("%(f)s: biểu thức chính quy «%(p)s» sai (%(e)s).") % {"f": name, "p": pattern[:80], "e": problem}
            )
    if "pattern_message" in raw and not isinstance(raw["pattern_message"], str):
        problems.append(_("%(f)s: «pattern_message» phải là chuỗi.") % {"f": name})


def _check_choices(spec: Mapping, name: str, problems: list[str]) -> None:
    raw = spec.get("choices")
    if not isinstance(raw, list) or not raw:
        problems.append(_("%(f)s: kiểu «%(t)s» cần danh sách «choices».") % {"f": name, "t": spec.get("type")})
        return
    if len(raw) > MAX_CHOICES:
        problems.append(_("%(f)s: tối đa %(n)d lựa chọn.") % {"f": name, "n": MAX_CHOICES})
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if isinstance(item, Mapping):
            value = item.get("value")
            if not isinstance(value, str) or not value.strip():
                problems.append(_("%(f)s: lựa chọn thứ %(i)d thiếu «value».") % {"f": name, "i": i + 1})
                continue
            if "label" in item and not isinstance(item["label"], str):
                problems.append(_("%(f)s: nhãn của lựa chọn «%(v)s» phải là chuỗi.") % {"f": name, "v": value})
        elif isinstance(item, str) and item.strip():
            value = item
        else:
            problems.append(_("%(f)s: lựa chọn thứ %(i)d không hợp lệ.") % {"f": name, "i": i + 1})
            continue
        if value in seen:
            problems.append(_("%(f)s: lựa chọn «%(v)s» bị lặp.") % {"f": name, "v": value})
        seen.add(value)


def _check_field(spec: Any, index: int, problems: list[str], parent: str = "") -> None:
    name = _name(spec, index, parent)
    if not isinstance(spec, Mapping):
        problems.append(_("%(f)s không phải là một đối tượng.") % {"f": name})
        return
    for prop in spec:
        if prop not in FIELD_PROPS:
            problems.append(_("%(f)s: thuộc tính lạ «%(p)s».") % {"f": name, "p": prop})
    key = spec.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(
            _("%(f)s: mã trường «%(k)s» phải bắt đầu bằng chữ thường, chỉ gồm a-z, 0-9, dấu _ (tối đa 50 ký tự).")
            % {"f": name, "k": key if isinstance(key, str) else ""}
        )
    label = spec.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(_("%(f)s: thiếu nhãn «label».") % {"f": name})
    elif len(label) > 500:
        problems.append(_("%(f)s: nhãn dài quá 500 ký tự.") % {"f": name})
    kind = spec.get("type")
    if kind not in TYPES:
        problems.append(
            _("%(f)s: kiểu «%(t)s» không có (các kiểu: %(all)s).") % {"f": name, "t": kind, "all": ", ".join(TYPES)}
        )
        return
    if "required" in spec and not isinstance(spec["required"], bool):
        problems.append(_("%(f)s: «required» phải là true hoặc false.") % {"f": name})
    if "help" in spec and not isinstance(spec["help"], str):
        problems.append(_("%(f)s: «help» phải là chuỗi.") % {"f": name})
    _check_rules(spec, name, problems)
    if kind in ("choice", "multi_choice"):
        _check_choices(spec, name, problems)
    elif "choices" in spec:
        problems.append(_("%(f)s: chỉ kiểu choice, multi_choice có «choices».") % {"f": name})
    prefill = spec.get("prefill")
    if prefill is not None:
        if parent:
            problems.append(_("%(f)s: trường trong bảng nhiều dòng không điền sẵn được.") % {"f": name})
        elif prefill not in PREFILL_SOURCES:
            problems.append(
                _("%(f)s: nguồn điền sẵn «%(p)s» không có (dùng: %(all)s).")
                % {"f": name, "p": prefill, "all": ", ".join(PREFILL_SOURCES)}
            )
        elif kind not in PREFILL_TYPES[prefill]:
            problems.append(
                _("%(f)s: «%(p)s» không điền được vào trường kiểu «%(t)s».") % {"f": name, "p": prefill, "t": kind}
            )
    if "default" in spec:
        default = spec["default"]
        if kind in ("repeat", "address") or isinstance(default, Mapping | list) and kind != "multi_choice":
            problems.append(_("%(f)s: kiểu «%(t)s» không có giá trị mặc định.") % {"f": name, "t": kind})
        elif kind not in ("choice", "multi_choice") or isinstance(spec.get("choices"), list):
            _value, error = _clean_one(spec, default, _Context(timezone.localdate(), AddressBook()))
            if error:
                problems.append(_("%(f)s: giá trị mặc định không hợp lệ (%(e)s).") % {"f": name, "e": error})
    pdf = spec.get("pdf")
    if pdf is not None:
        if not isinstance(pdf, Mapping):
            problems.append(_("%(f)s: «pdf» phải là một đối tượng {section, order, label}.") % {"f": name})
        else:
            for prop in pdf:
                if prop not in ("section", "order", "label"):
                    problems.append(_("%(f)s: «pdf» có thuộc tính lạ «%(p)s».") % {"f": name, "p": prop})
            for prop in ("section", "label"):
                if prop in pdf and not isinstance(pdf[prop], str):
                    problems.append(_("%(f)s: «pdf.%(p)s» phải là chuỗi.") % {"f": name, "p": prop})
            if "order" in pdf and not _is_number(pdf["order"]):
                problems.append(_("%(f)s: «pdf.order» phải là một số.") % {"f": name})
    if kind == "repeat":
        subs = spec.get("fields")
        if parent:
            problems.append(_("%(f)s: bảng nhiều dòng không lồng trong bảng khác được.") % {"f": name})
        elif not isinstance(subs, list) or not subs:
            problems.append(_("%(f)s: kiểu «repeat» cần danh sách trường «fields».") % {"f": name})
        else:
            _check_fields(subs, problems, parent=str(label or key or index + 1))
    elif "fields" in spec:
        problems.append(_("%(f)s: chỉ kiểu repeat có «fields».") % {"f": name})


def _check_show_if(specs: list, problems: list[str], parent: str = "") -> None:
    by_key = {s.get("key"): s for s in specs if isinstance(s, Mapping) and isinstance(s.get("key"), str)}
    depends: dict[str, str] = {}
    for index, spec in enumerate(specs):
        if not isinstance(spec, Mapping) or "show_if" not in spec:
            continue
        name = _name(spec, index, parent)
        cond = spec["show_if"]
        if not isinstance(cond, Mapping) or not isinstance(cond.get("field"), str):
            problems.append(_("%(f)s: «show_if» phải có dạng {\"field\": mã trường, \"equals\": giá trị} "
                              "hoặc {\"field\": …, \"in\": [..]}.") % {"f": name})
            continue
        target_key = cond["field"]
        extra = set(cond) - {"field", "equals", "in"}
        if extra:
            problems.append(_("%(f)s: «show_if» có thuộc tính lạ: %(p)s.") % {"f": name, "p": ", ".join(sorted(extra))})
        if ("equals" in cond) == ("in" in cond):
            problems.append(_("%(f)s: «show_if» cần đúng một trong «equals» hoặc «in».") % {"f": name})
        if "in" in cond and (not isinstance(cond["in"], list) or not cond["in"]):
            problems.append(_("%(f)s: «show_if.in» phải là danh sách giá trị.") % {"f": name})
        target = by_key.get(target_key)
        if target_key == spec.get("key"):
            problems.append(_("%(f)s: «show_if» không được tham chiếu chính trường này.") % {"f": name})
            continue
        if target is None:
            where = _("trong cùng dòng của bảng") if parent else _("trong biểu mẫu")
            problems.append(
                _("%(f)s: «show_if» tham chiếu trường «%(k)s» không có %(w)s.")
                % {"f": name, "k": target_key, "w": where}
            )
            continue
        if target.get("type") == "repeat":
            problems.append(_("%(f)s: «show_if» không tham chiếu bảng nhiều dòng «%(k)s» được.")
                            % {"f": name, "k": target_key})
            continue
        wanted = cond["in"] if isinstance(cond.get("in"), list) else [cond.get("equals")]
        if target.get("type") in ("choice", "multi_choice"):
            values = {v for v, _label in choices_of(target)}
            for value in wanted:
                if str(value) not in values:
                    problems.append(_("%(f)s: «show_if» so với «%(v)s», không phải lựa chọn của «%(k)s».")
                                    % {"f": name, "v": value, "k": target_key})
        elif target.get("type") == "yes_no":
            for value in wanted:
                if not isinstance(value, bool):
                    problems.append(_("%(f)s: «show_if» với trường Có/Không «%(k)s» so với true hoặc false.")
                                    % {"f": name, "k": target_key})
        depends[spec["key"]] = target_key
    # Cycles: a field shown only when another is shown only when the first one is...
    reported: set[frozenset] = set()
    for start in depends:
        seen = [start]
        current = depends.get(start)
        while current is not None:
            if current == start:
                if frozenset(seen) not in reported:
                    reported.add(frozenset(seen))
                    problems.append(_("Các điều kiện «show_if» lặp vòng: %(c)s.") % {"c": " → ".join([*seen, start])})
                break
            if current in seen:
                break
            seen.append(current)
            current = depends.get(current)


def _check_fields(specs: list, problems: list[str], parent: str = "") -> None:
    keys: dict[str, int] = {}
    for index, spec in enumerate(specs):
        _check_field(spec, index, problems, parent)
        key = spec.get("key") if isinstance(spec, Mapping) else None
        if isinstance(key, str):
            if key in keys:
                problems.append(
                    _("%(f)s: mã trường «%(k)s» bị trùng với trường thứ %(i)d.")
                    % {"f": _name(spec, index, parent), "k": key, "i": keys[key] + 1}
                )
            else:
                keys[key] = index
    _check_show_if(specs, problems, parent)
    _check_helpers(specs, problems, parent)


def _check_helpers(specs: list, problems: list[str], parent: str = "") -> None:
    """`prefill_if` (a condition like show_if, beside a prefill) and `same_as` (another address)."""
    by_key = {s["key"]: s for s in specs if isinstance(s, Mapping) and isinstance(s.get("key"), str)}
    for index, spec in enumerate(specs):
        if not isinstance(spec, Mapping):
            continue
        name = _name(spec, index, parent)
        if "prefill_if" in spec:
            cond = spec["prefill_if"]
            if not spec.get("prefill"):
                problems.append(_("%(f)s: «prefill_if» chỉ dùng cùng «prefill».") % {"f": name})
            if not isinstance(cond, Mapping) or set(cond) - {"field", "equals", "in"} \
                    or ("equals" in cond) == ("in" in cond) or not isinstance(cond.get("field"), str) \
                    or cond.get("field") not in by_key \
                    or cond.get("field") == spec.get("key") or ("in" in cond and not isinstance(cond["in"], list)):
                problems.append(_("%(f)s: «prefill_if» phải có dạng {\"field\": mã một trường khác, \"equals\": "
                                  "giá trị} hoặc {\"field\", \"in\": [...]}.") % {"f": name})
        if "same_as" in spec:
            same = spec["same_as"]
            target = by_key.get(same.get("field")) \
                if isinstance(same, Mapping) and isinstance(same.get("field"), str) else None
            if spec.get("type") != "address" or parent:
                problems.append(_("%(f)s: «same_as» chỉ dùng cho trường địa chỉ (không trong bảng).") % {"f": name})
            elif not isinstance(same, Mapping) or set(same) - {"field", "label"} or target is None \
                    or target is spec or target.get("type") != "address" \
                    or ("label" in same and not isinstance(same["label"], str)):
                problems.append(_("%(f)s: «same_as» phải có dạng {\"field\": mã một trường địa chỉ khác, "
                                  "\"label\": nhãn ô đánh dấu}.") % {"f": name})


def validate_schema(schema: Any) -> list[str]:
    """Every problem of a schema, in Vietnamese, each naming its field; [] when it can be used."""
    if not isinstance(schema, list):
        return [_("Biểu mẫu điện tử phải là một danh sách các trường.")]
    if len(schema) > MAX_FIELDS:
        return [_("Biểu mẫu điện tử có tối đa %(n)d trường.") % {"n": MAX_FIELDS}]
    problems: list[str] = []
    _check_fields(schema, problems)
    # Cycles found from several starting points are the same cycle: report it once.
    seen: set[str] = set()
    unique = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def check_schema(schema: Any) -> list:
    """The schema itself when valid; SchemaError (with every problem) otherwise."""
    problems = validate_schema(schema)
    if problems:
        raise SchemaError(problems)
    return schema


# --- cleaning answers -------------------------------------------------------------------------


def _label(spec: Mapping) -> str:
    return str(spec.get("label") or spec.get("key"))


def _text_value(raw: Any, multiline: bool) -> str:
    text = raw if isinstance(raw, str) else str(raw)
    text = unicodedata.normalize("NFC", text[:MAX_RAW_CHARS])
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = "".join(ch if ch == "\n" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
        return text.strip()
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set):
        return all(_is_blank(item) for item in raw)
    if isinstance(raw, Mapping):
        return all(_is_blank(v) for v in raw.values())
    return False


def _check_pattern(spec: Mapping, value: str) -> str | None:
    rules = rules_of(spec)
    pattern = rules.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        matches = patterns.full_match(pattern, value)
    except patterns.PatternError:  # refused when saved; one stored before that check is skipped
        logger.warning("e-form pattern skipped, it cannot run in linear time: %r", pattern[:80])
        return None
    if not matches:
        custom = rules.get("pattern_message")
        if isinstance(custom, str) and custom.strip():
            return f"«{_label(spec)}»: {custom.strip()}"
        return _("«%(f)s» chưa đúng định dạng.") % {"f": _label(spec)}
    return None


def _clean_text(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    kind = spec["type"]
    if isinstance(raw, Mapping | list):
        return None, _("«%(f)s» phải là chữ.") % {"f": _label(spec)}
    value = _text_value(raw, multiline=kind == "long_text")
    if not value:
        return None, None
    rules = rules_of(spec)
    limit = min(rules.get("max_length") or DEFAULT_MAX_TEXT[kind], MAX_TEXT[kind])
    if len(value) > limit:
        return value, _("«%(f)s» dài quá %(n)d ký tự (đang có %(m)d).") % {
            "f": _label(spec), "n": limit, "m": len(value)}
    low = rules.get("min_length")
    if _is_int(low) and len(value) < low:
        return value, _("«%(f)s» cần ít nhất %(n)d ký tự.") % {"f": _label(spec), "n": low}
    return value, _check_pattern(spec, value)


def parse_number(raw: Any) -> Decimal | None:
    """A number as people type it here: "12", "12,5", "1.234.567", "1.234,5", "12.5"."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    text = "".join(str(raw).split())[:40]
    if not re.fullmatch(r"[+-]?[0-9.,]+", text) or not re.search(r"\d", text):
        return None
    if "." in text and "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _clean_number(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, str) and not raw.strip():
        return None, None
    value = parse_number(raw)
    label = _label(spec)
    if value is None or abs(value) > MAX_NUMBER:
        return _keep(raw), _("«%(f)s» phải là một số, ví dụ 12 hoặc 3,5.") % {"f": label}
    rules = rules_of(spec)
    if rules.get("integer") and value != value.to_integral_value():
        return _keep(raw), _("«%(f)s» phải là số nguyên.") % {"f": label}
    if _is_number(rules.get("min_value")) and value < Decimal(str(rules["min_value"])):
        return _keep(raw), _("«%(f)s» không được nhỏ hơn %(n)s.") % {"f": label, "n": _number_text(rules["min_value"])}
    if _is_number(rules.get("max_value")) and value > Decimal(str(rules["max_value"])):
        return _keep(raw), _("«%(f)s» không được lớn hơn %(n)s.") % {"f": label, "n": _number_text(rules["max_value"])}
    if value == value.to_integral_value():
        return int(value), None
    return float(value), None


def _keep(raw: Any) -> Any:
    """What to show again in the field after an error (never a structure)."""
    return raw if isinstance(raw, str | int | float) and not isinstance(raw, bool) else ""


def parse_date(raw: Any) -> dt.date | None:
    """2026-03-09, 09/03/2026, 9/3/2026 or 09-03-2026; None if not a real date of 1900–2100."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        value = raw
    else:
        text = str(raw).strip()[:20]
        try:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
            if match:
                value = dt.date(int(match[1]), int(match[2]), int(match[3]))
            else:
                match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
                if not match:
                    return None
                value = dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def _clean_date(spec: Mapping, raw: Any, today: dt.date) -> tuple[Any, str | None]:
    if isinstance(raw, str) and not raw.strip():
        return None, None
    value = parse_date(raw)
    label = _label(spec)
    if value is None:
        return _keep(raw), _("«%(f)s» không phải ngày hợp lệ (ngày/tháng/năm, ví dụ 09/03/2026).") % {"f": label}
    rules = rules_of(spec)
    low = today if rules.get("min_value") == "today" else _date_rule(rules.get("min_value"))
    high = today if rules.get("max_value") == "today" else _date_rule(rules.get("max_value"))
    if low and value < low:
        return value.isoformat(), _("«%(f)s» không được trước ngày %(d)s.") % {"f": label, "d": f"{low:%d/%m/%Y}"}
    if high and value > high:
        return value.isoformat(), _("«%(f)s» không được sau ngày %(d)s.") % {"f": label, "d": f"{high:%d/%m/%Y}"}
    return value.isoformat(), None


def _clean_choice(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    value = str(raw).strip()[:200] if raw is not None else ""
    if not value:
        return None, None
    if value not in {v for v, _label in choices_of(spec)}:
        return None, _("«%(f)s»: hãy chọn một trong các lựa chọn.") % {"f": _label(spec)}
    return value, None


def _clean_multi(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    items = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
    picked = {str(item).strip() for item in list(items)[:MAX_CHOICES] if item is not None}
    picked.discard("")
    if not picked:
        return None, None
    allowed = [v for v, _label in choices_of(spec)]
    if picked - set(allowed):
        return None, _("«%(f)s»: có lựa chọn không hợp lệ; hãy chọn lại.") % {"f": _label(spec)}
    value = [v for v in allowed if v in picked]
    rules = rules_of(spec)
    if _is_int(rules.get("min_items")) and len(value) < rules["min_items"]:
        return value, _("«%(f)s»: chọn ít nhất %(n)d mục.") % {"f": _label(spec), "n": rules["min_items"]}
    if _is_int(rules.get("max_items")) and len(value) > rules["max_items"]:
        return value, _("«%(f)s»: chọn nhiều nhất %(n)d mục.") % {"f": _label(spec), "n": rules["max_items"]}
    return value, None


YES = {"true", "yes", "1", "on", "co", "có"}
NO = {"false", "no", "0", "off", "khong", "không"}


def _clean_yes_no(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    text = str(raw).strip().lower()[:10] if raw is not None else ""
    if not text:
        return None, None
    if text in YES:
        return True, None
    if text in NO:
        return False, None
    return None, _("«%(f)s»: hãy chọn Có hoặc Không.") % {"f": _label(spec)}


def _clean_id_number(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, Mapping | list):
        return None, _("«%(f)s» phải là chữ số.") % {"f": _label(spec)}
    text = _text_value(raw, multiline=False)
    if not text:
        return None, None
    value = re.sub(r"[\s.\-]", "", text)[:40]
    if rules_of(spec).get("pattern"):
        return value, _check_pattern(spec, value)
    if not ID_NUMBER_RE.match(value):
        return value, _("«%(f)s»: số định danh cá nhân (CCCD) gồm đúng 12 chữ số.") % {"f": _label(spec)}
    return value, None


def _clean_phone(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, Mapping | list):
        return None, _("«%(f)s» phải là số điện thoại.") % {"f": _label(spec)}
    text = _text_value(raw, multiline=False)
    if not text:
        return None, None
    value = re.sub(r"[\s.\-()]", "", text)[:40]
    if not PHONE_RE.match(value):
        return value, _("«%(f)s»: số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84).") % {"f": _label(spec)}
    return value, None


def _clean_email(spec: Mapping, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, Mapping | list):
        return None, _("«%(f)s» phải là địa chỉ thư điện tử.") % {"f": _label(spec)}
    value = _text_value(raw, multiline=False)
    if not value:
        return None, None
    try:
        if len(value) > 254:
            raise ValidationError("too long")
        validate_email(value)
    except ValidationError:
        return value[:254], _("«%(f)s»: địa chỉ thư điện tử chưa đúng, ví dụ ten@example.vn.") % {"f": _label(spec)}
    return value, None


def _clean_address(spec: Mapping, raw: Any, book: AddressBook) -> tuple[Any, str | None]:
    label = _label(spec)
    if isinstance(raw, str):
        province, commune, rest = book.find_in_text(_text_value(raw, multiline=False))
        raw = {"province": province.code if province else "", "commune": commune.code if commune else "",
               "detail": rest}
    if not isinstance(raw, Mapping):
        return None, _("«%(f)s»: địa chỉ không hợp lệ.") % {"f": label}
    province_code = _text_value(raw.get("province") or "", multiline=False)[:20]
    commune_raw = _text_value(raw.get("commune") or "", multiline=False)[:120]
    detail = _text_value(raw.get("detail") or "", multiline=False)
    kept = {"province": province_code, "commune": commune_raw, "detail": detail[:255]}
    if not (province_code or commune_raw or detail):
        return None, None
    if len(detail) > 255:
        return kept, _("«%(f)s»: số nhà, đường, thôn/ấp dài quá 255 ký tự.") % {"f": label}
    province = book.province(province_code)
    if province is None:
        return kept, _("«%(f)s»: hãy chọn tỉnh, thành phố.") % {"f": label}
    value = {"province": province.code, "province_name": province.name, "commune": "", "commune_name": "",
             "detail": detail}
    if province.communes is None:
        # Typed commune: as posted ("commune"), or as cleaned before ("commune_name"), so that
        # cleaning cleaned answers gives them back (the action layer checks the wizard's again).
        value["commune_name"] = commune_raw or _text_value(raw.get("commune_name") or "", multiline=False)[:120]
    else:
        commune = province.communes.get(commune_raw)
        if commune is None and commune_raw:
            return kept, _("«%(f)s»: xã, phường đã chọn không thuộc %(p)s; hãy chọn lại.") % {
                "f": label, "p": province.name}
        if commune is not None:
            value["commune"], value["commune_name"] = commune.code, commune.name
    if not value["commune_name"]:
        return kept, _("«%(f)s»: hãy chọn xã, phường.") % {"f": label}
    return value, None


def address_text(value: Any) -> str:
    """"Ấp 3, Phường Tân Thành, Tỉnh Cà Mau" from a cleaned address (or the text it already is)."""
    if isinstance(value, Mapping):
        parts = [value.get("detail"), value.get("commune_name"), value.get("province_name")]
        return ", ".join(str(p) for p in parts if p)
    return str(value or "")


@dataclass
class _Context:
    today: dt.date
    book: AddressBook


def _clean_one(spec: Mapping, raw: Any, ctx: _Context) -> tuple[Any, str | None]:
    """(value or None when empty, error or None), without the required check."""
    kind = spec.get("type")
    if raw is None:
        return None, None
    if isinstance(raw, str) and len(raw) > MAX_RAW_CHARS:
        return raw[:100], _("«%(f)s» dài quá mức cho phép.") % {"f": _label(spec)}
    if kind in ("text", "long_text"):
        return _clean_text(spec, raw)
    if kind == "number":
        return _clean_number(spec, raw)
    if kind == "date":
        return _clean_date(spec, raw, ctx.today)
    if kind == "choice":
        return _clean_choice(spec, raw)
    if kind == "multi_choice":
        return _clean_multi(spec, raw)
    if kind == "yes_no":
        return _clean_yes_no(spec, raw)
    if kind == "id_number":
        return _clean_id_number(spec, raw)
    if kind == "phone":
        return _clean_phone(spec, raw)
    if kind == "email":
        return _clean_email(spec, raw)
    if kind == "address":
        return _clean_address(spec, raw, ctx.book)
    return None, None


def _matches(cond: Mapping, value: Any) -> bool:
    wanted = cond["in"] if isinstance(cond.get("in"), list) else [cond.get("equals")]
    if isinstance(value, list):  # multi_choice: any picked value
        return any(_same(v, w) for v in value for w in wanted)
    return any(_same(value, w) for w in wanted)


def _same(value: Any, wanted: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted or (isinstance(value, bool) and isinstance(wanted, bool) and value == wanted)
    return str(value) == str(wanted)


def _visibility(specs: list[Mapping], values: Mapping[str, Any]) -> dict[str, bool]:
    by_key = {s["key"]: s for s in specs}
    result: dict[str, bool] = {}

    def visible(key: str, depth: int = 0) -> bool:
        if key in result:
            return result[key]
        spec = by_key.get(key)
        cond = spec.get("show_if") if spec else None
        if not isinstance(cond, Mapping) or depth > len(specs):
            shown = spec is not None
        else:
            target: Any = cond.get("field")
            shown = target in by_key and visible(target, depth + 1) and _matches(cond, values.get(target))
        result[key] = shown
        return shown

    for spec in specs:
        visible(spec["key"])
    return result


def visible_keys(schema: list[Mapping], data: Mapping[str, Any], *, today: dt.date | None = None,
                 book: AddressBook | None = None) -> set[str]:
    """The top-level fields that show for these answers."""
    ctx = _Context(today or timezone.localdate(), book or address_book())
    values = {s["key"]: _clean_one(s, data.get(s["key"]), ctx)[0] for s in schema if s.get("type") != "repeat"}
    return {k for k, shown in _visibility(schema, values).items() if shown}


def _clean_rows(spec: Mapping, raw: Any, ctx: _Context, errors: dict[str, str]) -> list[dict] | None:
    key = spec["key"]
    label = _label(spec)
    if isinstance(raw, Mapping):  # {"0": {...}, "1": {...}} from a form post
        raw = [raw[k] for k in sorted(raw, key=lambda k: int(k) if str(k).isdigit() else 0)]
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        errors[key] = _("«%(f)s»: dữ liệu bảng không hợp lệ.") % {"f": label}
        return None
    rules = rules_of(spec)
    limit = min(rules.get("max_rows") or DEFAULT_MAX_ROWS, MAX_ROWS)
    subs = [s for s in spec.get("fields") or [] if isinstance(s, Mapping) and "key" in s]
    rows: list[dict] = []
    for index, row in enumerate(raw[: MAX_ROWS + 1]):
        if not isinstance(row, Mapping):
            if not _is_blank(row):
                errors[f"{key}.{index}"] = _("«%(f)s»: dòng %(i)d không hợp lệ.") % {"f": label, "i": index + 1}
            continue
        if _is_blank(row):
            continue
        row_errors: dict[str, str] = {}
        cleaned = _clean_level(subs, row, ctx, row_errors)
        for sub_key, message in row_errors.items():
            errors[f"{key}.{index}.{sub_key}"] = _("Dòng %(i)d: %(m)s") % {"i": index + 1, "m": message}
        rows.append(cleaned)
    if len(rows) > limit:
        errors[key] = _("«%(f)s»: tối đa %(n)d dòng.") % {"f": label, "n": limit}
    low = rules.get("min_rows")
    if _is_int(low) and 0 < len(rows) < low:
        errors[key] = _("«%(f)s»: cần ít nhất %(n)d dòng.") % {"f": label, "n": low}
    return rows or None


def same_target(spec: Mapping) -> str:
    """The key of the address this address may copy (``same_as``), or ""."""
    same = spec.get("same_as")
    return str(same.get("field") or "") if isinstance(same, Mapping) and spec.get("type") == "address" else ""


def _ticked(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "yes", "true", "on")


def resolve_same(specs: list[Mapping], data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with every ticked "same as" address replaced by the address it copies (a chain
    is followed: the father's as the mother's as the requester's; a loop copies nothing)."""
    by_key = {s["key"]: s for s in specs if isinstance(s, Mapping) and isinstance(s.get("key"), str)}
    out = dict(data)
    for key, spec in by_key.items():
        raw = data.get(key)
        if not same_target(spec) or not isinstance(raw, Mapping) or not _ticked(raw.get("same")):
            continue
        current, seen = spec, {key}
        copied: Any = None
        while True:
            target = same_target(current)
            source = data.get(target)
            if target in seen or target not in by_key:
                break
            seen.add(target)
            if isinstance(source, Mapping) and _ticked(source.get("same")) and same_target(by_key[target]):
                current = by_key[target]
                continue
            copied = {k: v for k, v in source.items() if k != "same"} if isinstance(source, Mapping) else source
            break
        out[key] = copied
    return out


def _clean_level(specs: list[Mapping], data: Mapping[str, Any], ctx: _Context, errors: dict[str, str]) -> dict:
    data = resolve_same(specs, data)
    values: dict[str, Any] = {}
    field_errors: dict[str, str] = {}
    nested: dict[str, dict[str, str]] = {}
    for spec in specs:
        key = spec["key"]
        if spec.get("type") == "repeat":
            row_errors: dict[str, str] = {}
            values[key] = _clean_rows(spec, data.get(key), ctx, row_errors)
            nested[key] = row_errors
            continue
        value, error = _clean_one(spec, data.get(key), ctx)
        values[key] = value if error is None else None
        if error:
            field_errors[key] = error
    shown = _visibility(specs, values)
    cleaned: dict[str, Any] = {}
    for spec in specs:
        key = spec["key"]
        if not shown.get(key):
            continue
        if spec.get("type") == "repeat":
            errors.update(nested.get(key, {}))
        if key in field_errors:
            errors[key] = field_errors[key]
            continue
        value = values.get(key)
        if value is None or value == [] or value == "":
            if spec.get("required") and key not in errors:
                errors[key] = _required_message(spec)
            continue
        cleaned[key] = value
    return cleaned


def _required_message(spec: Mapping) -> str:
    kind = spec.get("type")
    label = _label(spec)
    if kind in ("choice", "yes_no"):
        return _("Hãy chọn «%(f)s».") % {"f": label}
    if kind == "multi_choice":
        return _("Hãy chọn ít nhất một mục ở «%(f)s».") % {"f": label}
    if kind == "repeat":
        return _("«%(f)s»: cần ít nhất một dòng.") % {"f": label}
    if kind == "address":
        return _("Hãy chọn tỉnh, thành phố và xã, phường ở «%(f)s».") % {"f": label}
    return _("Cần nhập «%(f)s».") % {"f": label}


def clean_data(schema: list[Mapping], data: Any, *, today: dt.date | None = None,
               book: AddressBook | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(cleaned answers, errors by field path). Fields hidden by show_if are dropped and never
    required; unknown keys are dropped; empty optional answers are left out."""
    if not isinstance(data, Mapping):
        data = {}
    ctx = _Context(today or timezone.localdate(), book or address_book())
    errors: dict[str, str] = {}
    cleaned = _clean_level([s for s in schema if isinstance(s, Mapping) and "key" in s], data, ctx, errors)
    return cleaned, errors


# --- prefill --------------------------------------------------------------------------------------


def profile_from_user(user: Any) -> dict[str, Any]:
    """The profile values prefill may use, read from a user object (no query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    full_name = getattr(user, "full_name", "") or ""
    if not full_name and hasattr(user, "get_full_name"):
        full_name = user.get_full_name()
    return {
        "full_name": full_name,
        "id_number": getattr(user, "id_number", "") or "",
        "date_of_birth": getattr(user, "date_of_birth", None),
        "address": getattr(user, "address", "") or "",
        "phone": getattr(user, "phone", "") or "",
        "email": getattr(user, "email", "") or "",
        "birth_year": getattr(getattr(user, "date_of_birth", None), "year", None),
        # The national identity sign-in proved these (accounts.oidc): only what the provider supplied.
        "identity_verified": bool(getattr(user, "identity_verified", False)),
        "identity_fields": [str(f) for f in getattr(user, "identity_fields", None) or []
                            if bool(getattr(user, "identity_verified", False))],
    }


def prefill(schema: list[Mapping], profile: Mapping[str, Any], *, book: AddressBook | None = None) -> dict[str, Any]:
    """Raw answers (as a form would post them) from the profile, for fields with a `prefill` source."""
    out: dict[str, Any] = {}
    for spec in schema:
        source = spec.get("prefill")
        if source not in PREFILL_SOURCES or "prefill_if" in spec:
            continue
        value = profile_value(spec, profile, book=book)
        if value not in (None, ""):
            out[spec["key"]] = value
    return out


def profile_value(spec: Mapping, profile: Mapping[str, Any], *, book: AddressBook | None = None) -> Any:
    """The raw answer (as a form posts it) the field's `prefill` source gives, or None."""
    source = spec.get("prefill")
    if source not in PREFILL_SOURCES:
        return None
    value = profile.get(source.split(".", 1)[1])
    if value in (None, ""):
        return None
    kind = spec.get("type")
    if isinstance(value, dt.date):
        value = value.isoformat() if kind == "date" else f"{value:%d/%m/%Y}"
    if kind == "address":
        province, commune, rest = (book or address_book()).find_in_text(str(value))
        value = {"province": province.code if province else "", "commune": commune.code if commune else "",
                 "detail": rest}
    elif not isinstance(value, str):
        value = str(value)
    return value


def prefill_applies(spec: Mapping, data: Mapping[str, Any]) -> bool:
    """A `prefill_if` field: does the condition hold for these (raw) answers? A malformed
    condition never holds (nothing is prefilled on a rule that cannot be read)."""
    if "prefill_if" not in spec:
        return "prefill" in spec
    cond = spec["prefill_if"]
    if not isinstance(cond, Mapping) or not isinstance(cond.get("field"), str) or not cond["field"] \
            or ("equals" in cond) == ("in" in cond) or ("in" in cond and not isinstance(cond["in"], list)):
        return False
    raw = data.get(cond["field"])
    wanted = cond["in"] if "in" in cond else [cond["equals"]]
    values = raw if isinstance(raw, list) else [raw]
    return any(v not in (None, "") and str(v) == str(w) for v in values for w in wanted)


def verified_keys(schema: list[Mapping], data: Mapping[str, Any], profile: Mapping[str, Any]) -> set[str]:
    """The fields whose answer is still what the national identity sign-in proved (so the page can
    say so): a field prefilled from a proved source, holding the profile's value."""
    if not profile.get("identity_verified"):
        return set()
    proved = set(profile.get("identity_fields") or [])
    out = set()
    for spec in schema:
        if spec.get("prefill") not in IDENTITY_SOURCES or not prefill_applies(spec, data):
            continue
        if IDENTITY_FIELD[spec["prefill"]] not in proved:  # typed by the user, not supplied by the provider
            continue
        value = profile_value(spec, profile)
        if value not in (None, "") and " ".join(str(data.get(spec["key"]) or "").split()) == value:
            out.add(spec["key"])
    return out


def initial_values(schema: list[Mapping], profile: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
    """What a new form starts with: each field's `default`, then the profile's prefill."""
    values = {s["key"]: s["default"] for s in schema if isinstance(s, Mapping) and "default" in s}
    values.update(prefill(schema, profile, **kw))
    return values


def with_prefill(schema: list[Mapping], data: Mapping[str, Any], profile: Mapping[str, Any], **kw: Any) -> dict:
    """The answers so far, with defaults and prefilled values for the fields never answered."""
    merged = dict(data or {})
    for key, value in initial_values(schema, profile, **kw).items():
        if key not in merged:
            merged[key] = value
    # A person's section never opened yet, when the requester says they are that person.
    for spec in schema:
        if "prefill_if" in spec and spec["key"] not in merged and prefill_applies(spec, merged):
            value = profile_value(spec, profile, **kw)
            if value not in (None, ""):
                merged[spec["key"]] = value
    return merged


def applicant_from(schema: list[Mapping], cleaned: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, str]:
    """Who applies: the answers of the fields prefilled from the profile (the applicant's own
    data by definition), else the profile itself."""
    out = {}
    for source in PREFILL_SOURCES:
        name = source.split(".", 1)[1]
        spec = next((s for s in schema if s.get("prefill") == source and "prefill_if" not in s
                     and s["key"] in cleaned), None)
        value = cleaned[spec["key"]] if spec else profile.get(name)
        if name == "address":
            value = address_text(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = str(value or "")
    return out


# --- showing answers ---------------------------------------------------------------------------


@dataclass
class Item:
    key: str
    label: str
    text: str = ""
    # A repeat: each row is a list of (label, text).
    rows: list[list[tuple[str, str]]] | None = None
    answered: bool = True


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


def display_value(spec: Mapping, value: Any) -> str:
    """The answer as a person reads it (dates dd/mm/yyyy, choices by label, Có/Không…)."""
    if value is None or value == "" or value == []:
        return ""
    kind = spec.get("type")
    if kind == "yes_no":
        return _("Có") if value is True else _("Không")
    if kind == "choice":
        return dict(choices_of(spec)).get(str(value), str(value))
    if kind == "multi_choice":
        labels = dict(choices_of(spec))
        return "; ".join(labels.get(str(v), str(v)) for v in value)
    if kind == "date":
        day = parse_date(value)
        return f"{day:%d/%m/%Y}" if day else str(value)
    if kind == "number":
        return _number_text(value)
    if kind == "address":
        return address_text(value)
    return str(value)


# The fields that can name a dossier's subject ("the child's name"): one value a person reads.
SUBJECT_TYPES = ("text", "long_text", "number", "date", "choice", "id_number", "phone", "email", "address")
SUBJECT_MAX = 255


def subject_fields(schema: Iterable[Any]) -> list[tuple[str, str]]:
    """(key, label) of the top-level fields a procedure version may name as its subject."""
    return [(str(s["key"]), _label(s)) for s in schema
            if isinstance(s, Mapping) and "key" in s and s.get("type") in SUBJECT_TYPES]


def subject_problem(schema: Any, key: Any) -> str | None:
    """Why `key` cannot be the subject field of `schema` ("" is none), or None."""
    if key in (None, ""):
        return None
    fields = dict(subject_fields(schema if isinstance(schema, list) else []))
    if not isinstance(key, str) or key not in fields:
        return _("Trường «%(k)s» không có trong biểu mẫu hoặc không dùng làm đối tượng của hồ sơ được "
                 "(chỉ trường một giá trị, không phải Có/Không, chọn nhiều hay bảng).") % {"k": str(key)[:60]}
    return None


def subject_text(schema: Iterable[Any], cleaned: Any, key: str) -> str:
    """The subject of a dossier ("Nguyễn Thị Bé"): the answer of field `key` as a person reads it."""
    if not key or not isinstance(cleaned, Mapping):
        return ""
    spec = next((s for s in schema if isinstance(s, Mapping) and s.get("key") == key), None)
    if spec is None or spec.get("type") not in SUBJECT_TYPES:
        return ""
    return " ".join(display_value(spec, cleaned.get(key)).split())[:SUBJECT_MAX]


def _number_text(value: Any) -> str:
    """1234567.5 -> "1.234.567,5" (Vietnamese grouping); numbers below 10 000 (years,
    counts) are not grouped: 1995, not 1.995."""
    number = parse_number(value)
    if number is None:
        return str(value)
    integral = number == number.to_integral_value()
    if abs(number) < 10_000:
        return str(int(number)) if integral else f"{number}".rstrip("0").replace(".", ",")
    text = f"{int(number):,}" if integral else f"{number:,}".rstrip("0")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def summary(schema: list[Mapping], cleaned: Mapping[str, Any], *, show_empty: bool = True) -> list[Section]:
    """The answers in the application form's order: sections by `pdf.section`, fields by
    `pdf.order` (then their place in the schema); labels from `pdf.label` when given."""
    specs = [s for s in schema if isinstance(s, Mapping) and "key" in s]
    shown = _visibility(specs, cleaned)
    entries = []
    for index, spec in enumerate(specs):
        key = spec["key"]
        if key not in cleaned and not (show_empty and shown.get(key)):
            continue
        pdf = pdf_of(spec)
        order = pdf.get("order") if _is_number(pdf.get("order")) else index
        entries.append((order, index, spec))
    entries.sort(key=lambda e: (e[0], e[1]))
    sections: dict[str, Section] = {}
    for _order, _index, spec in entries:
        title = section_of(spec)
        section = sections.setdefault(title, Section(title))
        label = str(pdf_of(spec).get("label") or spec.get("label") or spec["key"])
        value = cleaned.get(spec["key"])
        if spec.get("type") == "repeat":
            subs = [s for s in spec.get("fields") or [] if isinstance(s, Mapping)]
            rows = [
                [(str(s.get("label") or s["key"]), display_value(s, row.get(s["key"]))) for s in subs]
                for row in (value or [])
            ]
            section.items.append(Item(spec["key"], label, rows=rows, answered=bool(rows)))
        else:
            text = display_value(spec, value)
            section.items.append(Item(spec["key"], label, text=text, answered=bool(text)))
    return list(sections.values())
