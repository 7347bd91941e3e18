"""Drafts and submission: everything the wizard's views do, without HTTP.

* ``start_draft`` / ``save_case`` / ``save_form`` / ``add_upload`` / ``add_from_wallet`` /
  ``remove_file`` / ``delete_draft``: each saves the draft at once (drafts save themselves);
* ``check_draft``: what still stops the draft from being submitted (e-form errors, missing files);
* ``submit``: one transaction: ``dossiers.actions.create_dossier`` (status 1, with the draft's
  one-time idempotency key), every draft file through ``add_file`` (source uploaded or wallet),
  the filled application form as a PDF on the form component, then the draft is deleted. A
  repeated submit with the same key returns the dossier made the first time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog import fees as fee_rules
from motcua.catalog.models import Component, Fee, ProcedureCase, ProcedureVersion, ServiceLevel
from motcua.core.errors import DomainError
from motcua.core.text import fold
from motcua.dossiers import actions
from motcua.dossiers.errors import DossierError, FileRefused
from motcua.dossiers.models import Delivery, Dossier, DossierFile, FileSource
from motcua.dossiers.queries import owner_files
from motcua.eforms.answers import clean_answers
from motcua.eforms.schema import Section, applicant_from, profile_from_user, section_of
from motcua.eforms.services import FormSpec, eform_for
from motcua.signing import preview as signing_preview

from . import files as draft_files
from .models import Draft, DraftFile, Step

logger = logging.getLogger(__name__)

MAX_DRAFTS_PER_USER = 30
MAX_FILES_PER_COMPONENT = 20
MAX_FILES_PER_DRAFT = 60
MAX_FORM_JSON = 256 * 1024
WALLET_LIMIT = 200
ONLINE_LEVEL = ServiceLevel.PARTLY_ONLINE


class DraftProblem(DomainError):
    """A wizard action cannot be done; `message` says why, in Vietnamese."""

    def __init__(self, message: str, field: str = "", *, retry: bool = False):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.retry = retry  # sending the same file again may work (it arrived cut off)


# --- the procedure ----------------------------------------------------------------------------------


def offers_online(version: ProcedureVersion | None) -> bool:
    return (version is not None and version.state == ProcedureVersion.State.PUBLISHED
            and version.level >= ONLINE_LEVEL)


def cases_of(version) -> list[ProcedureCase]:
    return list(version.cases.order_by("order", "id"))


def components_of(version) -> list[Component]:
    return list(version.components.order_by("order", "id"))


def fees_of(version) -> list[Fee]:
    return list(version.fees.order_by("order", "id"))


def fee_needs(version) -> fee_rules.Needs:
    """What the version's fee rules ask of the applicant (copies, pages per copy, kind)."""
    return fee_rules.needs(fees_of(version))


def asks_case_step(version) -> bool:
    """The first step is shown when there is a case to choose or something to declare for the fees."""
    return len(cases_of(version)) > 1 or fee_needs(version).any


def fee_views(version, inputs: dict | None = None) -> list[fee_rules.FeeView]:
    """The version's fees as the citizen sees them: rule in words, amount for `inputs` (submitted
    online), when due."""
    return fee_rules.fee_views(fees_of(version), online=True, inputs=inputs)


def spec_for(draft: Draft) -> FormSpec:
    return eform_for(draft.version)


def generated_component(draft: Draft, spec: FormSpec | None = None):
    """The component the generated application PDF is filed under (it needs no upload)."""
    spec = spec or spec_for(draft)
    if spec.component is not None:
        return spec.component
    return None


# --- drafts ----------------------------------------------------------------------------------------


def drafts_of(user):
    return (Draft.objects.filter(owner=user).select_related("version__procedure", "case")
            .prefetch_related("files").order_by("-updated_at"))


class DraftGone(DraftProblem):
    """The draft was deleted meanwhile (submitted or removed in another window): the pages say 404."""

    def __init__(self):
        super().__init__(_("Hồ sơ nháp này không còn (đã nộp hoặc đã xóa)."))


def _touch(draft: Draft, *fields: str) -> None:
    """Save the draft; any change forgets the review page's submit key (it named another state).
    DraftGone when the row is gone (a save racing the submit that deleted it)."""
    draft.submit_key = ""
    draft.updated_at = timezone.now()
    values = {name: getattr(draft, draft._meta.get_field(name).attname) for name in fields}
    if not Draft.objects.filter(pk=draft.pk).update(**values, submit_key="", updated_at=draft.updated_at):
        raise DraftGone()


def _token(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)[:40]) if raw else None
    except ValueError:
        return None


def at_draft_limit(user) -> bool:
    return Draft.objects.filter(owner=user).count() >= MAX_DRAFTS_PER_USER


def start_draft(user, version: ProcedureVersion, *, token: Any = None) -> Draft:
    """A new draft, or the one this page's `token` made already (a repeated first save). The
    user's row is locked so that two first saves at once cannot both pass the draft limit."""
    if not offers_online(version):
        raise DraftProblem(_("Thủ tục này chưa nhận hồ sơ trực tuyến."))
    client_token = _token(token)
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if client_token is not None:
                made = Draft.objects.filter(owner=user, client_token=client_token).first()
                if made is not None and made.version_id == version.pk:
                    return made
                if made is not None:  # the same token for another procedure: not a repeat
                    client_token = None
            if at_draft_limit(user):
                raise DraftProblem(_("Bạn đã có %(n)d hồ sơ nháp; hãy nộp hoặc xóa bớt trước khi tạo hồ sơ mới.")
                                   % {"n": MAX_DRAFTS_PER_USER})
            cases = cases_of(version)
            return Draft.objects.create(
                owner=user, version=version, case=cases[0] if len(cases) == 1 else None, step=Step.FORM,
                client_token=client_token,
            )
    except IntegrityError:  # the same first save committed meanwhile (no row lock on SQLite)
        made = Draft.objects.filter(owner=user, client_token=client_token).first() if client_token else None
        if made is None:
            raise
        return made


def set_step(draft: Draft, step: str) -> None:
    if draft.step != step:
        draft.step = step
        draft.updated_at = timezone.now()
        if not Draft.objects.filter(pk=draft.pk).update(step=step, updated_at=draft.updated_at):
            raise DraftGone()


def fee_inputs_from(post: Any) -> dict:
    """The fee inputs as a form posts them (fields copies, pages, kind), cut to sane lengths."""
    return fee_rules.inputs_from_post(post)


def check_fee_inputs(draft: Draft, raw: dict) -> dict:
    """The inputs as the action layer will store them (``catalog.fees.clean_inputs``), or
    DraftProblem naming the field."""
    try:
        return fee_rules.clean_inputs(raw, fees_of(draft.version))
    except fee_rules.FeeInputError as exc:
        raise DraftProblem(exc.message, field=exc.field) from None


def save_case(draft: Draft, raw: Any, fee_inputs: dict | None = None, *, step: str = Step.FORM) -> ProcedureCase:
    """The chosen case (the only one when there is one) and the declared fee inputs."""
    cases = cases_of(draft.version)
    try:
        case_id = int(str(raw)[:18])
    except (TypeError, ValueError):
        case_id = None
    case = next((c for c in cases if c.pk == case_id), None)
    if case is None and len(cases) == 1:
        case = cases[0]
    if case is None:
        raise DraftProblem(_("Hãy chọn một trường hợp giải quyết trong danh sách."), field="case")
    cleaned = check_fee_inputs(draft, fee_inputs or {})
    draft.case = case
    draft.fee_inputs = cleaned
    draft.step = step
    _touch(draft, "case", "fee_inputs", "step")
    return case


_UNSTORABLE = dict.fromkeys([0, *range(0xD800, 0xE000)])  # NUL and lone surrogates: PostgreSQL JSONB refuses them


def _bounded(data: Any, limit: int = 5001) -> Any:
    """Typed answers as they can be stored on both databases, cut to `limit` characters."""
    if isinstance(data, str):
        return data[:limit].translate(_UNSTORABLE)
    if isinstance(data, list):
        return [_bounded(v, limit) for v in data[:100]]
    if isinstance(data, dict):
        return {str(k)[:60]: _bounded(v, limit) for k, v in list(data.items())[:300]}
    return data


def save_form(draft: Draft, raw: dict, *, step: str | None = None) -> None:
    """Keep what was typed, as typed (also when it has errors), within a size bound."""
    data = _bounded(raw, 20_001)
    if len(json.dumps(data, ensure_ascii=False)) > MAX_FORM_JSON:
        data = _bounded(raw, 2_001)
    draft.form_data = data
    fields = ["form_data"]
    if step:
        draft.step = step
        fields.append("step")
    _touch(draft, *fields)


def section_keys(schema: list, title: str) -> list[str]:
    """The top-level fields of the e-form section `title` (``pdf.section``), in the form's order."""
    return [str(spec["key"]) for spec in schema
            if isinstance(spec, dict) and "key" in spec and section_of(spec) == title]


def save_section(draft: Draft, schema: list, title: str, raw: dict) -> list[str]:
    """Keep what was typed in one section of the e-form (the page saves each section as it is
    left), leaving the other sections' answers as they were saved: a stale page or a late request
    for one section never wipes another. The keys saved ([] for a section the form lacks)."""
    keys = section_keys(schema, title)
    if not keys:
        return []
    with transaction.atomic():
        # Merged into the answers as stored now (locked), not as this request's copy read them:
        # two sections saved at once both stay.
        stored = Draft.objects.select_for_update().filter(pk=draft.pk).values_list("form_data", flat=True).first()
        if stored is None:
            raise DraftGone()
        merged = dict(stored or {})
        for key in keys:
            if key in raw:
                merged[key] = raw[key]
        save_form(draft, merged)
    return keys


def delivery_options(version) -> list[tuple[str, str]]:
    """How the result may reach the applicant: at the counter, by post, and online at level 4."""
    options = [(Delivery.COUNTER, _("Nhận tại nơi nộp hồ sơ")), (Delivery.POST, _("Nhận qua bưu chính công ích"))]
    if version.level >= 4:
        options.insert(0, (Delivery.ONLINE, _("Nhận kết quả điện tử (có chữ ký số) trên Cổng")))
    return options


def delivery_of(draft: Draft) -> str:
    """The draft's choice, or the first option allowed (a choice the version no longer offers
    falls back too)."""
    allowed = [value for value, _label in delivery_options(draft.version)]
    return draft.delivery if draft.delivery in allowed else allowed[0]


def clean_address(raw: Any) -> str:
    """A postal address as stored: one line, spaces folded, within the column's 500 characters."""
    return " ".join(str(raw or "")[:600].split())[:500]


def save_delivery(draft: Draft, choice: Any, address: Any) -> None:
    """How to receive the result, asked once (on the page to fill); an unknown choice is ignored."""
    allowed = [value for value, _label in delivery_options(draft.version)]
    draft.delivery = str(choice) if str(choice) in allowed else (draft.delivery or "")
    draft.delivery_address = clean_address(address)
    _touch(draft, "delivery", "delivery_address")


def delivery_problem(draft: Draft) -> str:
    if delivery_of(draft) == Delivery.POST and not draft.delivery_address:
        return _("Hãy ghi địa chỉ nhận kết quả qua bưu chính.")
    return ""


def form_result(draft: Draft, spec: FormSpec | None = None) -> tuple[dict, dict]:
    """(cleaned, errors) of the draft's answers under the rule the action layer applies to every
    door (``eforms.answers.clean_answers``), so what the wizard accepts is what gets stored."""
    spec = spec or spec_for(draft)
    return clean_answers(spec.schema, draft.form_data or {}, today=timezone.localdate(), title=spec.title)


def component_of(draft: Draft, raw: Any) -> Component:
    try:
        component_id = int(str(raw)[:18])
    except (TypeError, ValueError):
        component_id = None
    component = Component.objects.filter(pk=component_id, version_id=draft.version_id).first() \
        if component_id is not None else None
    if component is None:
        raise DraftProblem(_("Giấy tờ đã chọn không thuộc thủ tục của hồ sơ này; hãy tải lại trang."),
                           field="component")
    return component


def _check_room(draft: Draft, component: Component, name: str) -> None:
    if component.pk == getattr(generated_component(draft), "pk", None):
        raise DraftProblem(_("«%(c)s» được tạo tự động từ tờ khai điện tử; không cần tải lên.") % {"c": component.name},
                           field="component")
    counts = draft.files.filter(component=component).count(), draft.files.count()
    if counts[0] >= MAX_FILES_PER_COMPONENT:
        raise DraftProblem(_("Không thêm được «%(f)s»: mỗi giấy tờ tối đa %(n)d tệp.")
                           % {"f": name, "n": MAX_FILES_PER_COMPONENT}, field="file")
    if counts[1] >= MAX_FILES_PER_DRAFT:
        raise DraftProblem(_("Không thêm được «%(f)s»: mỗi hồ sơ tối đa %(n)d tệp.")
                           % {"f": name, "n": MAX_FILES_PER_DRAFT}, field="file")


