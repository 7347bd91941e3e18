"""The one rule for a dossier's e-form answers (``form_data``), whatever the door.

The wizard (``submissions``), the counter and the API all reach ``dossiers.actions``, which calls
``clean_answers`` with the schema of the procedure version's e-form (``services.eform_for``: the
version's own, else the generic application); the wizard calls it too, to show the errors on its
pages. Plain Python on plain data (no ORM, no HTTP).

``clean_answers(schema, data, today=…)`` -> (cleaned, errors by path):

1. bounds on untrusted input, checked before any other work: a JSON object, at most
   ``MAX_DEPTH`` levels, ``MAX_NODES`` values, ``MAX_KEY_CHARS`` per key, ``MAX_ANSWERS_CHARS``
   in all (a string longer than that stops the walk at once);
2. no field the e-form does not have (top level and rows of a repeat): a typo must not lose an
   answer without a word;
3. ``schema.clean_data``: required fields (show_if honoured), types, lengths, RE2 patterns,
   choices, dates, numbers, addresses;
4. what is kept is at most ``MAX_STORED_BYTES`` (UTF-8 JSON).

Errors are Vietnamese and name the field's label; a path is the field's key ("children.0.name"),
"" for the answers as a whole. Cleaning cleaned answers gives them back unchanged, so the wizard's
cleaned answers pass again in the action layer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .addresses import AddressBook
from .schema import MAX_RAW_CHARS, clean_data

MAX_ANSWERS_CHARS = 256 * 1024  # as typed (the wizard keeps its drafts within this too)
MAX_STORED_BYTES = 64 * 1024  # as kept on the dossier
MAX_DEPTH = 5  # answers -> table -> row -> address -> value
MAX_NODES = 20_000
MAX_KEY_CHARS = 60


def _shape_problem(data: Any) -> str | None:
    """Why `data` is refused before it is read further, or None. Iterative: never recursion."""
    if not isinstance(data, Mapping):
        return _("Dữ liệu tờ khai phải là một đối tượng JSON.")
    too_big = _("Dữ liệu tờ khai quá lớn (tối đa %(n)d KB).") % {"n": MAX_ANSWERS_CHARS // 1024}
    chars = 0
    nodes = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return too_big
        if isinstance(value, Mapping | list | tuple):
            if depth > MAX_DEPTH:
                return _("Dữ liệu tờ khai lồng nhau quá sâu (tối đa %(n)d cấp).") % {"n": MAX_DEPTH}
            chars += 2
            if isinstance(value, Mapping):
                for key, item in value.items():
                    if not isinstance(key, str) or len(key) > MAX_KEY_CHARS:
                        return _("Tên trường trong dữ liệu tờ khai phải là chữ, tối đa %(n)d ký tự.") % {
                            "n": MAX_KEY_CHARS}
                    chars += len(key) + 4
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            chars += len(value) + 3
        elif value is None or isinstance(value, bool | int | float):
            chars += 6
        else:  # dates and the like from Python callers: measured as text
            chars += min(len(str(value)), MAX_RAW_CHARS + 1) + 3
        if chars > MAX_ANSWERS_CHARS:
            return too_big
    return None


def _unknown_keys(schema: list[Mapping], data: Mapping, errors: dict[str, str], title: str,
                  prefix: str = "") -> None:
    specs = {s["key"]: s for s in schema if isinstance(s, Mapping) and "key" in s}
    for key, value in data.items():
        spec = specs.get(key)
        if spec is None:
            errors[f"{prefix}{key}"] = (
                _("Tờ khai «%(t)s» không có trường «%(k)s».") % {"t": title, "k": key} if title
                else _("Tờ khai không có trường «%(k)s».") % {"k": key})
        elif spec.get("type") == "repeat" and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    _unknown_keys(spec.get("fields") or [], row, errors, title, f"{prefix}{key}.{index}.")


def clean_answers(schema: list[Mapping], data: Any, *, today: dt.date, title: str = "",
                  book: AddressBook | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(cleaned answers, errors by field path) under the rule of the module's doc; `title` is the
    e-form's, for the message about an unknown field."""
    problem = _shape_problem(data)
    if problem:
        return {}, {"": problem}
    errors: dict[str, str] = {}
    _unknown_keys(schema, data, errors, title)
    cleaned, field_errors = clean_data(schema, data, today=today, book=book)
    for path, message in field_errors.items():
        errors.setdefault(path, message)
    if not errors and len(json.dumps(cleaned, ensure_ascii=False).encode()) > MAX_STORED_BYTES:
        errors[""] = _("Dữ liệu tờ khai quá lớn (tối đa %(n)d KB sau khi chuẩn hóa).") % {
            "n": MAX_STORED_BYTES // 1024}
    return cleaned, errors
