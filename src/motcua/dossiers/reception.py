"""Reception at the counter: one domain function for every door (the counter page and the API).

NĐ 61/2018 Đ.19 (docs/architecture.md §6): the receptionist checks the papers, then either receives the
dossier (form 01), lists everything missing once (a supplement request, form 02) or refuses it
with a reason (form 03).

`receive_at_counter` checks everything first (the outcome and its checklist under the
completeness rule below, each file's type, size and content) and only then, in one transaction,
creates the dossier, stores its scans and records the outcome. Every write is a
`dossiers.actions` function (this module writes nothing itself). A failure anywhere leaves
nothing behind: no dossier, no event, and the files this call already stored are deleted again.

The completeness rule (`completeness`, `outcome_problems`, `check_outcome`) is plain Python; the
back office's check of an online dossier before reception uses it too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog import fees as fee_rules

from . import actions, counter_fees
from .errors import InvalidInput
from .files import upload_problem
from .lifecycle import MAX_MISSING_ITEMS, Capacity, Status
from .models import Channel, Delivery, Dossier, FileSource, IdempotencyKey

RECEIVE, SUPPLEMENT, REFUSE = "receive", "supplement", "refuse"
OUTCOMES = (RECEIVE, SUPPLEMENT, REFUSE)
MAX_FILES = 100  # Django's DATA_UPLOAD_MAX_NUMBER_FILES: a request with more never reaches here


@dataclass(frozen=True)
class CounterFile:
    """One scanned file handed in at the counter, for one component of the procedure."""

    component: Any  # catalog.Component of the version
    upload: IO[bytes]
    name: str


@dataclass(frozen=True)
class Completeness:
    """What the checklist says: the required components not present, and the supplement list
    (those components' names, then the other items the receptionist wrote, one per line)."""

    lacking: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.lacking


def _pk(component) -> int:
    return component if isinstance(component, int) else component.pk


def clean_lines(items: Iterable[str]) -> list[str]:
    """Free-text items, one line each, blanks dropped, spaces collapsed."""
    out = []
    for item in items:
        line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(item or "")).split())
        if line:
            out.append(line)
    return out


def completeness(components: Sequence, present: Iterable, extra: Iterable[str] = ()) -> Completeness:
    """The completeness rule: `components` are the procedure's (in order), `present` those the
    receptionist has (ticked, or scanned), `extra` the other missing items written by hand."""
    have = {_pk(c) for c in present}
    lacking = tuple(c.name for c in components if c.required and c.pk not in have)
    return Completeness(lacking=lacking, missing=lacking + tuple(clean_lines(extra)))


def outcome_problems(outcome: str, components: Sequence, present: Iterable, *, extra: Iterable[str] = (),
                     reason: str = "") -> tuple[Completeness, dict[str, str]]:
    """The checklist under the chosen outcome: (completeness, {field: message}), no problem -> {}.

    * receive: every required component present;
    * supplement: something to list (a required component not present, or an item written),
      at most MAX_MISSING_ITEMS;
    * refuse: a reason.
    Fields are the API's: outcome, present, missing, reason."""
    result = completeness(components, present, extra)
    problems: dict[str, str] = {}
    if outcome not in OUTCOMES:
        problems["outcome"] = _("Kết quả tiếp nhận phải là receive (tiếp nhận), supplement (yêu cầu bổ sung) "
                                "hoặc refuse (từ chối).")
    elif outcome == RECEIVE and result.lacking:
        problems["present"] = _("Chưa đánh dấu có các thành phần bắt buộc: %(items)s. Đánh dấu nếu đã có, "
                                "hoặc chọn “Yêu cầu bổ sung”.") % {"items": "; ".join(result.lacking)}
    elif outcome == SUPPLEMENT:
        if not result.missing:
            problems["missing"] = _("Cần liệt kê giấy tờ còn thiếu: bỏ đánh dấu thành phần chưa có, hoặc ghi nội "
                                    "dung cần bổ sung.")
        elif len(result.missing) > MAX_MISSING_ITEMS:
            problems["missing"] = _("Danh sách cần bổ sung có %(n)d mục; tối đa %(max)d.") % {
                "n": len(result.missing), "max": MAX_MISSING_ITEMS}
    elif outcome == REFUSE and not " ".join((reason or "").split()):
        problems["reason"] = _("Cần nhập lý do từ chối tiếp nhận.")
    return result, problems