def add_upload(draft: Draft, component: Component, upload, name: str, *, declared_size: int | None = None) -> DraftFile:
    """Check and store one uploaded file, then record it (FileRefused / DraftProblem otherwise)."""
    from motcua.dossiers.files import clean_name

    _check_room(draft, component, clean_name(name))
    size = getattr(upload, "size", None)
    if declared_size is not None and size is not None and size != declared_size:
        raise DraftProblem(
            _("Tệp «%(f)s» chưa tải lên trọn vẹn (nhận được %(got)s trên %(want)s byte); hãy bấm Thử lại.")
            % {"f": clean_name(name), "got": size, "want": declared_size}, field="file", retry=True,
        )
    stored = draft_files.store(upload, name, accepted_types=component.accepted_types)
    return _record(draft, component, stored, DraftFile.Source.UPLOADED)


def _record(draft: Draft, component: Component, stored: draft_files.Stored, source: str,
            wallet_file: DossierFile | None = None) -> DraftFile:
    try:
        with transaction.atomic():
            row = DraftFile.objects.create(
                draft=draft, component=component, storage_key=stored.storage_key,
                original_name=stored.original_name, content_type=stored.content_type, size=stored.size,
                sha256=stored.sha256, source=source, wallet_file=wallet_file,
            )
            _touch(draft)
    except Exception:
        draft_files.delete_stored([stored.storage_key])
        raise
    return row


def wallet_files(user, component: Component | None = None) -> list[DossierFile]:
    """The citizen's documents: files of the dossiers they own (uploads and results), newest
    first, one per content (SHA-256), of the types `component` accepts."""
    from motcua.dossiers.files import accepted_extensions

    allowed = accepted_extensions(component.accepted_types) if component is not None else set()
    by_type = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif"}
    rows = (owner_files(user)
            .select_related("dossier__procedure_version", "component")
            .order_by("-uploaded_at", "-id")[: WALLET_LIMIT * 3])
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.sha256 in seen:
            continue
        if allowed and by_type.get(row.content_type) not in allowed:
            continue
        seen.add(row.sha256)
        out.append(row)
        if len(out) >= WALLET_LIMIT:
            break
    return out


def wallet_file(user, raw_id: Any) -> DossierFile | None:
    try:
        pk = int(str(raw_id)[:18])
    except (TypeError, ValueError):
        return None
    return owner_files(user).filter(pk=pk).select_related("dossier").first()


def add_from_wallet(draft: Draft, component: Component, source: DossierFile) -> DraftFile:
    """A new stored copy of one of the citizen's documents, tagged as taken from the wallet."""
    if source.dossier.owner_id != draft.owner_id:  # callers look it up by owner; never trust them
        raise DraftProblem(_("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn."), field="file")
    _check_room(draft, component, source.original_name)
    try:
        handle = default_storage.open(source.storage_key, "rb")
    except OSError:
        raise DraftProblem(_("Không đọc được tệp «%(f)s» trong kho; hãy tải tệp lên.") % {"f": source.original_name},
                           field="file") from None
    with handle:
        stored = draft_files.store(handle, source.original_name, accepted_types=component.accepted_types)
    return _record(draft, component, stored, DraftFile.Source.WALLET, wallet_file=source)


def remove_file(draft: Draft, draft_file: DraftFile) -> None:
    key = draft_file.storage_key
    with transaction.atomic():
        draft_file.delete()
        _touch(draft)
    transaction.on_commit(lambda: draft_files.delete_stored([key]))


def delete_draft(draft: Draft) -> None:
    keys = list(draft.files.values_list("storage_key", flat=True))
    previews = preview_keys(draft)
    draft.delete()
    transaction.on_commit(lambda: (draft_files.delete_stored(keys), forget_previews(previews)))


def files_by_component(draft: Draft) -> dict[int, list[DraftFile]]:
    out: dict[int, list[DraftFile]] = {}
    for f in draft.files.order_by("created_at"):
        out.setdefault(f.component_id, []).append(f)
    return out


# --- checking and submitting --------------------------------------------------------------------------


