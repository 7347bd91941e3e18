"""Valid e-form answers for any procedure version, for tests that create dossiers.

Every door now checks a dossier's answers (``form_data``) against the e-form of its procedure
version (``motcua.eforms.answers.clean_answers``); an online dossier must carry valid answers.
``valid_answers(version)`` fills every field of that e-form (the version's own, or the generic
application) with a value the rule accepts, found by asking the rule itself, so helpers never
weaken the rule nor copy it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

# Tried in order for each field; the first one the rule accepts is used. Dates are fixed (never
# "today"): the test clock may stand after the dossier's own time.
_CANDIDATES: dict[str, list[Any]] = {
    "text": ["Nguyễn Văn An", "09/2010", "Kinh", "Việt Nam"],
    "long_text": ["Đề nghị cơ quan giải quyết thủ tục cho tôi."],
    "date": ["1990-05-17", "2020-01-15"],
    "id_number": ["096090001234"],
    "phone": ["0912345678"],
    "email": ["an@example.invalid"],
    "address": [{"province": "96", "commune": "32025", "detail": "Khóm 2"}],
    "yes_no": [True],
}
_TODAY = dt.date(2026, 3, 9)


def _accepted(spec: Mapping, value: Any) -> bool:
    from motcua.eforms.schema import clean_data

    lone = {k: v for k, v in spec.items() if k != "show_if"}
    cleaned, errors = clean_data([lone], {spec["key"]: value}, today=_TODAY)
    return not errors and spec["key"] in cleaned


def _candidates(spec: Mapping) -> list[Any]:
    from motcua.eforms.schema import choices_of, rules_of

    kind = spec.get("type")
    if kind == "choice":
        return [value for value, _label in choices_of(spec)][:1]
    if kind == "multi_choice":
        return [[value for value, _label in choices_of(spec)][:1]]
    if kind == "number":
        low = rules_of(spec).get("min_value")
        return [low if isinstance(low, int | float) and not isinstance(low, bool) else 1, 1]
    return _CANDIDATES.get(kind, [])


def answers_for(schema: list[Mapping]) -> dict[str, Any]:
    """A value the rule accepts for every field of `schema` (rows of a repeat: one)."""
    out: dict[str, Any] = {}
    for spec in schema:
        if spec.get("type") == "repeat":
            out[spec["key"]] = [answers_for(spec.get("fields") or [])]
            continue
        value = next((v for v in _candidates(spec) if _accepted(spec, v)), None)
        assert value is not None, f"no test answer for the field {spec['key']!r} ({spec.get('type')})"
        out[spec["key"]] = value
    return out


def valid_answers(version, **overrides: Any) -> dict[str, Any]:
    """Answers to the e-form of `version` that pass the rule; `overrides` replace some (None: drop)."""
    from motcua.eforms.services import eform_for

    answers = answers_for(eform_for(version).schema)
    for key, value in overrides.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers
