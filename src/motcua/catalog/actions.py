"""The catalogue's action layer: every write of a procedure, its versions and their parts.

Like `dossiers.actions` (and Zulip's zerver/actions): each action takes the draft with `lock_draft`
(refusing a version that is no longer a draft), validates with the catalogue's own rules
(`budget`, `validation`), writes, and appends its change-log row (`audit.changelog.record`) in the
same transaction. Every door goes through here — the admin pages, the catalogue import, the API,
the demo — so one door's rule is every door's rule. The views keep forms, rendering and messages;
a refusal is an exception carrying the Vietnamese message (and the field it is about).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from motcua.accounts.admin_scope import administers
from motcua.audit import changelog
from motcua.audit.models import ChangeAction
from motcua.core.errors import DomainError
from motcua.core.text import fold

from . import budget as budget_rules
from . import validation
from .catalog_version import bump_catalog_version
from .models import (
    FAQ,
    Component,
    Fee,
    FormTemplate,
    Guide,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ServiceLevel,
    WorkflowStep,
)


class PublishError(DomainError):
    pass


class InvalidChange(PublishError):
    """The change breaks a rule of the catalogue; `field` names the input it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class OverBudget(InvalidChange):
    """The steps' quotas would add up to more than the case's legal time."""

    def __init__(self, budget: budget_rules.Budget):
        super().__init__(budget_rules.over_message(budget.used, budget.legal), "quota_hours")
        self.budget = budget


class DraftRefused(PublishError):
    """The draft has problems (`catalog.validation.Problem`) and is not published."""

    def __init__(self, problems: list):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class LevelRefused(PublishError):
    """The service level asked for needs what the version lacks (`problems`)."""

    def __init__(self, problems: list):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class NotADraft(PublishError):
    """The version was published or retired meanwhile: a published version is never modified."""

    def __init__(self, version: ProcedureVersion | None = None):
        super().__init__(_("Bản nháp vừa được công bố hoặc ngừng áp dụng nên thay đổi chưa được lưu. "
                           "Hãy tạo bản nháp mới để sửa tiếp."))
        self.version = version


class AwaitingReview(NotADraft):
    """The draft waits for a second admin's approval (four eyes): locked, no edits, until it is
    approved (published) or sent back. A NotADraft, so that every editing door refuses it."""

    def __init__(self, version: ProcedureVersion | None = None):
        PublishError.__init__(self, _("Bản nháp đang chờ duyệt công bố nên không sửa được. Người duyệt công bố "
                                      "hoặc trả lại; người đề nghị có thể rút lại đề nghị để sửa tiếp."))
        self.version = version


class ReviewRequired(PublishError):
    """The agency requires a second admin to approve a publication (Agency.publication_review)."""


class ReviewRefused(PublishError):
    """Not a person who may approve (or send back) this proposal: the proposer themselves, or not an
    admin of the agency or of a parent agency."""


class ProposalChanged(PublishError):
    """The proposal the reviewer looked at is not the one waiting now (withdrawn, edited, proposed
    again): nothing is approved or sent back on the strength of an old page."""

    def __init__(self):
        super().__init__(_("Đề nghị công bố đã thay đổi từ khi bạn mở trang (đã được rút, sửa hoặc gửi lại). "
                           "Hãy tải lại trang và xem lại nội dung trước khi duyệt hoặc trả lại."))


class DraftPending(PublishError):
    """The catalogue import would publish a new version over a draft being edited or waiting for
    approval, leaving that draft behind (older than what is published, unreachable)."""


def lock_draft(version: ProcedureVersion | int, *, waiting_ok: bool = False) -> ProcedureVersion:
    """The draft version, its row locked until the caller's transaction ends; NotADraft otherwise,
    and AwaitingReview while it waits for a second admin's approval (unless `waiting_ok`: the
    approval and the sending back themselves).

    Every change of a draft or of one of its parts (cases, steps, components, fees, guides, FAQ,
    the e-form) takes this lock first, so two admins' edits and a publication are serialised and
    a change never lands on a version that was published in between."""
    pk = version if isinstance(version, int) else version.pk
    # Only the version's row (of=self): locking the joined procedure too would deadlock with
    # publish_version, which takes the procedure first and then writes the version.
    locked = ProcedureVersion.objects.select_for_update(of=("self",)).select_related("procedure", "agency").get(pk=pk)
    if locked.state != ProcedureVersion.State.DRAFT:
        raise NotADraft(locked)
    if locked.review_requested_at is not None and not waiting_ok:
        raise AwaitingReview(locked)
    return locked


@transaction.atomic
def publish_version(version: ProcedureVersion, *, at: dt.datetime | None = None) -> ProcedureVersion:
    """Publish a draft: the previous published version is retired; dossiers keep theirs."""
    at = at or timezone.now()
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version = ProcedureVersion.objects.select_related("sector").get(pk=version.pk)
    if version.state != ProcedureVersion.State.DRAFT:
        raise PublishError(_("Chỉ công bố được bản nháp (phiên bản %(n)s đang ở trạng thái «%(state)s»).")
                           % {"n": version.number, "state": version.get_state_display()})
    ProcedureVersion.objects.filter(
        procedure=procedure, state=ProcedureVersion.State.PUBLISHED
    ).update(state=ProcedureVersion.State.RETIRED, retired_at=at)
    version.state = ProcedureVersion.State.PUBLISHED
    version.published_at = at
    version.refresh_search_fields()
    version.save(update_fields=[
        "state", "published_at", "search_name", "search_name_accented", "search_body", "updated_at",
    ])
    procedure.published = version
    procedure.save(update_fields=["published"])
    bump_catalog_version()
    return version


@transaction.atomic
def retire_version(version: ProcedureVersion, *, at: dt.datetime | None = None) -> None:
    """Withdraw a published version: the procedure leaves the portal until a new one is published."""
    at = at or timezone.now()
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    ProcedureVersion.objects.filter(pk=version.pk).update(
        state=ProcedureVersion.State.RETIRED, retired_at=at
    )
    if procedure.published_id == version.pk:
        procedure.published = None
        procedure.save(update_fields=["published"])
    bump_catalog_version()