@dataclass
class Check:
    cleaned: dict = field(default_factory=dict)
    form_errors: dict = field(default_factory=dict)
    missing: list[Component] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.form_errors or self.missing or self.problems)


def missing_components(draft: Draft, spec: FormSpec | None = None) -> list[Component]:
    auto = generated_component(draft, spec)
    present = set(draft.files.values_list("component_id", flat=True))
    return [c for c in components_of(draft.version)
            if c.required and c.pk not in present and c.pk != getattr(auto, "pk", None)]


def check_draft(draft: Draft, spec: FormSpec | None = None) -> Check:
    spec = spec or spec_for(draft)
    cleaned, errors = form_result(draft, spec)
    check = Check(cleaned=cleaned, form_errors=errors, missing=missing_components(draft, spec))
    version = draft.version
    if not offers_online(version):
        check.problems.append(_("Thủ tục này đã được cập nhật hoặc không còn nhận hồ sơ trực tuyến; "
                                "hãy chuyển hồ sơ nháp sang phiên bản mới."))
    if draft.case_id is None or draft.case.version_id != version.pk:
        check.problems.append(_("Hãy chọn trường hợp giải quyết."))
    problem = delivery_problem(draft)
    if problem:
        check.problems.append(problem)
    if not errors:
        applicant = applicant_from(spec.schema, cleaned, profile_from_user(draft.owner))
        if not applicant["full_name"] or not applicant["id_number"]:
            check.problems.append(_("Cần họ tên và số định danh cá nhân của người nộp: hãy cập nhật tài khoản."))
    return check


def new_submit_key(draft: Draft) -> str:
    """The review page's one-time key: kept until the draft changes or is submitted."""
    if not draft.submit_key:
        draft.submit_key = "nop-" + secrets.token_urlsafe(24)
        if not Draft.objects.filter(pk=draft.pk).update(submit_key=draft.submit_key):
            raise DraftGone()
    return draft.submit_key


def dossier_for_key(user, key: str) -> Dossier | None:
    """The dossier an earlier submit with this key made (a double click, a reload)."""
    from motcua.dossiers.models import IdempotencyKey

    if not key or len(key) > 100:
        return None
    row = IdempotencyKey.objects.filter(actor=user, key=key, operation="create").select_related("dossier").first()
    return row.dossier if row and row.dossier_id and row.dossier.owner_id == user.pk else None


def _application_name(spec: FormSpec) -> str:
    slug = "-".join(fold(spec.title).split())[:80] or "to-khai"
    return f"{slug}.pdf"


def _place(version) -> str:
    """The province in "Cà Mau, ngày … tháng … năm …": the last part of the agency's address."""
    address = (version.receiving_agency.address or "").split(",")[-1].strip()
    for word in ("tỉnh ", "thành phố "):
        if address.lower().startswith(word):
            address = address[len(word):]
    return address[:1].upper() + address[1:] if address else ""


def application_form(draft: Draft, spec: FormSpec, cleaned: dict, dossier: Dossier | None):
    """The filled application as the PDF prints it; without a dossier (the review page's preview)
    the applicant is the one the answers name and the date is the draft's last save."""
    from motcua.documents.application import ApplicationField, ApplicationForm, ApplicationSection
    from motcua.eforms.schema import summary

    sections: list[Section] = summary(spec.schema, cleaned)
    out = []
    for section in sections:
        fields = []
        for item in section.items:
            if item.rows is not None:
                spec_item = next(s for s in spec.schema if s["key"] == item.key)
                columns = tuple(str(s.get("label") or s["key"]) for s in spec_item.get("fields") or [])
                fields.append(ApplicationField(item.label, columns=columns,
                                               rows=tuple(tuple(t for _l, t in row) for row in item.rows)))
            else:
                fields.append(ApplicationField(item.label, item.text))
        out.append(ApplicationSection(section.title, fields))
    version = draft.version
    # How to receive the result is asked once, on the page to fill (not in the e-form): the
    # application says it too, as the official forms do ("Nhận Phiếu qua…").
    choice = delivery_of(draft) if dossier is None else (dossier.delivery or delivery_of(draft))
    received = dict(delivery_options(version)).get(choice, "")
    address = dossier.delivery_address if dossier is not None else draft.delivery_address
    if choice == Delivery.POST and address:
        received = f"{received}: {address}"
    if received:
        out.append(ApplicationSection(_("Cách nhận kết quả"), [ApplicationField(_("Nhận kết quả"), received)]))
    if dossier is not None:
        name, at, code = dossier.applicant_name, dossier.submitted_at, dossier.code
    else:
        name = applicant_from(spec.schema, cleaned, profile_from_user(draft.owner))["full_name"]
        at, code = draft.updated_at, ""
    return ApplicationForm(
        title=spec.title, procedure_code=version.procedure.code, procedure_name=version.name,
        recipient=version.receiving_agency.name, applicant_name=name, sections=out,
        submitted_at=at, dossier_code=code, place=_place(version),
        case_name=draft.case.name if draft.case_id else "", site_name=settings.MOTCUA_SITE_NAME,
    )


