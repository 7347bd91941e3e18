"""Every write of an e-form (EForm) goes through these functions.

An e-form is a part of its procedure version, so an edit is an edit of the draft: each function takes
the draft's lock first (`catalog.actions.lock_draft`, NotADraft when the version was published or
retired meanwhile), then the e-form's row, applies one `editing` operation or setting, checks it
(EFormError: Vietnamese problems and the input they are about), saves, and writes the change-log row
(before/after of the whole EForm; the version's updated_at touched by catalog.actions.touch) in the
same transaction. Two admins editing the same e-form are serialised: neither loses the other's field.

    eform = actions.create_eform(draft, actor=user, title="Tờ khai khai sinh")
    actions.add_field(draft, actor=user, spec=editing.compose("text", label="Họ và tên", key="ho_ten"))
    actions.move_field(draft, "ho_ten", +1, actor=user)

`install` / `uninstall` load the catalogue format (the importer, the demo e-forms, `copy_eform`): a
load, not an admin's edit, so they lock the version without requiring a draft and write no change-log
row (the import is reported as the import). Copying a version's e-form into its next draft is part
of `catalog.actions.start_draft`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.audit.changelog import record, snapshot
from motcua.audit.models import ChangeAction
from motcua.catalog.actions import NotADraft, lock_draft, touch  # noqa: F401  (NotADraft: what callers catch)
from motcua.catalog.models import Component, ProcedureVersion

from . import editing
from .defaults import GENERIC_SCHEMA
from .editing import EditError
from .models import EForm
from .schema import SchemaError, subject_problem

EFormError = EditError  # the one error of an e-form edit: .problems, .field
TITLE_MAX = 500


class EFormExists(EFormError):
    """The version already has its e-form (another admin created it meanwhile)."""


class NoEForm(EFormError):
    """The version has no e-form to edit."""


# --- helpers -------------------------------------------------------------------------------------


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise EFormError([_("Hãy nhập tên tờ khai, ví dụ «Tờ khai đăng ký khai sinh».")], field="title")
    if len(title) > TITLE_MAX:
        raise EFormError([_("Tên tờ khai dài tối đa %(n)d ký tự.") % {"n": TITLE_MAX}], field="title")
    return title


def _component(version: ProcedureVersion, component: Component | int | None) -> Component | None:
    if component is None:
        return None
    pk = component if isinstance(component, int) else component.pk
    found = Component.objects.filter(pk=pk, version_id=version.pk).first()
    if found is None:
        raise EFormError([_("Thành phần hồ sơ phải thuộc cùng phiên bản thủ tục.")], field="component")
    return found


def _locked_eform(draft: ProcedureVersion) -> EForm:
    eform = EForm.objects.select_for_update().filter(procedure_version=draft).first()
    if eform is None:
        raise NoEForm([_("Thủ tục chưa có biểu mẫu điện tử; hãy tạo biểu mẫu trước.")])
    return eform


def _edit_schema(version, actor, operation: Callable[[list], list], note: str | Callable[[list], str],
                 action: str, at: dt.datetime | None, renamed: tuple[str, str] | None = None) -> EForm:
    """Run `operation(schema) -> new schema` on the locked draft's e-form and save it with its change-log
    row (`note`, or `note(schema before)`). EFormError and NotADraft leave everything as it was.
    The subject field follows a renamed key (`renamed`: old, new) and is cleared when its field goes."""
    with transaction.atomic():
        draft = lock_draft(version)
        eform = _locked_eform(draft)
        before = snapshot(eform)
        if callable(note):
            note = note(list(eform.schema or []))
        eform.schema = operation(list(eform.schema or []))
        if renamed and eform.subject_field == renamed[0]:
            eform.subject_field = renamed[1]
        if subject_problem(eform.schema, eform.subject_field) is not None:
            eform.subject_field = ""
        eform.save(update_fields=["schema", "subject_field", "updated_at"])
        touch(draft, at)
        record(actor, eform, action, before=before, after=snapshot(eform), agency=draft.agency, note=note, at=at)
    return eform


# --- the e-form itself -----------------------------------------------------------------------------


def create_eform(version, *, actor, title: str, component: Component | int | None = None,
                 generic: bool = True, at: dt.datetime | None = None) -> EForm:
    """The draft's e-form, new: the generic application's fields (`defaults.GENERIC_SCHEMA`) or none.
    EFormExists when the draft already has one."""
    with transaction.atomic():
        draft = lock_draft(version)
        title = _title(title)
        component = _component(draft, component)
        if EForm.objects.filter(procedure_version=draft).exists():
            raise EFormExists([_("Thủ tục đã có biểu mẫu điện tử.")])
        eform = EForm(procedure_version=draft, title=title, component=component,
                      schema=[dict(s) for s in GENERIC_SCHEMA] if generic else [])
        eform.save()
        touch(draft, at)
        record(actor, eform, ChangeAction.CREATE, before=None, after=snapshot(eform), agency=draft.agency,
               note=_("Tạo biểu mẫu điện tử"), at=at)
    return eform


def update_settings(version, *, actor, title: str, component: Component | int | None = None,
                    subject_field: str | None = None, at: dt.datetime | None = None) -> EForm:
    """The e-form's title (printed on the PDF), the component its PDF stands for (None: the default)
    and, unless None, the field whose answer names each dossier's subject ("" none; it must be a
    one-value field of the e-form, `schema.subject_fields`). The fields are not checked here:
    problems an old import left must not block a rename."""
    with transaction.atomic():
        draft = lock_draft(version)
        title = _title(title)
        component = _component(draft, component)
        eform = _locked_eform(draft)
        if subject_field is not None and (problem := subject_problem(eform.schema, subject_field)) is not None:
            raise EFormError([problem], field="subject_field")
        before = snapshot(eform)
        eform.title, eform.component = title, component
        if subject_field is not None:
            eform.subject_field = subject_field
        eform.save(update_fields=["title", "component", "subject_field", "updated_at"])
        touch(draft, at)
        record(actor, eform, ChangeAction.UPDATE, before=before, after=snapshot(eform), agency=draft.agency,
               note=_("Sửa tên tờ khai, thành phần thay thế"), at=at)
    return eform


# --- fields -------------------------------------------------------------------------------------------


def add_field(version, *, actor, spec: Mapping, parent: str | None = None, after: str | None = None,
              before: str | None = None, at: dt.datetime | None = None) -> EForm:
    """Add the field `spec` at the end (or right after the field `after`, or right before the field
    `before`); with `parent`, a column of that table."""
    return _edit_schema(version, actor,
                        lambda s: editing.add_field(s, spec, parent=parent, after=after, before=before),
                        _("Thêm trường «%(f)s»") % {"f": spec.get("label", "")}, ChangeAction.UPDATE, at)


def update_field(version, key: str, *, actor, spec: Mapping, parent: str | None = None,
                 at: dt.datetime | None = None) -> EForm:
    """Replace the field `key` by `spec` (its type stays; a new key is carried to the conditions)."""
    return _edit_schema(version, actor, lambda s: editing.update_field(s, key, spec, parent=parent),
                        _("Sửa trường «%(f)s»") % {"f": spec.get("label", "")}, ChangeAction.UPDATE, at,
                        renamed=None if parent else (key, str(spec.get("key") or key)))


def remove_field(version, key: str, *, actor, parent: str | None = None, at: dt.datetime | None = None) -> EForm:
    """Remove the field `key`; refused while other fields are shown depending on it."""
    return _edit_schema(version, actor, lambda s: editing.remove_field(s, key, parent=parent),
                        lambda s: _("Xóa trường «%(f)s»") % {"f": _label(s, key, parent)}, ChangeAction.UPDATE, at)


def move_field(version, key: str, offset: int, *, actor, parent: str | None = None,
               at: dt.datetime | None = None) -> EForm:
    """Move the field `key` `offset` places (-1 up, +1 down). A move that changes nothing (the first
    field up, the last one down) is refused (EFormError), so it writes no change-log row."""

    def move(schema: list) -> list:
        before = position_of_in(schema, key, parent)
        moved = editing.move_field(schema, key, offset, parent=parent)
        if position_of_in(moved, key, parent) == before:
            text = _("«%(f)s» đã ở vị trí đầu tiên.") if offset < 0 else _("«%(f)s» đã ở vị trí cuối cùng.")
            raise EFormError([text % {"f": _label(schema, key, parent)}])
        return moved

    return _edit_schema(version, actor, move,
                        lambda s: _("Chuyển trường «%(f)s» %(d)s") % {
                            "f": _label(s, key, parent), "d": _("lên") if offset < 0 else _("xuống")},
                        ChangeAction.REORDER, at)


def position_of(eform: EForm, key: str, parent: str | None = None) -> int:
    """The 1-based place of the field `key` in its level (0 when it is not there)."""
    return position_of_in(list(eform.schema or []), key, parent)


def position_of_in(schema: list, key: str, parent: str | None = None) -> int:
    specs = editing.level(schema, parent)
    return next((i + 1 for i, s in enumerate(specs) if isinstance(s, Mapping) and s.get("key") == key), 0)


def _label(schema: list, key: str, parent: str | None) -> str:
    try:
        spec = editing.find(schema, key, parent)
    except EditError:
        spec = None
    return editing.label_of(spec) if spec else key


# --- loading the catalogue format ------------------------------------------------------------------


def install(version, data: Mapping) -> EForm:
    """Create or replace the version's e-form from the catalogue format ({"title", "schema", "component",
    "subject"}, the component by name). SchemaError lists every problem; nothing is written then."""
    from .services import eform_problems

    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        components = {c.name: c for c in version.components.all()}
        problems = eform_problems(data, list(components))
        if problems:
            raise SchemaError(problems)
        component = components.get(data["component"]) if data.get("component") else None
        eform, _created = EForm.objects.update_or_create(
            procedure_version=version,
            defaults={"title": data["title"].strip(), "schema": data["schema"], "component": component,
                      "subject_field": data.get("subject") or ""},
        )
    return eform


def uninstall(version) -> None:
    """The version without an e-form (the catalogue says it has none)."""
    with transaction.atomic():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        EForm.objects.filter(procedure_version=version).delete()