def _clear_review(version: ProcedureVersion) -> None:
    version.review_requested_by = version.approved_by = None
    version.review_requested_at = None


def _latest(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.order_by("-number").first()


def _copy_children(source: ProcedureVersion, target: ProcedureVersion) -> None:
    """Copy cases (with their workflow steps), components, fees, guides, FAQ and the e-form.
    Form templates and guide videos are shared (they are never changed in place: a new upload
    makes a new file)."""
    from motcua.eforms.models import EForm

    for case in source.cases.prefetch_related("steps").order_by("order", "pk"):
        steps = list(case.steps.all())
        case.pk = None
        case.version = target
        case.save()
        for step in steps:
            step.pk = None
            step.case = case
            step.save()
    component_map: dict[int, int] = {}
    for component in source.components.order_by("order", "pk"):
        old = component.pk
        component.pk = None
        component.version = target
        component.save()
        component_map[old] = component.pk
    for related in ("fees", "guides", "faqs"):
        manager = getattr(source, related, None)
        if manager is None:
            continue
        for row in manager.order_by("order", "pk"):
            row.pk = None
            row.version = target
            row.save()
    eform = EForm.objects.filter(procedure_version=source).first()
    if eform is not None:
        eform.pk = None
        eform.procedure_version = target
        eform.component_id = component_map.get(eform.component_id)
        eform.save()


@transaction.atomic
def start_draft(procedure: Procedure, *, note: str = "", actor=None) -> ProcedureVersion:
    """The procedure's draft to edit: the existing draft, or a new one copied from the latest
    version (published or not). The published version stays in use until the draft is published."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    draft = procedure.versions.filter(state=ProcedureVersion.State.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    source = _latest(procedure)
    if source is None:
        raise PublishError(_("Thủ tục chưa có phiên bản nào để sao chép."))
    draft = ProcedureVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.number = source.number + 1
    draft.state = ProcedureVersion.State.DRAFT
    draft.published_at = None
    draft.retired_at = None
    draft.change_note = note[:500]
    draft.source_hash = ""
    _clear_review(draft)
    draft.save()
    _copy_children(source, draft)
    _log(actor, draft, draft, ChangeAction.CREATE,
         extra=_("Bản nháp sao chép từ phiên bản %(n)s") % {"n": source.number})
    return draft


@transaction.atomic
def copy_procedure(source: ProcedureVersion, *, code: str, name: str | None = None,
                   agency=None, actor=None, note: str = "") -> ProcedureVersion:
    """A new procedure (new code) whose first version is a draft copy of `source`."""
    procedure = _new_procedure(code)
    draft = ProcedureVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.procedure = procedure
    draft.number = 1
    draft.state = ProcedureVersion.State.DRAFT
    draft.published_at = None
    draft.retired_at = None
    draft.change_note = note[:500]
    draft.source_hash = ""
    _clear_review(draft)
    if name:
        draft.name = name
    if agency is not None:
        draft.agency = agency
    draft.save()
    _copy_children(source, draft)
    draft.refresh_search_fields()
    draft.save(update_fields=["search_name", "search_name_accented", "search_body"])
    _log(actor, draft, procedure, ChangeAction.CREATE, extra=note)
    _log(actor, draft, draft, ChangeAction.CREATE, extra=note)
    return draft


# --- the change log ----------------------------------------------------------------------------


def _note(version: ProcedureVersion, extra: str = "") -> str:
    note = _("Thủ tục %(code)s, phiên bản %(number)s") % {"code": version.procedure.code, "number": version.number}
    return f"{note}. {extra}" if extra else note


def _log(actor, version: ProcedureVersion, obj, action: str, *, before=None, after=None, extra: str = "",
         at: dt.datetime | None = None):
    touch(version, at)
    return changelog.record(actor, obj, action, before=before, after=after, agency=version.agency,
                            note=_note(version, extra), at=at)


def touch(version: ProcedureVersion | int, at: dt.datetime | None = None) -> None:
    """A change to any part of a version (a step, a component, the e-form…) is a change of the
    version: the procedure list's "last change" reads its updated_at."""
    pk = version if isinstance(version, int) else version.pk
    ProcedureVersion.objects.filter(pk=pk).update(updated_at=at or timezone.now())


def _checked(obj, *, exclude: tuple[str, ...] = ()) -> None:
    """The model's own field rules (lengths, choices, bounds) for every caller, not only the forms."""
    try:
        obj.full_clean(exclude=["version", "procedure", *exclude], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidChange(messages[0], "" if field == "__all__" else field) from exc


# --- a new procedure and the general data -----------------------------------------------------


@transaction.atomic
def code_problem(code: str) -> str | None:
    """Why `code` cannot be a new procedure's code (its form, or taken), or None: the one rule of
    the new-procedure and copy forms and of the actions behind them."""
    try:
        Procedure(code=code).full_clean(validate_unique=False)
    except ValidationError as exc:
        return next(iter(exc.message_dict.values()))[0]
    if Procedure.objects.filter(code__iexact=code).exists():
        return _("Mã thủ tục «%(code)s» đã có trong danh mục; hãy dùng mã khác.") % {"code": code}
    return None


def _new_procedure(code: str) -> Procedure:
    problem = code_problem(code)
    if problem:
        raise InvalidChange(problem, "code")
    return Procedure.objects.create(code=code)


def create_procedure(*, actor, code: str, name: str, sector, agency, case_name: str, time_amount,
                     time_unit: str) -> ProcedureVersion:
    """A new procedure: its first version, a draft with one case (level 1 until it is configured)."""
    procedure = _new_procedure(code)
    version = ProcedureVersion(
        procedure=procedure, number=1, state=ProcedureVersion.State.DRAFT, name=name, sector=sector,
        agency=agency, receiving_agency=agency, level=ServiceLevel.INFORMATION, change_note=_("Tạo mới"),
    )
    version.save()
    case = ProcedureCase(version=version, order=0, name=case_name, time_amount=time_amount, time_unit=time_unit)
    _checked(case)
    case.save()
    version.refresh_search_fields()
    version.save(update_fields=["search_name", "search_name_accented", "search_body"])
    _log(actor, version, procedure, ChangeAction.CREATE)
    _log(actor, version, version, ChangeAction.CREATE)
    _log(actor, version, case, ChangeAction.CREATE)
    return version


GENERAL_FIELDS = ("name", "sector", "agency", "receiving_agency", "for_citizens", "for_businesses",
                  "public_service_code", "legal_basis", "requirements", "result", "how_to_submit", "change_note")


@transaction.atomic
def edit_general(version: ProcedureVersion | int, *, actor, values: dict[str, Any]) -> ProcedureVersion:
    """The draft's general data (name, sector, agencies, subjects, legal basis, texts)."""
    draft = lock_draft(version)
    unknown = set(values) - set(GENERAL_FIELDS)
    if unknown:
        raise InvalidChange(f"not general data: {sorted(unknown)}")
    before = changelog.snapshot(draft)
    for name, value in values.items():
        setattr(draft, name, value)
    if not (draft.for_citizens or draft.for_businesses):
        raise InvalidChange(_("Chọn ít nhất một đối tượng: công dân hoặc tổ chức, doanh nghiệp."), "for_citizens")
    _checked(draft, exclude=("search_name", "search_name_accented", "search_body"))
    draft.refresh_search_fields()
    draft.save()
    _log(actor, draft, draft, ChangeAction.UPDATE, before=before,
         after=changelog.snapshot(ProcedureVersion.objects.get(pk=draft.pk)))
    return draft


@transaction.atomic
def set_level(procedure: Procedure, *, actor, level: int, note: str = "") -> ProcedureVersion:
    """The service level of the procedure's draft (a draft is started when there is none). Raising
    the level is refused while the version lacks what the level needs (`LevelRefused`)."""
    if level not in ServiceLevel.values:
        raise InvalidChange(_("Mức độ dịch vụ phải từ 1 đến 4."), field="level")
    # The procedure first, as publish_draft: a publication meanwhile waits, and the draft found
    # here is still the draft when it is changed.
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    draft = procedure.versions.filter(state=ProcedureVersion.State.DRAFT).order_by("-number").first()
    subject = draft or _latest(procedure)
    if subject is None:
        raise PublishError(_("Thủ tục chưa có phiên bản nào để sao chép."))
    gaps = validation.level_gaps(subject, level) if level > subject.level else []
    if gaps:
        raise LevelRefused(gaps)
    if draft is None:
        draft = start_draft(procedure, note=note, actor=actor)
    draft = lock_draft(draft)
    before = changelog.snapshot(draft)
    ProcedureVersion.objects.filter(pk=draft.pk).update(level=level, updated_at=timezone.now())
    draft.refresh_from_db()
    _log(actor, draft, draft, ChangeAction.UPDATE, before=before,
         extra=_("Mức độ %(a)s → %(b)s") % {"a": before["level"], "b": level})
    return draft


# --- the parts of a draft: cases, components, fees, guides, FAQ ------------------------------------


PARTS: dict[str, type] = {"case": ProcedureCase, "component": Component, "fee": Fee, "guide": Guide, "faq": FAQ}
_FILES = {"video", "video_name", "form"}  # set through the uploads, never through `values`


def upload_name(name: str, ext: str = "") -> str:
    """The name a person gave an uploaded file, as shown back to people (never used as a path):
    its last path part, control characters and surrounding spaces removed, at most 255 characters."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = " ".join("".join(ch for ch in base if ch.isprintable()).split())
    if not base:
        return f"video.{ext}" if ext else ""
    if len(base) > 255:
        stem, dot, suffix = base.rpartition(".")
        base = f"{stem[:250 - len(suffix)]}.{suffix}" if dot and len(suffix) <= 5 else base[:255]
    return base


def _kind(model_or_kind) -> str:
    if isinstance(model_or_kind, str):
        return model_or_kind
    return next(k for k, m in PARTS.items() if m is model_or_kind)


def case_removal_blocked(version: ProcedureVersion) -> str:
    """Why the draft's case may not be removed ("" when it may)."""
    if ProcedureCase.objects.filter(version=version).count() <= 1:
        return _("Thủ tục cần ít nhất một trường hợp giải quyết; hãy thêm trường hợp khác trước khi xóa "
                 "trường hợp này.")
    return ""


def _new_form_template(actor, version, upload, title: str, stored: list) -> FormTemplate:
    content_type, ext = upload.detected
    stem = slugify(fold(upload.name.rsplit(".", 1)[0]))[:80] or "mau-don"
    filename = f"{stem}.{ext}"
    n = 2
    while FormTemplate.objects.filter(filename=filename).exists():
        filename = f"{stem}-{n}.{ext}" if n < 50 else f"{stem}-{secrets.token_hex(4)}.{ext}"
        n += 1
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    template = FormTemplate(filename=filename, title=title[:500], content_type=content_type, size=size,
                            sha256=digest.hexdigest(), uploaded_at=timezone.now())
    # A generated storage name: a new file every time, never the user's name as a path.
    template.file.save(f"{secrets.token_hex(16)}.{ext}", File(upload), save=False)
    stored.append(template.file)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # the same file name was taken a moment ago by another upload
        template.filename = f"{stem}-{secrets.token_hex(4)}.{ext}"
        template.save()
    _log(actor, version, template, ChangeAction.CREATE, extra=_("Mẫu đơn tải lên cho «%(c)s»")
         % {"c": title[:200]})
    return template


def _apply_uploads(actor, version, item, uploads: dict, stored: list) -> None:
    """Store a new form template or video (appending the stored file to `stored`, so that a failed
    transaction can remove it again) or detach the current one."""
    if isinstance(item, Component):
        if uploads.get("form_file"):
            item.form = _new_form_template(actor, version, uploads["form_file"], item.name, stored)
        elif uploads.get("remove_form"):
            item.form = None
    elif isinstance(item, Guide):
        if uploads.get("video_file"):
            upload = uploads["video_file"]
            item.video.save(f"{secrets.token_hex(16)}.{upload.detected}", File(upload), save=False)
            item.video_name = upload_name(upload.name, upload.detected)
            stored.append(item.video)
        elif uploads.get("remove_video"):
            item.video = ""
            item.video_name = ""


def _remove_stored(stored: list) -> None:
    for field_file in stored:
        with contextlib.suppress(OSError):  # best effort; the file is unreferenced either way
            field_file.storage.delete(field_file.name)


def save_part(version: ProcedureVersion | int, kind, *, actor, values: dict[str, Any], pk: int | None = None,
              uploads: dict | None = None, at: dt.datetime | None = None):
    """Add (pk None: at the end) or update one part of the draft. `uploads` may carry a component's
    form file (form_file / remove_form) or a guide's video (video_file / remove_video); a file
    stored for a change that is then refused or fails is removed again."""
    kind = _kind(kind)
    model = PARTS[kind]
    stored: list = []
    try:
        with transaction.atomic():
            draft = lock_draft(version)
            if pk is None:
                item = model(version=draft)
                last = model.objects.filter(version=draft).order_by("-order").values_list("order", flat=True).first()
                item.order = 0 if last is None else last + 1
                before = None
            else:
                item = model.objects.select_for_update().get(pk=pk, version=draft)
                before = changelog.snapshot(item)
            for name, value in values.items():
                if name in _FILES or name in ("id", "version", "order"):
                    raise InvalidChange(f"{name} is not set through values")
                setattr(item, name, value)
            _checked(item, exclude=tuple(_FILES))
            _apply_uploads(actor, draft, item, uploads or {}, stored)
            item.save()
            after = changelog.snapshot(model.objects.get(pk=item.pk))  # as stored (1.00, not 1)
            _log(actor, draft, item, ChangeAction.UPDATE if pk else ChangeAction.CREATE, before=before, after=after,
                 at=at)
            touch(draft, at)
    except Exception:
        _remove_stored(stored)  # nothing refers to the new files: do not leave them behind
        raise
    return item


@transaction.atomic
def remove_part(version: ProcedureVersion | int, kind, pk: int, *, actor, at: dt.datetime | None = None):
    """Remove one part of the draft (a case with its steps; never the last case)."""
    model = PARTS[_kind(kind)]
    draft = lock_draft(version)
    item = model.objects.select_for_update().get(pk=pk, version=draft)
    if model is ProcedureCase:
        blocked = case_removal_blocked(draft)
        if blocked:
            raise InvalidChange(blocked)
        for step in item.steps.all():
            _log(actor, draft, step, ChangeAction.DELETE, before=changelog.snapshot(step),
                 extra=_("Xóa cùng trường hợp «%(c)s»") % {"c": item.name[:200]}, at=at)
    before = changelog.snapshot(item)
    item.delete()
    item.pk = pk
    _log(actor, draft, item, ChangeAction.DELETE, before=before, at=at)
    touch(draft, at)
    return item


@transaction.atomic
def move_part(version: ProcedureVersion | int, kind, pk: int, *, actor, direction: str,
              at: dt.datetime | None = None):
    """Move one part up or down its list: (the part, True), or (the part, False) when it is
    already first or last."""
    model = PARTS[_kind(kind)]
    draft = lock_draft(version)
    items = list(model.objects.select_for_update().filter(version=draft).order_by("order", "pk"))
    index = next((i for i, o in enumerate(items) if o.pk == pk), None)
    if index is None:
        raise model.DoesNotExist("no such row in the draft")
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if target is None or not 0 <= target < len(items):
        return items[index], False
    moved = items[index]
    before = changelog.snapshot(moved)
    items[index], items[target] = items[target], items[index]
    changed = []
    for order, obj in enumerate(items):
        if obj.order != order:
            obj.order = order
            changed.append(obj)
    model.objects.bulk_update(changed, ["order"])
    _log(actor, draft, moved, ChangeAction.REORDER, before=before, at=at)
    touch(draft, at)
    return moved, True


def _part_functions(kind: str):
    def add(version, *, actor, values, uploads=None, at=None):
        return save_part(version, kind, actor=actor, values=values, uploads=uploads, at=at)

    def update(version, pk, *, actor, values, uploads=None, at=None):
        return save_part(version, kind, actor=actor, values=values, pk=pk, uploads=uploads, at=at)

    def remove(version, pk, *, actor, at=None):
        return remove_part(version, kind, pk, actor=actor, at=at)

    def move(version, pk, *, actor, direction, at=None):
        return move_part(version, kind, pk, actor=actor, direction=direction, at=at)

    return add, update, remove, move


add_case, update_case, remove_case, move_case = _part_functions("case")
add_component, update_component, remove_component, move_component = _part_functions("component")
add_fee, update_fee, remove_fee, move_fee = _part_functions("fee")
add_guide, update_guide, remove_guide, move_guide = _part_functions("guide")
add_faq, update_faq, remove_faq, move_faq = _part_functions("faq")


# --- the workflow steps of a case -------------------------------------------------------------


def _locked_case(draft: ProcedureVersion, case_id: int) -> ProcedureCase:
    return ProcedureCase.objects.select_for_update().select_related("version__agency", "version__receiving_agency") \
        .get(pk=case_id, version=draft)


def _renumber(case: ProcedureCase) -> None:
    """Orders 0..n-1 in the current order (after an insert, a removal or a move)."""
    for i, step in enumerate(case.steps.order_by("order", "pk")):
        if step.order != i:
            WorkflowStep.objects.filter(pk=step.pk).update(order=i)


def _step_values(name: str, role: str, quota_hours) -> None:
    step = WorkflowStep(name=name, role=role, quota_hours=Decimal(quota_hours))
    _checked(step, exclude=("case", "agency"))


@transaction.atomic
def add_step(version: ProcedureVersion | int, *, actor, case: ProcedureCase | int, name: str, role: str,
             quota_hours, agency=None, position: int | None = None, at: dt.datetime | None = None,
             approval: bool = False):
    """Insert a step at `position` (None: last); refused (OverBudget) when the quotas would exceed
    the case's legal time. Returns (the step, the case's budget after it)."""
    draft = lock_draft(version)
    locked = _locked_case(draft, getattr(case, "pk", case))
    current = list(locked.steps.order_by("order", "pk"))
    if len(current) >= validation.MAX_STEPS:
        raise InvalidChange(validation.too_many_steps())
    _step_values(name, role, quota_hours)
    quota = budget_rules.hours(quota_hours)
    result = budget_rules.case_budget(locked, [*current, quota])
    if result.over:
        raise OverBudget(result)
    position = len(current) if position is None else max(0, min(position, len(current)))
    for i, other in enumerate(current):
        wanted = i if i < position else i + 1
        if other.order != wanted:
            WorkflowStep.objects.filter(pk=other.pk).update(order=wanted)
    step = WorkflowStep.objects.create(case=locked, order=position, name=name, role=role, agency=agency,
                                       quota_hours=quota, approval=bool(approval))
    note = _("Thêm bước vào quy trình của trường hợp «%(case)s».") % {"case": locked.name}
    touch(locked.version_id, at)
    changelog.record(actor, step, ChangeAction.CREATE, agency=locked.version.agency, note=note, at=at)
    return step, result


@transaction.atomic
def update_step(version: ProcedureVersion | int, step_id: int, *, actor, name: str, role: str, quota_hours,
                agency=None, at: dt.datetime | None = None, approval: bool | None = None):
    """Change a step; refused (OverBudget) when the quotas would exceed the legal time.
    Returns (the step, the case's budget after the change)."""
    draft = lock_draft(version)
    row = WorkflowStep.objects.select_for_update().get(pk=step_id, case__version=draft)
    locked = _locked_case(draft, row.case_id)
    _step_values(name, role, quota_hours)
    quota = budget_rules.hours(quota_hours)
    others = [s.quota_hours for s in locked.steps.exclude(pk=row.pk)]
    result = budget_rules.case_budget(locked, [*others, quota])
    if result.over:
        raise OverBudget(result)
    before = changelog.snapshot(row)
    row.name, row.role, row.agency, row.quota_hours = name, role, agency, quota
    if approval is not None:  # None: as it was (callers that do not know the flag)
        row.approval = bool(approval)
    row.save()
    after = changelog.snapshot(row)
    if before != after:
        touch(locked.version_id, at)
        changelog.record(actor, row, ChangeAction.UPDATE, before=before, after=after, agency=locked.version.agency,
                         at=at)
    return row, result


@transaction.atomic
def remove_step(version: ProcedureVersion | int, step_id: int, *, actor, at: dt.datetime | None = None):
    """Remove a step (the others close up). None when it was already removed."""
    draft = lock_draft(version)
    row = WorkflowStep.objects.select_for_update().filter(pk=step_id, case__version=draft).first()
    if row is None:
        return None
    locked = _locked_case(draft, row.case_id)
    before = changelog.snapshot(row)
    row.delete()
    _renumber(locked)
    row.pk = step_id
    touch(locked.version_id, at)
    changelog.record(actor, row, ChangeAction.DELETE, before=before, agency=locked.version.agency, at=at)
    return row


@transaction.atomic
def move_step(version: ProcedureVersion | int, step_id: int, *, actor, direction: str,
              at: dt.datetime | None = None) -> int | None:
    """Move a step up or down: its new position (0-based), or None when it is already first/last."""
    draft = lock_draft(version)
    step = WorkflowStep.objects.get(pk=step_id, case__version=draft)
    locked = _locked_case(draft, step.case_id)
    steps = list(locked.steps.select_for_update().order_by("order", "pk"))
    index = next((i for i, s in enumerate(steps) if s.pk == step.pk), None)
    target = None if index is None else index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if target is None or not 0 <= target < len(steps):
        return None
    before = [s.pk for s in steps]
    steps[index], steps[target] = steps[target], steps[index]
    for i, s in enumerate(steps):
        if s.order != i:
            WorkflowStep.objects.filter(pk=s.pk).update(order=i)
    touch(locked.version_id, at)
    changelog.record(
        actor, locked, ChangeAction.REORDER, agency=locked.version.agency,
        before={"steps": before}, after={"steps": [s.pk for s in steps]},
        note=_("Chuyển bước «%(name)s» %(dir)s.") % {
            "name": step.name, "dir": _("lên") if direction == "up" else _("xuống")},
        at=at,
    )
    return target


# --- publish and retire -------------------------------------------------------------------------


@transaction.atomic
def publish_draft(version: ProcedureVersion | int, *, actor, note: str, at: dt.datetime | None = None,
                  levels: bool = True, action: str = ChangeAction.PUBLISH, log_note: str | None = None,
                  log: bool = True) -> ProcedureVersion:
    """Check the draft (`validation.validate_draft`) and publish it, or refuse it (`DraftRefused`)
    with every problem, writing nothing. The previous published version is retired; both changes
    are logged. `levels=False` leaves out the service level's prerequisites (e-form, payment,
    signing certificate): the catalogue import states a level from the national catalogue before
    the installation has configured them.

    When the draft's agency requires four eyes (`Agency.publication_review`) a person cannot
    publish alone (ReviewRequired): `submit_for_review`, then another admin's `approve_publication`.
    The system's own load (no actor: the import command, the demo) is not a person's publication."""
    pk = version if isinstance(version, int) else version.pk
    procedure_id = ProcedureVersion.objects.filter(pk=pk).values_list("procedure_id", flat=True).get()
    procedure = Procedure.objects.select_for_update().get(pk=procedure_id)  # the procedure first, as publish_version
    draft = lock_draft(pk)
    if actor is not None and review_required(draft):
        raise ReviewRequired(_("Cơ quan %(agency)s yêu cầu người thứ hai duyệt khi công bố: hãy gửi đề nghị công bố; "
                               "một quản trị khác duyệt thì bản nháp mới được công bố.")
                             % {"agency": draft.agency.name})
    return _publish_locked(procedure, draft, actor=actor, note=note, at=at, levels=levels, action=action,
                           log_note=log_note, log=log)


def _publish_locked(procedure: Procedure, draft: ProcedureVersion, *, actor, note: str, at: dt.datetime | None,
                    levels: bool = True, action: str = ChangeAction.PUBLISH, log_note: str | None = None,
                    log: bool = True) -> ProcedureVersion:
    """publish_draft's work on the procedure and the draft its caller has locked (in that order)."""
    problems = validation.validate_draft(draft, levels=levels)
    if problems:
        raise DraftRefused(problems)
    previous = procedure.published
    before_previous = changelog.snapshot(previous)
    before = changelog.snapshot(draft)
    draft.change_note = note[:500]
    draft.save(update_fields=["change_note", "review_requested_by", "review_requested_at", "approved_by",
                              "updated_at"])
    publish_version(draft, at=at or timezone.now())
    fresh = ProcedureVersion.objects.select_related("procedure", "agency").get(pk=draft.pk)
    if not log:
        return fresh
    text = note if log_note is None else log_note
    if action == ChangeAction.IMPORT:
        before = before_previous  # the import replaces what was published
    _log(actor, fresh, fresh, action, before=before, extra=text, at=at)
    if previous is not None:
        previous = ProcedureVersion.objects.select_related("procedure", "agency").get(pk=previous.pk)
        extra = text if action == ChangeAction.IMPORT else _("Thay bằng phiên bản %(n)s") % {"n": fresh.number}
        _log(actor, previous, previous, ChangeAction.RETIRE, before=before_previous, extra=extra, at=at)
    return fresh


# --- four eyes: propose, approve, send back ------------------------------------------------------


def review_required(version: ProcedureVersion) -> bool:
    """Whether publishing this version needs a second admin's approval: the setting of its agency OR
    of the agency of the version published now (moving a draft to another agency does not escape
    review)."""
    if version.agency.publication_review:
        return True
    return bool(Procedure.objects.filter(pk=version.procedure_id)
                .values_list("published__agency__publication_review", flat=True).first())


def may_review(actor, agency) -> bool:
    """Whether `actor` may approve (or send back) a publication of `agency`'s procedure: an admin of
    the agency or of one of its parent agencies, a provincial admin or a superuser
    (accounts.admin_scope, the rule of the admin pages too)."""
    return administers(actor, agency)


def draft_editors(draft: ProcedureVersion) -> set[int]:
    """Who has a change-log row on this draft (the draft itself, its parts, its e-form; parts removed
    since are found by the version named in the row's note): everyone who made its content. The
    proposals and sendings back are not edits. A draft only exists since the last publication."""
    from django.db.models import Q
    from django.utils import translation

    from motcua.audit.models import ChangeLog
    from motcua.eforms.models import EForm

    owned = [
        (ProcedureVersion, [draft.pk]),
        (ProcedureCase, draft.cases.values_list("pk", flat=True)),
        (WorkflowStep, WorkflowStep.objects.filter(case__version=draft).values_list("pk", flat=True)),
        (Component, draft.components.values_list("pk", flat=True)),
        (Fee, draft.fees.values_list("pk", flat=True)),
        (Guide, draft.guides.values_list("pk", flat=True)),
        (FAQ, draft.faqs.values_list("pk", flat=True)),
        (EForm, EForm.objects.filter(procedure_version=draft).values_list("pk", flat=True)),
    ]
    where = Q()
    for model, pks in owned:
        if ids := [str(pk) for pk in pks]:
            where |= Q(object_type=model._meta.label_lower, object_id__in=ids)
    for code, _name in settings.LANGUAGES:  # _note is written in the language of the request
        with translation.override(code):
            named = _note(draft)
        where |= Q(note=named) | Q(note__startswith=f"{named}. ")
    return set(ChangeLog.objects.filter(where, actor__isnull=False)
               .exclude(action__in=[ChangeAction.SUBMIT, ChangeAction.RETURN])
               .values_list("actor_id", flat=True))


def review_token(draft: ProcedureVersion) -> str:
    """The identity of the proposal waiting now, for the reviewer's page to send back: who proposed
    it and when, its proposal's change-log row, and a hash of the draft's content. Withdrawing,
    editing and proposing again changes it."""
    import json

    from motcua.audit.models import ChangeLog

    from .importer import version_to_dict  # the content as the catalogue file has it (and the e-form)

    if draft.review_requested_at is None:
        return ""
    proposal = (ChangeLog.objects.filter(object_type=ProcedureVersion._meta.label_lower, object_id=str(draft.pk),
                                         action=ChangeAction.SUBMIT).order_by("-pk").values_list("pk", flat=True)
                .first())
    content = json.dumps(version_to_dict(draft), sort_keys=True, ensure_ascii=False, default=str)
    identity = f"{draft.pk}|{draft.review_requested_by_id}|{draft.review_requested_at.isoformat()}|{proposal}|{content}"
    return hashlib.sha256(identity.encode()).hexdigest()


def _check_expected(draft: ProcedureVersion, expected: str | None) -> None:
    """ProposalChanged unless `expected` (the token the reviewer's page carried) is the waiting one;
    None: a caller with no page (a script, a test) that reviews what is there."""
    if expected is not None and not secrets.compare_digest(str(expected), review_token(draft)):
        raise ProposalChanged()


def approval_refusal(actor, draft: ProcedureVersion) -> str | None:
    """Why `actor` may not approve this waiting draft (None: they may): the proposer, anyone who
    edited the draft since the last publication, anyone who does not administer its agency or a
    parent agency. The page (to show the button) and approve_publication share it."""
    if draft.review_requested_by_id is not None and draft.review_requested_by_id == getattr(actor, "pk", None):
        return _("Bạn là người đề nghị công bố nên không tự duyệt được; cần một quản trị khác duyệt.")
    if not may_review(actor, draft.agency):
        return (_("Chỉ quản trị của %(agency)s hoặc cơ quan cấp trên được duyệt công bố.")
                % {"agency": draft.agency.name})
    if getattr(actor, "pk", None) in draft_editors(draft):
        return _("Bạn đã sửa bản nháp này từ lần công bố trước nên không duyệt được; cần một quản trị khác, "
                 "chưa sửa bản nháp, duyệt.")
    return None


def _waiting(pk: int) -> tuple[Procedure, ProcedureVersion]:
    """The procedure and its draft, locked in publish_draft's order; the draft must be waiting."""
    procedure_id = ProcedureVersion.objects.filter(pk=pk).values_list("procedure_id", flat=True).get()
    procedure = Procedure.objects.select_for_update().get(pk=procedure_id)
    draft = lock_draft(pk, waiting_ok=True)
    if draft.review_requested_at is None:
        raise PublishError(_("Bản nháp không còn chờ duyệt (đã được trả lại hoặc rút đề nghị)."))
    return procedure, draft


def _person(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "") or str(user)) if user else "?"


@transaction.atomic
def submit_for_review(version: ProcedureVersion | int, *, actor, note: str,
                      at: dt.datetime | None = None) -> ProcedureVersion:
    """Propose the draft for publication (four eyes): it must pass the same checks as a publication
    (DraftRefused otherwise); from then on it is locked (AwaitingReview) until another admin approves
    it (`approve_publication`) or it is sent back (`send_back`). Logged with the proposer."""
    pk = version if isinstance(version, int) else version.pk
    procedure_id = ProcedureVersion.objects.filter(pk=pk).values_list("procedure_id", flat=True).get()
    Procedure.objects.select_for_update().get(pk=procedure_id)
    draft = lock_draft(pk)  # AwaitingReview when it already waits
    if not review_required(draft):
        raise PublishError(_("Cơ quan %(agency)s không yêu cầu người thứ hai duyệt; hãy công bố trực tiếp.")
                           % {"agency": draft.agency.name})
    note = (note or "").strip()[:500]
    if not note:
        raise InvalidChange(_("Hãy tóm tắt điều đã đổi so với phiên bản trước."), "note")
    problems = validation.validate_draft(draft)
    if problems:
        raise DraftRefused(problems)
    before = changelog.snapshot(draft)
    draft.change_note = note
    draft.review_requested_by = actor
    draft.review_requested_at = at or timezone.now()
    draft.approved_by = None
    draft.save(update_fields=["change_note", "review_requested_by", "review_requested_at", "approved_by",
                              "updated_at"])
    _log(actor, draft, draft, ChangeAction.SUBMIT, before=before,
         extra=_("Đề nghị công bố, chờ người thứ hai duyệt: %(note)s") % {"note": note}, at=at)
    return draft


@transaction.atomic
def approve_publication(version: ProcedureVersion | int, *, actor, expected: str | None = None,
                        at: dt.datetime | None = None) -> ProcedureVersion:
    """Another admin approves the waiting draft: it is published (publish_draft's checks and log), the
    change log naming both the proposer and the approver. Refused (ReviewRefused) to the proposer, to
    anyone who edited the draft since the last publication, and to anyone who does not administer
    the agency or a parent agency (`approval_refusal`). `expected`: the proposal's `review_token` as
    the reviewer's page showed it; ProposalChanged when the proposal waiting now is another."""
    pk = version if isinstance(version, int) else version.pk
    procedure, draft = _waiting(pk)
    _check_expected(draft, expected)
    if (refusal := approval_refusal(actor, draft)) is not None:
        raise ReviewRefused(refusal)
    proposer = draft.review_requested_by
    draft.approved_by = actor
    text = _("%(note)s (đề nghị: %(proposer)s; duyệt: %(approver)s)") % {
        "note": draft.change_note, "proposer": _person(proposer), "approver": _person(actor)}
    return _publish_locked(procedure, draft, actor=actor, note=draft.change_note, at=at, log_note=text)


@transaction.atomic
def send_back(version: ProcedureVersion | int, *, actor, reason: str, expected: str | None = None,
              at: dt.datetime | None = None) -> ProcedureVersion:
    """The waiting draft goes back to its editors, unlocked, with the reason (logged). A reviewer sends
    it back (a reason is required); the proposer may withdraw their own proposal the same way.
    `expected` as in approve_publication."""
    pk = version if isinstance(version, int) else version.pk
    _procedure, draft = _waiting(pk)
    _check_expected(draft, expected)
    reason = " ".join((reason or "").split())[:400]
    own = draft.review_requested_by_id is not None and draft.review_requested_by_id == getattr(actor, "pk", None)
    if not reason and not own:  # the proposer withdrawing their own proposal owes no one a reason
        raise InvalidChange(_("Hãy ghi lý do trả lại để người soạn biết cần sửa gì."), "reason")
    if not own and not may_review(actor, draft.agency):
        raise ReviewRefused(_("Chỉ quản trị của %(agency)s hoặc cơ quan cấp trên được trả lại bản nháp.")
                            % {"agency": draft.agency.name})
    before = changelog.snapshot(draft)
    proposer = draft.review_requested_by
    _clear_review(draft)
    draft.save(update_fields=["review_requested_by", "review_requested_at", "approved_by", "updated_at"])
    label = _("Rút đề nghị công bố") if own else _("Trả lại đề nghị công bố của %(p)s") % {"p": _person(proposer)}
    _log(actor, draft, draft, ChangeAction.RETURN, before=before, extra=f"{label}: {reason}" if reason else label,
         at=at)
    return draft


@transaction.atomic
def retire(version: ProcedureVersion, *, actor, at: dt.datetime | None = None) -> None:
    """Withdraw a published version (logged): the procedure leaves the portal until a new one is
    published; dossiers already received keep it."""
    # The procedure first, as publish_draft: a publication under way finishes before the state
    # is read, so a version it has just retired is not retired twice.
    Procedure.objects.select_for_update().get(pk=version.procedure_id)
    row = ProcedureVersion.objects.select_related("procedure", "agency").get(pk=version.pk)
    if row.state != ProcedureVersion.State.PUBLISHED:
        raise PublishError(_("Phiên bản %(n)s không đang áp dụng nên không cần ngừng.") % {"n": row.number})
    before = changelog.snapshot(row)
    retire_version(row, at=at)
    row.refresh_from_db()
    _log(actor, row, row, ChangeAction.RETIRE, before=before, extra=_("Ngừng áp dụng"), at=at)


# --- form templates (shared by the versions that use them) ---------------------------------------


@transaction.atomic
def attach_form_file(template: FormTemplate, *, name: str, content: bytes, content_type: str, actor=None,
                     at: dt.datetime | None = None) -> FormTemplate:
    """Store a new file for a form template; the old file stays in storage (never overwritten, so
    versions that used it keep it). Logged when someone (not the system's demo setup) does it."""
    from django.core.files.base import ContentFile

    row = FormTemplate.objects.select_for_update().get(pk=template.pk)
    before = changelog.snapshot(row)
    row.file.save(name, ContentFile(content), save=False)
    row.content_type = content_type
    row.size = len(content)
    row.sha256 = hashlib.sha256(content).hexdigest()
    row.uploaded_at = at or timezone.now()
    row.save()
    if actor is not None:
        changelog.record(actor, row, ChangeAction.UPDATE, before=before, at=at)
    template.file, template.content_type, template.size = row.file, row.content_type, row.size
    template.sha256, template.uploaded_at = row.sha256, row.uploaded_at
    return row


# --- the catalogue import -------------------------------------------------------------------------


@transaction.atomic
def import_procedure(spec: dict, *, digest: str, units: dict, sectors: dict, actor=None, note: str,
                     at: dt.datetime | None = None) -> ProcedureVersion:
    """Write one procedure of a catalogue file (`importer.validate`'s normalised dict) as a new
    version and publish it with `publish_draft`: refused (DraftRefused, nothing written) on the
    problems the admin's check page shows. An e-form made by the agency's admins survives a
    catalogue update that brings none. An import by someone (the admin's import page) is logged
    per version; the system's own import (the import_catalog command, the demo, the test data) has
    no actor and, as the initial load of the catalogue, no change-log rows."""
    from motcua.eforms.services import copy_eform, eform_from_dict

    at = at or timezone.now()
    procedure, _created = Procedure.objects.get_or_create(code=spec["code"])
    Procedure.objects.select_for_update().get(pk=procedure.pk)  # no draft starts or is proposed meanwhile
    pending = procedure.versions.filter(state=ProcedureVersion.State.DRAFT).order_by("-number").first()
    current = procedure.published
    last = procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=last + 1, state=ProcedureVersion.State.DRAFT, name=spec["name"],
        sector=sectors[spec["sector"]], agency=units[spec["agency"]],
        receiving_agency=units[spec["receiving_agency"]], level=ServiceLevel(spec["level"]),
        public_service_code=spec["public_service_code"], for_citizens="citizen" in spec["subjects"],
        for_businesses="business" in spec["subjects"], legal_basis="\n".join(spec["legal_basis"]),
        requirements=spec["requirements"], result=spec["result"], how_to_submit=spec["how_to_submit"],
        source_hash=digest, change_note=note,
    )
    for order, case_spec in enumerate(spec["cases"]):
        case = ProcedureCase.objects.create(
            version=version, order=order, name=case_spec["name"],
            time_amount=Decimal(str(case_spec["time"]["amount"])), time_unit=case_spec["time"]["unit"],
            cutoff_time=dt.time.fromisoformat(case_spec["cutoff"]) if case_spec["cutoff"] else None,
        )
        WorkflowStep.objects.bulk_create([
            WorkflowStep(case=case, order=i, name=step["name"], role=step["role"],
                         agency=units[step["agency"]] if step["agency"] else None,
                         quota_hours=Decimal(str(step["quota_hours"])), approval=bool(step.get("approval")))
            for i, step in enumerate(case_spec["steps"])
        ])
    components = []
    for order, comp in enumerate(spec["components"]):
        form = None
        if comp["form"]:
            form, _new = FormTemplate.objects.get_or_create(filename=comp["form"], defaults={"title": comp["name"]})
        components.append(Component(
            version=version, order=order, name=comp["name"], paper=comp["paper"], copies=comp["copies"],
            required=comp["required"], accepted_types=comp["accepted_types"], help_text=comp["help"], form=form,
        ))
    Component.objects.bulk_create(components)
    Fee.objects.bulk_create([
        Fee(version=version, order=i, name=f["name"], amount_vnd=f["amount_vnd"], note=f["note"],
            collected=f["collected"], basis=f["basis"], tiers=f["tiers"], cap_vnd=f["cap_vnd"],
            reductions=f["reductions"], online_exempt=f["online_exempt"])
        for i, f in enumerate(spec["fees"])
    ])
    Guide.objects.bulk_create([
        Guide(version=version, order=i, title=g["title"], body=g["body"], video_url=g["video_url"])
        for i, g in enumerate(spec["guides"])
    ])
    FAQ.objects.bulk_create([
        FAQ(version=version, order=i, question=q["question"], answer=q["answer"]) for i, q in enumerate(spec["faqs"])
    ])
    if spec["eform"] is not None:
        eform_from_dict(version, spec["eform"])
    elif current is not None:
        copy_eform(current, version)
    if pending is not None:
        # The file's own problems first (the same message as at every door), then the draft in the way;
        # raising rolls the version written above back.
        if problems := validation.validate_draft(version, levels=False):
            raise DraftRefused(problems)
        if pending.review_requested_at is not None:
            raise DraftPending(_("Chưa nhập: bản nháp phiên bản %(n)s đang chờ duyệt công bố. Hãy duyệt hoặc trả "
                                 "lại đề nghị đó rồi nhập lại.") % {"n": pending.number})
        # Publishing over it would leave it older than what is published, out of reach.
        raise DraftPending(_("Chưa nhập: thủ tục đang có bản nháp phiên bản %(n)s; phiên bản nhập từ tệp sẽ "
                             "thay bản đang áp dụng và bản nháp đó bị bỏ lại, không sửa hay công bố được nữa. "
                             "Hãy công bố bản nháp đó trước rồi nhập lại.") % {"n": pending.number})
    return publish_draft(version, actor=actor, note=note, at=at, levels=False, action=ChangeAction.IMPORT,
                         log_note=_("Nhập danh mục từ tệp"), log=actor is not None)