@dataclass
class Submitted:
    dossier: Dossier
    replayed: bool = False


def submit(
    draft: Draft, *, key: str, at: dt.datetime | None = None, delivery: str | None = None, delivery_address: str = "",
) -> Submitted:
    """Make the dossier from the draft, all or nothing (see the module's doc)."""
    from motcua.documents.application import render_application

    spec = spec_for(draft)
    check = check_draft(draft, spec)
    if not check.ok:
        raise DraftProblem(_("Hồ sơ nháp chưa đủ để nộp; hãy xem các mục cần sửa."))
    user = draft.owner
    applicant = applicant_from(spec.schema, check.cleaned, profile_from_user(user))
    files = list(draft.files.select_related("component").order_by("component__order", "component_id", "created_at"))
    keys = [f.storage_key for f in files]
    previews = preview_keys(draft)
    auto = generated_component(draft, spec) or next(iter(components_of(draft.version)), None)
    at = at or timezone.now()
    with transaction.atomic():
        result = actions.create_dossier(
            actor=user, version=draft.version, channel=2, case=draft.case, form_data=check.cleaned,
            applicant=actions.Applicant(
                name=applicant["full_name"], id_number=applicant["id_number"], phone=applicant["phone"],
                email=applicant["email"], address=applicant["address"][:500],
            ),
            delivery=delivery, delivery_address=delivery_address, idempotency_key=key, at=at,
            fee_inputs=draft.fee_inputs or {},
        )
        if result.replayed:  # the first submit committed everything, the draft's deletion too
            return Submitted(result.dossier, replayed=True)
        # The key read by the page is checked again under the row lock: a part saved in another
        # window after the check above forgot it (_touch), and its answers would be lost with the
        # draft. Refusing rolls the new dossier back; the review page shows the new state.
        held = Draft.objects.select_for_update().filter(pk=draft.pk).values_list("submit_key", flat=True).first()
        if held is None:
            raise DraftGone()
        if held != key:
            raise DraftProblem(_("Hồ sơ nháp vừa được sửa ở cửa sổ khác; hãy xem lại trước khi nộp."))
        dossier = result.dossier
        for f in files:
            with default_storage.open(f.storage_key, "rb") as handle:
                actions.add_file(
                    dossier, actor=user, upload=handle, name=f.original_name, component=f.component,
                    source=FileSource.WALLET if f.source == DraftFile.Source.WALLET else FileSource.UPLOADED, at=at,
                )
        if auto is not None:
            pdf = render_application(application_form(draft, spec, check.cleaned, dossier))
            try:
                with transaction.atomic():
                    actions.add_file(dossier, actor=user, upload=ContentFile(pdf), name=_application_name(spec),
                                     component=auto, source=FileSource.UPLOADED, at=at)
            except FileRefused:  # the component was set to refuse PDF: the answers are in form_data
                logger.warning("application PDF refused by component %s of %s", auto.pk, dossier.code)
        draft.delete()
        transaction.on_commit(lambda: (draft_files.delete_stored(keys), forget_previews(previews)))
    return Submitted(dossier)


# --- the review page's images of the application ----------------------------------------------


@dataclass(frozen=True)
class PreviewFile:
    """What ``signing.preview`` reads of a file: its stored bytes, type and digest."""

    storage_key: str
    sha256: str
    content_type: str = "application/pdf"


def _preview_folder(draft_id: Any) -> str:
    return f"drafts/previews/{draft_id}"


def _preview_key(draft: Draft, sha256: str) -> str:
    return f"{_preview_folder(draft.pk)}/{sha256}.pdf"


