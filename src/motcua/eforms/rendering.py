"""An e-form on a web page: read the posted answers, and describe each field for the templates.

The page works without JavaScript: every field is rendered (a field with a `show_if` carries a
hint saying when to fill it, and the server drops it when it does not apply); the address
picker has a "refresh the communes" button and repeated groups have add/remove buttons, all
plain submit buttons. ``static/eforms/js/eform.js`` hides what does not apply and swaps the
commune list in place.

Input names: ``f-<key>``; an address ``f-<key>-province|commune|detail``; a repeated group's
cells ``f-<key>-<row>-<sub key>`` with the number of rows in ``f-<key>-rows``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .addresses import AddressBook, address_book
from .schema import (
    DEFAULT_MAX_ROWS,
    MAX_RAW_CHARS,
    MAX_ROWS,
    choices_of,
    display_value,
    profile_value,
    rules_of,
    same_target,
    section_of,
)

PREFIX = "f-"


def input_name(key: str, *parts: object) -> str:
    return PREFIX + "-".join([key, *(str(p) for p in parts)])


def _text(post, name: str) -> str:
    value = post.get(name, "")
    return value[: MAX_RAW_CHARS + 1] if isinstance(value, str) else ""


def _row_count(spec: Mapping, post) -> int:
    try:
        count = int(str(post.get(input_name(spec["key"], "rows"), "0"))[:4])
    except ValueError:
        count = 0
    return max(0, min(count, MAX_ROWS))


def parse_field(spec: Mapping, post, name: str) -> Any:
    kind = spec.get("type")
    if kind == "multi_choice":
        return [v[:200] for v in post.getlist(name)[:300]] if hasattr(post, "getlist") else post.get(name, [])
    if kind == "address":
        value = {part: _text(post, f"{name}-{part}") for part in ("province", "commune", "detail")}
        if post.get(f"{name}-same"):  # "same as another address" ticked (schema.resolve_same)
            value["same"] = "1"
        return value
    return _text(post, name)


def parse_post(schema: list[Mapping], post) -> dict[str, Any]:
    """The raw answers in a posted form (strings, lists, dicts), shaped as clean_data takes them."""
    data: dict[str, Any] = {}
    for spec in schema:
        key = spec["key"]
        if spec.get("type") == "repeat":
            rows = []
            for index in range(_row_count(spec, post)):
                rows.append({sub["key"]: parse_field(sub, post, input_name(key, index, sub["key"]))
                             for sub in spec.get("fields") or []})
            data[key] = rows
        else:
            data[key] = parse_field(spec, post, input_name(key))
    return data


def add_row(schema: list[Mapping], data: dict, key: str) -> bool:
    spec = next((s for s in schema if s.get("key") == key and s.get("type") == "repeat"), None)
    if spec is None:
        return False
    rows = data.get(key) if isinstance(data.get(key), list) else []
    limit = min(rules_of(spec).get("max_rows") or DEFAULT_MAX_ROWS, MAX_ROWS)
    if len(rows) >= limit:
        return False
    data[key] = [*rows, {}]
    return True


def remove_row(schema: list[Mapping], data: dict, target: str) -> bool:
    key, _sep, index = (target or "").partition(":")
    spec = next((s for s in schema if s.get("key") == key and s.get("type") == "repeat"), None)
    rows = data.get(key)
    if spec is None or not isinstance(rows, list) or not index.isdigit() or int(index) >= len(rows):
        return False
    del rows[int(index)]
    return True


# --- what the templates get ----------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    selected: bool
    id: str


@dataclass
class FieldView:
    key: str
    type: str
    name: str
    id: str
    label: str
    help: str
    required: bool
    value: Any
    error: str = ""
    choices: list[Choice] = field(default_factory=list)
    show_if_json: str = ""
    show_if_text: str = ""
    # address
    provinces: list[Choice] = field(default_factory=list)
    communes: list[Choice] | None = None
    commune_text: str = ""
    detail: str = ""
    # repeat
    columns: list[str] = field(default_factory=list)
    rows: list[list[FieldView]] = field(default_factory=list)
    row_errors: list[str] = field(default_factory=list)
    can_add_row: bool = False
    max_length: int | None = None
    # conveniences (schema: same_as, prefill_if; the identity sign-in's proof)
    same_label: str = ""
    same_checked: bool = False
    prefill_json: str = ""
    verified: bool = False

    @property
    def described_by(self) -> str:
        ids = []
        if self.error:
            ids.append(f"{self.id}-error")
        if self.help:
            ids.append(f"{self.id}-help")
        if self.show_if_text:
            ids.append(f"{self.id}-when")
        if self.verified:
            ids.append(f"{self.id}-verified")
        return " ".join(ids)

    @property
    def input_type(self) -> str:
        if self.type == "date":
            # A date picker cannot show what it cannot parse: keep a mistyped date visible as text.
            return "date" if not self.value or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(self.value)) else "text"
        return {"email": "email", "phone": "tel"}.get(self.type, "text")

    @property
    def inputmode(self) -> str:
        return {"number": "decimal", "id_number": "numeric", "phone": "tel", "email": "email"}.get(self.type, "")

    @property
    def autocomplete(self) -> str:
        return {"phone": "tel", "email": "email"}.get(self.type, "off")


@dataclass
class SectionView:
    title: str
    fields: list[FieldView] = field(default_factory=list)


def _dom_id(name: str) -> str:
    return "id-" + name


def _when_text(spec: Mapping, by_key: Mapping[str, Mapping]) -> str:
    cond = spec.get("show_if")
    if not isinstance(cond, Mapping):
        return ""
    target = by_key.get(cond.get("field"))
    if target is None:
        return ""
    wanted = cond.get("in") if isinstance(cond.get("in"), list) else [cond.get("equals")]
    shown = " hoặc ".join(f"«{display_value(target, w) or w}»" for w in wanted)
    return _("Chỉ điền khi «%(f)s» là %(v)s.") % {"f": target.get("label"), "v": shown}


def _date_value(raw: Any) -> str:
    """The <input type=date> needs YYYY-MM-DD; anything else stays as typed."""
    from .schema import parse_date

    day = parse_date(raw) if raw not in (None, "") else None
    return day.isoformat() if day else ("" if raw is None else str(raw))


def _view(spec: Mapping, name: str, raw: Any, errors: Mapping[str, str], path: str,
          by_key: Mapping[str, Mapping], book: AddressBook) -> FieldView:
    kind = spec.get("type", "text")
    dom_id = _dom_id(name)
    view = FieldView(
        key=spec["key"], type=kind, name=name, id=dom_id, label=str(spec.get("label") or spec["key"]),
        help=str(spec.get("help") or ""), required=bool(spec.get("required")), value="",
        error=errors.get(path, ""),
    )
    cond = spec.get("show_if")
    if isinstance(cond, Mapping):
        wanted = cond.get("in") if isinstance(cond.get("in"), list) else [cond.get("equals")]
        view.show_if_json = json.dumps({"field": input_name(cond.get("field", "")) if "." not in path else
                                        name.rsplit("-", 1)[0] + "-" + str(cond.get("field", "")),
                                        "values": [_js_value(w) for w in wanted]})
        view.show_if_text = _when_text(spec, by_key)
    if kind in ("choice", "multi_choice"):
        picked = raw if isinstance(raw, list) else [raw]
        picked = {str(v) for v in picked if v not in (None, "")}
        view.choices = [Choice(v, label, v in picked, f"{dom_id}-{i}") for i, (v, label) in enumerate(choices_of(spec))]
    elif kind == "yes_no":
        value = raw if isinstance(raw, bool) else str(raw or "").strip().lower()
        yes = value is True or value in ("yes", "true", "1", "on", "co", "có")
        no = value is False or value in ("no", "false", "0", "off", "khong", "không")
        view.choices = [Choice("yes", _("Có"), yes, f"{dom_id}-yes"), Choice("no", _("Không"), no, f"{dom_id}-no")]
    elif kind == "address":
        raw = raw if isinstance(raw, Mapping) else {}
        province_code = str(raw.get("province") or "")
        commune_code = str(raw.get("commune") or "")
        view.provinces = [Choice(p.code, p.name, p.code == province_code, "") for p in book.province_list()]
        province = book.province(province_code)
        if province is not None and province.communes is not None:
            view.communes = [Choice(c.code, c.name, c.code == commune_code, "") for c in province.commune_list()]
        elif province is None:
            view.communes = []
        else:
            view.commune_text = str(raw.get("commune_name") or commune_code)
        view.detail = str(raw.get("detail") or "")
        target = by_key.get(same_target(spec)) if "." not in path else None
        if target is not None:
            same = spec.get("same_as") or {}
            view.same_label = str(same.get("label") or "") or _("Giống «%(f)s»") % {"f": target.get("label")}
            view.same_checked = str(raw.get("same") or "") in ("1", "True", "true", "yes", "on")
    elif kind == "date":
        view.value = _date_value(raw)
    else:
        view.value = "" if raw is None or isinstance(raw, Mapping | list) else str(raw)
    if kind in ("text", "long_text"):
        limit = rules_of(spec).get("max_length")
        view.max_length = limit if isinstance(limit, int) else None
    return view


def _js_value(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _prefill_json(spec: Mapping, profile: Mapping[str, Any], book: AddressBook) -> str:
    """For a `prefill_if` field: the condition and the profile's value, for the page's script to
    fill the field (when still empty) as soon as the requester says who they are."""
    cond = spec.get("prefill_if")
    value = profile_value(spec, profile, book=book) if isinstance(cond, Mapping) else None
    if value in (None, ""):
        return ""
    wanted = cond["in"] if isinstance(cond.get("in"), list) else [cond.get("equals")]
    return json.dumps({"field": input_name(str(cond.get("field", ""))), "values": [_js_value(w) for w in wanted],
                       "value": value}, ensure_ascii=False)


def field_views(schema: list[Mapping], data: Mapping[str, Any], errors: Mapping[str, str] | None = None,
                *, book: AddressBook | None = None, profile: Mapping[str, Any] | None = None,
                verified: set[str] | frozenset[str] = frozenset()) -> list[SectionView]:
    """The fields to render, grouped in sections (`pdf.section`, in the order they first appear).
    With the citizen's `profile`, `prefill_if` fields carry what to fill; `verified` names the
    fields to mark as proved by the national identity sign-in."""
    errors = errors or {}
    profile = profile or {}
    book = book or address_book()
    data = data if isinstance(data, Mapping) else {}
    by_key = {s["key"]: s for s in schema}
    sections: dict[str, SectionView] = {}
    for spec in schema:
        key = spec["key"]
        section = sections.setdefault(section_of(spec), SectionView(section_of(spec)))
        if spec.get("type") == "repeat":
            subs = list(spec.get("fields") or [])
            sub_keys = {s["key"]: s for s in subs}
            view = _view({**spec, "type": "repeat"}, input_name(key), None, errors, key, by_key, book)
            raw_rows = data.get(key) if isinstance(data.get(key), list) else []
            rows = raw_rows or [{}]
            view.columns = [str(s.get("label") or s["key"]) for s in subs]
            for index, row in enumerate(rows[:MAX_ROWS]):
                row = row if isinstance(row, Mapping) else {}
                view.rows.append([
                    _view(sub, input_name(key, index, sub["key"]), row.get(sub["key"]), errors,
                          f"{key}.{index}.{sub['key']}", sub_keys, book)
                    for sub in subs
                ])
            limit = min(rules_of(spec).get("max_rows") or DEFAULT_MAX_ROWS, MAX_ROWS)
            view.can_add_row = len(rows) < limit
            view.row_errors = [m for p, m in errors.items() if p.startswith(f"{key}.") and p.count(".") == 1]
            section.fields.append(view)
            continue
        view = _view(spec, input_name(key), data.get(key), errors, key, by_key, book)
        view.prefill_json = _prefill_json(spec, profile, book)
        view.verified = key in verified
        section.fields.append(view)
    return list(sections.values())


def error_list(schema: list[Mapping], errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(DOM id to link to, message) in the order of the form, for the error summary."""
    out = []
    for spec in schema:
        key = spec["key"]
        for path, message in errors.items():
            if path == key or path.startswith(f"{key}."):
                parts = path.split(".")
                if len(parts) == 3:
                    target = _dom_id(input_name(parts[0], parts[1], parts[2]))
                elif spec.get("type") == "address":
                    target = _dom_id(input_name(key)) + "-province"
                elif spec.get("type") in ("choice", "multi_choice", "yes_no"):
                    target = _dom_id(input_name(key)) + ("-yes" if spec.get("type") == "yes_no" else "-0")
                else:
                    target = _dom_id(input_name(key))
                out.append((target, message))
    # Errors of no field of the form (answers as a whole, a field the e-form does not have):
    # listed last, linked to the summary itself.
    keys = {spec["key"] for spec in schema}
    out += [("error-summary", message) for path, message in errors.items() if path.split(".")[0] not in keys]
    return out
