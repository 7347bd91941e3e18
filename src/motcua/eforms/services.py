"""The e-form of a procedure version, its import/export in the catalogue format, the demo e-forms.

Public functions:

* ``eform_for(version)`` -> FormSpec: the version's e-form, or the generic application
  (``defaults.GENERIC_SCHEMA``) when it has none, so every level 3–4 procedure can be submitted;
* ``form_component(version, eform)`` -> the component the generated PDF is filed under;
* ``eform_to_dict(version)`` / ``eform_from_dict(version, data)`` / ``eform_problems(data)``:
  the ``"eform": {"title", "schema", "component", "subject"}`` object of a procedure in the catalogue file;
* ``copy_eform(from_version, to_version)``: carry the e-form over to a new version;
* ``load_demo_eforms()``: the demo e-forms of ``demo/*.json`` onto the published versions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.text import fold

from .defaults import GENERIC_SCHEMA, GENERIC_TITLE
from .models import EForm
from .schema import Section, subject_problem, summary, validate_schema

DEMO_DIR = Path(__file__).resolve().parent / "demo"
# The demo's subject fields (the field whose answer tells one applicant's dossiers apart), kept
# beside the demo files, which stay plain e-forms of the catalogue format.
DEMO_SUBJECTS = {"1.001193": "child_name", "1.000894": "bride_name", "2.000488": "full_name"}
EFORM_KEYS = {"title", "schema", "component", "subject"}
# Names that mark the application form among a procedure's components.
_FORM_WORDS = ("to khai", "don ", "don de nghi", "phieu yeu cau", "giay de nghi", "mau ")


@dataclass(frozen=True)
class FormSpec:
    title: str
    schema: list
    component: Any = None
    is_default: bool = False
    subject_field: str = ""  # the field whose answer names the dossier's subject ("" none)


def eform_for(version) -> FormSpec:
    eform = EForm.objects.filter(procedure_version=version).select_related("component").first()
    if eform is None:
        return FormSpec(GENERIC_TITLE, GENERIC_SCHEMA, form_component(version), is_default=True)
    return FormSpec(eform.title, eform.schema, form_component(version, eform), subject_field=eform.subject_field)


def form_component(version, eform: EForm | None = None):
    """The component the filled application stands for: the e-form's own choice, else the first
    component with a downloadable form, else the first whose name says it is a form (Tờ khai,
    Đơn…). None when the procedure has no such component."""
    if eform is not None and eform.component_id and eform.component.version_id == version.pk:
        return eform.component
    components = list(version.components.order_by("order", "id"))
    for component in components:
        if component.form_id:
            return component
    for component in components:
        if fold(component.name).startswith(_FORM_WORDS):
            return component
    return None


def dossier_answers(version, form_data: Any) -> list[Section]:
    """A dossier's answers as officers read them: the sections and labels of the e-form of the version
    it was submitted under, read as the application PDF reads them (``schema.summary``; a field that
    shows but was left empty is kept, unanswered). [] when the dossier carries no answer to that
    form (a paper form at the counter)."""
    if not isinstance(form_data, Mapping) or not form_data:
        return []
    eform = EForm.objects.filter(procedure_version=version).only("schema").first()
    schema = eform.schema if eform is not None else GENERIC_SCHEMA
    if not {s.get("key") for s in schema if isinstance(s, Mapping)} & set(form_data):
        return []
    return summary(schema, form_data)


def answers_data(sections: list[Section]) -> list[dict]:
    """The same answers as plain data (the API's ``form_answers``): sections -> items with
    label and value (None when unanswered); a table's value is None and its rows are lists of
    {label, value}."""
    out = []
    for section in sections:
        items = []
        for item in section.items:
            entry: dict[str, Any] = {"key": item.key, "label": item.label,
                                     "value": item.text if item.answered and item.rows is None else None}
            if item.rows is not None:
                entry["rows"] = [[{"label": label, "value": text or None} for label, text in row]
                                 for row in item.rows]
            items.append(entry)
        out.append({"title": section.title, "items": items})
    return out


# --- catalogue format -------------------------------------------------------------------------


def eform_problems(data: Any, component_names: list[str] | None = None) -> list[str]:
    """Every problem of an ``"eform"`` object of the catalogue file (Vietnamese)."""
    if not isinstance(data, Mapping):
        return [_("«eform» phải là một đối tượng {title, schema, component}.")]
    problems = []
    for key in data:
        if key not in EFORM_KEYS:
            problems.append(_("«eform» có thuộc tính lạ «%(k)s».") % {"k": key})
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 500:
        problems.append(_("«eform.title» cần tên tờ khai (tối đa 500 ký tự)."))
    problems += [_("«eform.schema»: %(p)s") % {"p": p} for p in validate_schema(data.get("schema"))]
    component = data.get("component")
    if component is not None:
        if not isinstance(component, str):
            problems.append(_("«eform.component» phải là tên một thành phần hồ sơ."))
        elif component_names is not None and component not in component_names:
            problems.append(_("«eform.component»: thủ tục không có thành phần «%(c)s».") % {"c": component[:200]})
    if (problem := subject_problem(data.get("schema"), data.get("subject"))) is not None:
        problems.append(_("«eform.subject»: %(p)s") % {"p": problem})
    return problems


def eform_to_dict(version) -> dict | None:
    """The version's e-form in the catalogue format, or None when it has none."""
    eform = EForm.objects.filter(procedure_version=version).select_related("component").first()
    if eform is None:
        return None
    data: dict[str, Any] = {"title": eform.title, "schema": eform.schema}
    if eform.component_id:
        data["component"] = eform.component.name
    if eform.subject_field:
        data["subject"] = eform.subject_field
    return data


def eform_from_dict(version, data: Mapping | None) -> EForm | None:
    """Create or replace the version's e-form from the catalogue format (None deletes it).
    Raises SchemaError listing every problem; nothing is written then. The write is `actions.install`."""
    from . import actions

    if data is None:
        actions.uninstall(version)
        return None
    return actions.install(version, data)


def copy_eform(from_version, to_version) -> EForm | None:
    """Give a new version the e-form of the one it replaces (component matched by name)."""
    data = eform_to_dict(from_version)
    if data is None:
        return None
    if data.get("component") and not to_version.components.filter(name=data["component"]).exists():
        data.pop("component")
    return eform_from_dict(to_version, data)


# --- demo --------------------------------------------------------------------------------------


def demo_files() -> dict[str, dict]:
    """Procedure code -> its demo e-form (``demo/<code>.json``)."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(DEMO_DIR.glob("*.json"))}


@transaction.atomic
def load_demo_eforms(*, replace: bool = False) -> int:
    """Put the demo e-forms on the published versions of their procedures; returns how many
    were written. An e-form already there (maybe edited by an admin) is kept unless ``replace``."""
    from motcua.catalog.models import Procedure

    written = 0
    for code, data in demo_files().items():
        procedure = Procedure.objects.select_related("published").filter(code=code).first()
        if procedure is None or procedure.published is None:
            continue
        version = procedure.published
        if not replace and EForm.objects.filter(procedure_version=version).exists():
            continue
        eform_from_dict(version, {"subject": DEMO_SUBJECTS.get(code, ""), **data})
        written += 1
    return written