def application_preview(draft: Draft, spec: FormSpec, cleaned: dict) -> PreviewFile | None:
    """The application PDF as it will be filed (without the dossier code), made once per state of
    its inputs: ``<inputs>.key`` names the PDF (``<sha256>.pdf``) made for them, so a review page
    shown again renders nothing. Previews of earlier states of the draft are removed."""
    import hashlib

    from motcua.documents.application import render_application

    if generated_component(draft, spec) is None and not components_of(draft.version):
        return None
    form = application_form(draft, spec, cleaned, None)
    inputs = hashlib.sha256(repr(form).encode()).hexdigest()
    marker = f"{_preview_folder(draft.pk)}/{inputs}.key"
    try:
        with default_storage.open(marker, "rb") as handle:
            known = preview_file(draft, handle.read(64).decode("ascii", "replace"))
    except OSError:
        known = None
    if known is not None:
        return known
    pdf = render_application(form)
    sha = hashlib.sha256(pdf).hexdigest()
    key = _preview_key(draft, sha)
    forget_previews([k for k in preview_keys(draft) if k not in (key, marker)])
    if not default_storage.exists(key):
        default_storage.save(key, ContentFile(pdf))
    if default_storage.exists(marker):
        default_storage.delete(marker)
    default_storage.save(marker, ContentFile(sha.encode()))
    return PreviewFile(key, sha)


def preview_file(draft: Draft, sha256: str) -> PreviewFile | None:
    """A preview stored for this draft (`sha256` from the page's image address), or None."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    key = _preview_key(draft, sha256)
    return PreviewFile(key, sha256) if default_storage.exists(key) else None


def preview_keys(draft: Draft | Any) -> list[str]:
    """The stored previews of a draft (or a draft id): PDFs and the markers naming them."""
    folder = _preview_folder(getattr(draft, "pk", draft))
    try:
        _dirs, names = default_storage.listdir(folder)
    except (OSError, NotImplementedError):
        return []
    return [f"{folder}/{name}" for name in names]


def forget_previews(keys: list[str]) -> None:
    """Remove stored previews and their page images (``signing.preview``'s cache holds the
    applicant's personal data: it goes with the draft)."""
    draft_files.delete_stored(keys)
    for key in keys:
        name = key.rsplit("/", 1)[-1]
        if name.endswith(".pdf"):
            signing_preview.forget(name[:-4])


# --- a draft of a version that was replaced ----------------------------------------------------------


def rebase(draft: Draft) -> bool:
    """Move a draft to its procedure's current published version: the answers stay, the case and
    the files follow by name (files of a component that no longer exists are dropped)."""
    current = draft.version.procedure.published
    if current is None or current.pk == draft.version_id or not offers_online(current):
        return False
    components = {c.name: c for c in components_of(current)}
    cases = cases_of(current)
    dropped = []
    with transaction.atomic():
        for f in draft.files.select_related("component"):
            target = components.get(f.component.name)
            if target is None:
                dropped.append(f.storage_key)
                f.delete()
            else:
                f.component = target
                f.save(update_fields=["component"])
        old_case = draft.case.name if draft.case_id else None
        draft.case = next((c for c in cases if c.name == old_case), cases[0] if len(cases) == 1 else None)
        draft.version = current
        # Answers to fields the new e-form no longer has would be refused as unknown: drop them.
        keys = {spec.get("key") for spec in eform_for(current).schema if isinstance(spec, dict)}
        draft.form_data = {k: v for k, v in (draft.form_data or {}).items() if k in keys}
        try:  # the new version's fee rules may ask other things: keep what still fits
            draft.fee_inputs = fee_rules.clean_inputs(draft.fee_inputs or {}, fees_of(current))
        except fee_rules.FeeInputError:
            draft.fee_inputs = {}
        _touch(draft, "version", "case", "form_data", "fee_inputs")
    transaction.on_commit(lambda: draft_files.delete_stored(dropped))
    return True


def error_message(exc: Exception) -> str:
    if isinstance(exc, DraftProblem | DossierError):
        return exc.message
    return _("Có lỗi khi xử lý; hãy thử lại.")


def draft_retention_days() -> int:
    """Days a draft is kept after its last save (the daily housekeeping removes older ones)."""
    return max(int(settings.MOTCUA_DRAFT_RETENTION_DAYS), 1)