# Why a required component that is not ticked is listed (the receptionist wrote no reason for it);
# stored in the event as written (Vietnamese, like every reason typed by staff), not translated.
LACKING_REASON = "Chưa có trong hồ sơ: cần nộp giấy tờ này."


def supplement_request(components: Sequence, present: Iterable, items: Iterable[Any] = (),
                       extra: Iterable[str] = (), *, scanned: Iterable = ()) -> tuple[list, list[str]]:
    """The one rule of a supplement request made at reception (the counter page, the online check
    page, POST /dossiers/receptions): (items, plain lines) as `actions.request_supplement` takes them.

    * `items` as given (`{component?, text?, reason}` each; see `supplements.clean_items`): checked,
      InvalidInput names `items[i]…`; a component listed and also ticked present is an error;
    * then every required component neither present nor listed, as an item of its own with the
      reason LACKING_REASON (so the citizen gets one upload box per paper, each with its reason);
    * `extra`: the old plain lines (deprecated `missing`), read the old way;
    * `scanned`: components with a scan (present, but a reason may still ask for them again).
    Nothing to list, or more than MAX_MISSING_ITEMS: InvalidInput (field `missing` / `items`)."""
    from . import supplements

    have = {_pk(c) for c in present}
    cleaned = supplements.clean_items(list(items), components)
    for i, item in enumerate(cleaned):
        if item.component_id is not None and item.component_id in have:
            raise InvalidInput(_("Mục %(n)d: thành phần này đã đánh dấu là có; bỏ đánh dấu nếu cần bổ sung (trường "
                                 "«items[%(i)d].component»).") % {"n": i + 1, "i": i}, field=f"items[{i}].component")
    listed = {item.component_id for item in cleaned}
    have |= {_pk(c) for c in scanned}
    lacking = [{"component": c, "text": "", "reason": LACKING_REASON} for c in components
               if c.required and c.pk not in have and c.pk not in listed]
    out = [{"component": item.component_id, "text": item.text, "reason": item.reason} for item in cleaned]
    out += lacking
    lines = clean_lines(extra)
    if not out and not lines:
        raise InvalidInput(_("Cần liệt kê giấy tờ cần bổ sung: bỏ đánh dấu thành phần chưa có hoặc chưa đạt và ghi "
                             "nội dung cần bổ sung, hoặc ghi giấy tờ khác."), field="missing")
    if len(out) + len(lines) > MAX_MISSING_ITEMS:
        raise InvalidInput(_("Danh sách cần bổ sung có %(n)d mục; tối đa %(max)d.") % {
            "n": len(out) + len(lines), "max": MAX_MISSING_ITEMS}, field="items")
    return out, lines


def file_problems(files: Sequence[CounterFile], numbers: dict[int, int]) -> list[tuple[int, str, str]]:
    """Each file checked without storing it (type from the bytes, the component's accepted types,
    size, content): [(index in `files`, field "files.<component number>", message)]."""
    out = []
    for i, f in enumerate(files):
        message = upload_problem(f.upload, f.name, f.component.accepted_types)
        if message:
            out.append((i, f"files.{numbers.get(f.component.pk, 0)}", message))
    return out


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        fields = [{"field": name, "message": message} for name, message in problems[:50]]
        raise InvalidInput(problems[0][1], field=problems[0][0], fields=fields)


def check_outcome(outcome: str, components: Sequence, present: Iterable, *, extra: Iterable[str] = (),
                  reason: str = "") -> Completeness:
    """`outcome_problems`, raising InvalidInput (every problem in `fields`) when there is one."""
    result, problems = outcome_problems(outcome, components, present, extra=extra, reason=reason)
    _refuse(list(problems.items()))
    return result


@dataclass
class Reception:
    """What `receive_at_counter` did (in ActionResult.extra["reception"])."""

    outcome: str
    missing: list[str] = field(default_factory=list)
    files: list = field(default_factory=list)  # the DossierFile rows stored


def _file_print(f) -> list:
    """What a retry must send again to be the same request: each scan's component, name and bytes
    (a retry with other scans under the same key is another request, refused, never dropped)."""
    digest, size = hashlib.sha256(), 0
    with contextlib.suppress(AttributeError, OSError):
        f.upload.seek(0)
    for chunk in iter(lambda: f.upload.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    with contextlib.suppress(AttributeError, OSError):
        f.upload.seek(0)
    return [f.component.pk if f.component is not None else None, f.name[:255], size, digest.hexdigest()]


def receive_at_counter(
    *,
    actor,
    version,
    applicant: actions.Applicant,
    case=None,
    files: Sequence[CounterFile | tuple] = (),
    present: Iterable = (),
    outcome: str = RECEIVE,
    missing: Iterable[str] = (),
    items: Iterable[Any] = (),
    reason: str = "",
    channel: int = Channel.COUNTER,
    delivery: str | None = None,
    delivery_address: str = "",
    form_data: dict | None = None,
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
    fee: dict[str, Any] | None = None,
    fee_inputs: dict | None = None,
) -> actions.ActionResult:
    """A dossier received at the counter (or by post), with its scans and the reception outcome.

    * `present`: the components the receptionist has seen (Component or pk); a component with
      a scan in `files` is present too;
    * `files`: (component, upload, name) per scanned file; stored unless the dossier is refused
      (the papers go back to the applicant);
    * `outcome`: receive (status 2, form 01), supplement (status 5, form 02: `items`, each
      `{component?, text?, reason}`, beyond the unticked required components — `supplement_request`;
      `missing`, plain lines, is the old way, still read) or refuse (status 3 with `reason`);
    * `delivery` post without `delivery_address`: the applicant's address;
    * `fee` ({amount_vnd, method, receipt_number}), with the outcome receive: the fee collected
      at reception, recorded by `actions.record_fee` in the same transaction (issue #17);
      extra["fee_event"] is its event.
    * `fee_inputs` ({copies, pages, kind}): what the applicant declares for the fee rules, stored
      on the dossier (`actions.create_dossier`); checked with everything else (field
      «fee_inputs.copies»…) before any write.

    Returns the outcome's ActionResult (replayed=True when `idempotency_key` was used before
    for the same request); extra["reception"] is a `Reception`. Raises the action layer's
    errors; InvalidInput carries every problem of the checklist and the files in `fields`.
    """
    at = at or timezone.now()
    components = list(version.components.order_by("order", "id")) if version is not None else []
    numbers = {c.pk: i for i, c in enumerate(components, 1)}
    counter_files = [f if isinstance(f, CounterFile) else CounterFile(*f) for f in files]
    problems: list[tuple[str, str]] = []
    try:
        channel = Channel(int(channel))
    except (TypeError, ValueError):
        channel = None
    if channel not in (Channel.COUNTER, Channel.POST):
        problems.append(("channel", _("Tiếp nhận tại quầy chỉ cho kênh 1 (trực tiếp) hoặc 3 (bưu chính).")))
    if len(counter_files) > MAX_FILES:
        problems.append(("files", _("Tối đa %(n)d tệp cho một lần tiếp nhận.") % {"n": MAX_FILES}))
        counter_files = counter_files[:MAX_FILES]
    ticked = sorted({_pk(c) for c in present})
    for pk in ticked:
        if pk not in numbers:
            problems.append(("present", _("Thành phần hồ sơ không thuộc thủ tục này (trường «present»).")))
            break
    for f in counter_files:
        if f.component is None or f.component.pk not in numbers:
            problems.append(("files", _("Tệp «%(name)s» không gắn với thành phần hồ sơ nào của thủ tục này.")
                             % {"name": f.name[:255]}))
            break
    extra = clean_lines(missing)
    have = set(ticked) | {f.component.pk for f in counter_files if f.component is not None}
    items = list(items or ())
    listed: list = []
    if outcome == SUPPLEMENT:
        try:
            listed, extra = supplement_request(components, ticked, items, extra, scanned=have)
        except InvalidInput as exc:
            problems.append((exc.field or "items", exc.message))
        result = completeness(components, have, extra)
    else:
        result, outcome_errors = outcome_problems(outcome, components, have, extra=extra, reason=reason)
        problems += list(outcome_errors.items())
    if fee and outcome == RECEIVE:  # the fee's values checked with everything else, before any write
        try:
            counter_fees.check(Status.RECEIVED, {Capacity.RECEPTIONIST}, **fee)
        except InvalidInput as exc:
            problems.append((exc.field, exc.message))
    if version is not None:
        try:
            fee_rules.clean_inputs(fee_inputs, list(version.fees.all()))
        except fee_rules.FeeInputError as exc:
            problems.append((exc.field if exc.field == "fee_inputs" else f"fee_inputs.{exc.field}", exc.message))
    checkable = [f for f in counter_files if f.component is not None and f.component.pk in numbers]
    problems += [(name, message) for _i, name, message in file_problems(checkable, numbers)]
    _refuse(problems)

    if delivery == Delivery.POST and not " ".join((delivery_address or "").split()):
        delivery_address = applicant.address  # the result goes to the address written on the form
    stored: list[str] = []
    try:
        with transaction.atomic():
            created = actions.create_dossier(
                actor=actor, version=version, case=case, channel=channel, applicant=applicant, form_data=form_data,
                receive=outcome == RECEIVE, delivery=delivery, delivery_address=delivery_address,
                idempotency_key=idempotency_key, at=at, fee_inputs=fee_inputs,
                fingerprint={"outcome": outcome, "present": ticked, "missing": extra,
                             **({"items": [[getattr(i["component"], "pk", i["component"]), i["text"], i["reason"]]
                                           for i in listed]} if listed else {}),
                             "reason": " ".join((reason or "").split()),
                             "files": [_file_print(f) for f in counter_files],
                             # the same key with another fee or other inputs is a conflict, not a replay
                             **({"fee": fee} if fee and outcome == RECEIVE else {}),
                             **({"fee_inputs": fee_inputs} if fee_inputs else {})},
            )
            if created.replayed:
                named = {c.pk: c.name for c in components}
                listed_names = [i.get("text") or named.get(_pk(i["component"]), "") for i in listed] + extra
                created.extra["reception"] = Reception(outcome, listed_names if outcome == SUPPLEMENT else [])
                fee_row = (IdempotencyKey.objects.filter(actor=actor, key=actions.fee_key(idempotency_key))
                           .select_related("event").first() if fee and outcome == RECEIVE else None)
                if fee_row is not None and fee_row.event is not None:
                    created.extra["fee_event"] = fee_row.event  # as the first answer gave it
                return created
            dossier = created.dossier
            reception = Reception(outcome)
            if outcome != REFUSE:
                for f in counter_files:
                    added = actions.add_file(dossier, actor=actor, upload=f.upload, name=f.name,
                                             component=f.component, source=FileSource.SCANNED, at=at)
                    stored.append(added.file.storage_key)
                    reception.files.append(added.file)
            if outcome == SUPPLEMENT:
                if listed:
                    final = actions.request_supplement(dossier, actor=actor, items=listed, missing=extra, at=at)
                else:  # plain lines only (the deprecated `missing`)
                    final = actions.request_supplement(dossier, actor=actor, missing=extra, at=at)
                reception.missing = list(final.event.data.get("missing", []))
            elif outcome == REFUSE:
                final = actions.refuse(dossier, actor=actor, reason=reason, at=at)
            else:
                final = actions.ActionResult(dossier=Dossier.objects.get(pk=dossier.pk), event=created.event)
                if fee:
                    recorded = actions.record_fee(
                        dossier, actor=actor, at=at, **fee,
                        idempotency_key=actions.fee_key(idempotency_key))
                    final = actions.ActionResult(dossier=recorded.dossier, event=created.event,
                                                 extra={"fee_event": recorded.event})
    except BaseException:
        for key in stored:  # nothing refers to them any more
            with contextlib.suppress(OSError):
                default_storage.delete(key)
        raise
    final.extra["reception"] = reception
    return final
