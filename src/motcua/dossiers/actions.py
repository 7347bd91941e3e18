"""The only code that writes dossiers (Zulip-style actions, docs/architecture.md §2).

Every action:
1. runs in one `transaction.atomic()`;
2. claims its idempotency key first, when given (a retry returns the first result);
3. re-reads the dossier row with `select_for_update()` (PostgreSQL; SQLite holds its write lock
   for the whole IMMEDIATE transaction) and compares `version` with the caller's
   `expected_version` -> ConcurrentUpdate;
4. asks the pure lifecycle (`lifecycle.decide`) -> ActionNotAllowed / PermissionDenied / InvalidInput;
5. writes the changed fields with `UPDATE ... WHERE version = <read version>` (a second guard)
   and increments `version`;
6. appends its Event (unique per dossier and version) in the same transaction.

Deadlines go through `deadlines.py` (the worktime app). Times default to now; tests pass `at`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts import services as account_services
from motcua.accounts.models import phone_validator
from motcua.audit.chain import seal_event
from motcua.core.dates import iso as _iso
from motcua.core.money import vnd
from motcua.eforms.answers import clean_answers
from motcua.eforms.schema import subject_text
from motcua.eforms.services import eform_for

from . import counter_fees, deadlines, lifecycle, numbers, supplements, tracking
from .codes import allocate_code, new_tracking_key
from .errors import (
    ActionNotAllowed,
    ConcurrentUpdate,
    DossierNotFound,
    IdempotencyConflict,
    InvalidInput,
    PermissionDenied,
)
from .files import check_and_store
from .lifecycle import Action, Capacity, Clock, Decision
from .models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierFile,
    Event,
    EventKind,
    FileKind,
    FileSource,
    IdempotencyKey,
    Status,
)
from .queries import (
    COMPONENT_FILE_RIGHTS,
    RESULT_FILE_RIGHTS,
    can_see,
    capacities,
    state_of,
    step_agency_id,
    steps_of,
)
from .signals import dossier_approval_unlock, dossier_approving, dossier_completing, event_recorded

MAX_IDEMPOTENCY_KEY = 100
PERSON_ID_RE = r"^\d{12}$"
ORGANISATION_ID_RE = r"^\d{10}(-?\d{3})?$"


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""
    kind: str = ApplicantKind.PERSON


@dataclass
class ActionResult:
    dossier: Dossier
    event: Event | None
    replayed: bool = False  # True when an idempotency key returned an earlier result
    file: DossierFile | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _now(at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("aware datetimes only")
    return at


def _require_user(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Cần đăng nhập để thực hiện thao tác này."), code="unauthenticated")


# --- idempotency ------------------------------------------------------------------------------


def _fingerprint(operation: str, target: object, params: dict[str, Any]) -> str:
    payload = json.dumps({"op": operation, "target": target, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _check_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    key = str(key).strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInput(
            _("Khóa chống lặp (Idempotency-Key) phải có từ 1 đến %(n)d ký tự in được.") % {"n": MAX_IDEMPOTENCY_KEY},
            field="Idempotency-Key",
        )
    return key


def _replay(row: IdempotencyKey, fingerprint: str) -> ActionResult:
    if row.fingerprint != fingerprint:
        raise IdempotencyConflict(
            _("Khóa chống lặp «%(key)s» đã được dùng cho một yêu cầu khác.") % {"key": row.key[:100]}
        )
    dossier = Dossier.objects.get(pk=row.dossier_id)
    return ActionResult(dossier=dossier, event=row.event, replayed=True)


def _claim_key(actor, key: str, operation: str, fingerprint: str) -> tuple[IdempotencyKey | None, ActionResult | None]:
    """Inside the caller's transaction: (our new key row, None) or (None, the earlier result)."""
    existing = IdempotencyKey.objects.filter(actor=actor, key=key).select_related("event").first()
    if existing is not None:
        return None, _replay(existing, fingerprint)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin makes only this insert fail
            row = IdempotencyKey.objects.create(actor=actor, key=key, operation=operation, fingerprint=fingerprint)
    except IntegrityError:
        # Another request with the same key committed first (PostgreSQL waited for it).
        existing = IdempotencyKey.objects.select_related("event").get(actor=actor, key=key)
        return None, _replay(existing, fingerprint)
    return row, None


# --- writing ------------------------------------------------------------------------------------


def _locked(dossier_ref: Dossier | int, expected_version: int | None) -> Dossier:
    pk = dossier_ref.pk if isinstance(dossier_ref, Dossier) else int(dossier_ref)
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version", "case", "agency", "handling_agency")
        .get(pk=pk)
    )
    if expected_version is not None and dossier.version != expected_version:
        raise ConcurrentUpdate(
            _("Hồ sơ %(code)s vừa được người khác cập nhật (phiên bản %(now)d, bạn đang xem phiên bản %(seen)d); "
              "hãy tải lại rồi thao tác lại.")
            % {"code": dossier.code, "now": dossier.version, "seen": expected_version},
            current_version=dossier.version,
        )
    return dossier


def _write(dossier: Dossier, fields: set[str], at: dt.datetime) -> None:
    """UPDATE the changed fields and bump the version, guarded by the version read under lock."""
    read_version = dossier.version
    values = {}
    for name in fields:
        model_field = Dossier._meta.get_field(name)
        values[model_field.attname] = getattr(dossier, model_field.attname)
    # updated_at is when the row was written (the clock), not the action's business time `at`:
    # the reports' summary finds what changed since its last refresh by it.
    written = timezone.now()
    updated = Dossier.objects.filter(pk=dossier.pk, version=read_version).update(
        **values, version=read_version + 1, updated_at=written
    )
    if updated != 1:  # only reachable if a writer bypassed the lock
        raise ConcurrentUpdate(_("Hồ sơ %(code)s vừa được người khác cập nhật; hãy tải lại.") % {"code": dossier.code})
    dossier.version = read_version + 1
    dossier.updated_at = written


def _event(dossier: Dossier, kind: str, actor, at: dt.datetime, **fields: Any) -> Event:
    # The public page shows the change at once: forget now, and again on commit in case a
    # reader cached the old state in between.
    code = dossier.code
    tracking.forget(code)
    transaction.on_commit(lambda: tracking.forget(code))
    event = Event(dossier=dossier, version=dossier.version, kind=kind, actor=actor, at=at, **fields)
    # Hash chain: the dossier row is locked (or new), so the previous event is stable.
    prev = "" if dossier.version <= 1 else (
        Event.objects.filter(dossier=dossier, version=dossier.version - 1).values_list("hash", flat=True).first()
    )
    seal_event(event, dossier.code, prev or "")
    event.save(force_insert=True)
    event_recorded.send(sender=Event, event=event)  # e.g. notifications, queued in this transaction
    return event


def _agency(agency_id: int):
    from motcua.agencies.models import Agency

    return Agency.objects.get(pk=agency_id)


def _enter_step(dossier: Dossier, step, at: dt.datetime, assignee) -> set[str]:
    agency = _agency(step_agency_id(dossier, step))
    dossier.current_step = step
    dossier.current_role = step.role
    dossier.handling_agency = agency
    dossier.step_started_at = at
    dossier.step_due_at = deadlines.step_due(agency, at, step.quota_hours)
    dossier.assignee = assignee
    return {"current_step", "current_role", "handling_agency", "step_started_at", "step_due_at", "assignee"}


def _close_pause(dossier: Dossier, at: dt.datetime) -> tuple[set[str], dict[str, Any]]:
    """Restart the clock: the working time paused moves the due times forward."""
    if dossier.paused_at is None:
        return set(), {}
    paused = deadlines.paused_working_time(dossier.agency, dossier.paused_at, at)
    info: dict[str, Any] = {
        "paused_from": _iso(dossier.paused_at),
        "paused_seconds": int(paused.total_seconds()),
        "due_at_before": _iso(dossier.due_at),
    }
    if dossier.due_at is not None:
        dossier.due_at = deadlines.shift(dossier.agency, dossier.due_at, paused)
    if dossier.step_due_at is not None:
        handling = dossier.handling_agency
        step_paused = deadlines.paused_working_time(handling, dossier.paused_at, at)
        dossier.step_due_at = deadlines.shift(handling, dossier.step_due_at, step_paused)
    dossier.paused_total += paused
    dossier.paused_at = None
    info["due_at"] = _iso(dossier.due_at)
    return {"due_at", "step_due_at", "paused_total", "paused_at"}, info


def _resolve_user(value, field_name: str):
    from motcua.accounts.models import User

    if value is None or value == "":
        return None
    if isinstance(value, User):
        return value
    query = User.objects.filter(pk=value) if isinstance(value, int) else User.objects.filter(username=str(value))
    user = query.filter(is_active=True).first()
    if user is None:
        raise InvalidInput(
            _("Không tìm thấy cán bộ «%(user)s» (trường «%(field)s»).")
            % {"user": str(value)[:150], "field": field_name},
            field=field_name,
        )
    return user


def _check_target(user, agency_id: int, step, field_name: str) -> None:
    from motcua.accounts.models import Membership

    if not Membership.objects.filter(user=user, agency_id=agency_id, role=step.role, active=True).exists():
        raise InvalidInput(
            _("Cán bộ «%(user)s» không giữ vai trò «%(role)s» tại cơ quan thực hiện bước «%(step)s» "
              "(trường «%(field)s»).")
            % {"user": user.username, "role": step.get_role_display(), "step": step.name, "field": field_name},
            field=field_name,
            code="invalid_handover_target",
        )


def _previous_handler(dossier: Dossier, step) -> Any:
    """Who last handed the dossier on from `step` (to give it back to them on a return)."""
    event = (
        Event.objects.filter(dossier=dossier, from_step=step, kind=EventKind.HANDOVER)
        .order_by("-version").select_related("actor").first()
    )
    return event.actor if event else None


# --- the generic action runner -------------------------------------------------------------------


def perform(
    dossier: Dossier | int,
    action: Action | str,
    *,
    actor,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
    reason: str = "",
    note: str = "",
    missing: Sequence[str] = (),
    items: Sequence[Any] = (),
    to_user=None,
    new_due_at: dt.datetime | None = None,
    pause_kind: str = lifecycle.PauseKind.OTHER,
    originals_checked: bool = False,
    applicant_signed: bool = False,
    fee_collected: int = 0,
    receipt_number: str = "",
    delivery: str | None = None,
    postal_number: str = "",
    posted_on: dt.date | None = None,
    pin: str | None = None,
) -> ActionResult:
    """Take `action` on `dossier` as `actor`. The named functions below are the same with the
    parameters each action uses; the API calls this one.

    What the system then does by itself (`lifecycle.automatic_after`) is written in the same
    transaction with its own event, actor none: completing a dossier whose applicant chose an
    electronic result returns it at once (`result_delivered`, status 10). The result's `event`
    is the action's own; `extra["followed_by"]` the system's."""
    _require_user(actor)
    action = lifecycle.parse_action(action) if not isinstance(action, Action) else action
    at = _now(at)
    key = _check_key(idempotency_key)
    pk = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    if action != Action.REQUEST_SUPPLEMENT:
        items = ()  # items belong to a supplement request; any other action ignores them
    params = {
        "reason": reason, "note": note, "missing": list(missing),
        "to_user": getattr(to_user, "pk", to_user),
        "new_due_at": new_due_at, "pause_kind": pause_kind, "originals_checked": originals_checked,
        "applicant_signed": applicant_signed, "fee_collected": fee_collected, "receipt_number": receipt_number,
        "delivery": delivery, "expected_version": expected_version,
    }
    # Only where given, so that the fingerprints of other actions stay as they were.
    if action == Action.POST_RESULT:
        params |= {"postal_number": postal_number, "posted_on": posted_on}
    if action == Action.REQUEST_SUPPLEMENT:
        params["items"] = _item_print(items)
    # The approver's key is opened before the dossier's transaction (the PIN itself is never part of
    # the fingerprint, the event or any log): a wrong PIN is counted and logged even though the
    # action is refused.
    unlocked = None
    if action == Action.APPROVE and not (key and IdempotencyKey.objects.filter(actor=actor, key=key).exists()):
        unlocked = _unlock_for_approval(pk, actor, at, pin)  # a retry with a used key replays instead
    with transaction.atomic():
        key_row = None
        if key:
            key_row, replay = _claim_key(actor, key, f"action:{action}", _fingerprint(action, pk, params))
            if replay is not None:
                return replay
        d = _locked(pk, expected_version)
        if not can_see(actor, d):
            raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."), code="forbidden")
        state = state_of(d)
        decision = lifecycle.decide(
            action, state, capacities(actor, d), now=at,
            reason=reason, missing=missing, new_due_at=new_due_at, pause_kind=pause_kind, item_count=len(items),
            postal_number=postal_number,
        )
        cleaned = supplements.clean_items(items, list(d.procedure_version.components.all())) if items else []
        event_fields = _apply(
            d, decision, actor, at, reason=" ".join((reason or "").split()), note=(note or "").strip(),
            missing=[" ".join(m.split()) for m in missing], items=cleaned, to_user=to_user, new_due_at=new_due_at,
            pause_kind=pause_kind, originals_checked=originals_checked, applicant_signed=applicant_signed,
            fee_collected=fee_collected, receipt_number=receipt_number, delivery=delivery,
            postal_number=" ".join((postal_number or "").split()), posted_on=posted_on, unlocked=unlocked,
        )
        event = _event(d, decision.event_kind, actor, at, **event_fields)
        extra = _after_decision(d, decision, state, event, at)
        if key_row is not None:
            key_row.dossier, key_row.event = d, event
            key_row.save(update_fields=["dossier", "event"])
    return ActionResult(dossier=d, event=event, extra=extra)


def _after_decision(d: Dossier, decision: Decision, state, event: Event, at: dt.datetime) -> dict[str, Any]:
    """What follows every decided action in its transaction, whoever took it (a person through
    `perform`, or the system): the paper it hands out takes its number, a paid fee of a dossier
    that ends without a result is to be refunded, and an automatic next action runs."""
    numbers.issue_for(event, d, at)  # forms 02-05
    extra: dict[str, Any] = {}
    if counter_fees.refund_due(decision.to_status, d.fee_collected):
        extra["refund"] = _open_refund(d, event, at)  # "chờ hoàn phí"
    follow = lifecycle.automatic_after(decision, state)
    if follow is not None:
        extra["followed_by"] = _system_action(d, follow, at, after=event)
    return extra


_NO_PARAMS: dict[str, Any] = {
    "reason": "", "note": "", "missing": [], "items": [], "to_user": None, "new_due_at": None,
    "pause_kind": lifecycle.PauseKind.OTHER, "originals_checked": False, "applicant_signed": False,
    "fee_collected": 0, "receipt_number": "", "delivery": None, "postal_number": "", "posted_on": None,
    "unlocked": None,
}


def _unlock_for_approval(pk: int, actor, at: dt.datetime, pin: str | None) -> Any:
    """Check the approval is allowed now (without the lock), then let the signing app open the
    approver's key with the PIN (its own transaction: a wrong PIN is counted and logged even
    though the approval is refused). Returns what the signing app needs to sign, or None.

    Must not run inside an outer transaction: its rollback would undo the count of a wrong PIN
    (and so the lockout). `durable=True` is Django's assertion of that ("A durable atomic block
    cannot be nested within another atomic block", RuntimeError); a test case's own transaction
    is exempt, where a plain `connection.in_atomic_block` check would always be true."""
    with transaction.atomic(durable=True):  # asserts: not inside an outer transaction
        d = Dossier.objects.select_related("procedure_version", "case", "agency", "handling_agency").get(pk=pk)
        if not can_see(actor, d):
            raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."), code="forbidden")
        lifecycle.decide(Action.APPROVE, state_of(d), capacities(actor, d), now=at)
    unlocked = None
    for _receiver, value in dossier_approval_unlock.send(sender=Dossier, dossier=d, actor=actor, pin=pin, at=at):
        unlocked = value if value is not None else unlocked
    return unlocked


def _system_action(d: Dossier, action: Action, at: dt.datetime, *, after: Event) -> Event:
    """An action the system takes by itself (no user), inside the caller's transaction and row lock."""
    decision = lifecycle.decide(action, state_of(d), {Capacity.SYSTEM}, now=at)
    event_fields = _apply(d, decision, None, at, after=after, **_NO_PARAMS)
    return _event(d, decision.event_kind, None, at, **event_fields)


def _offered_results(d: Dossier, completion: Event | None) -> list[int]:
    """The result files the applicant receives: each signed copy in place of its source (the
    leader's approval signs first, the completion countersigns: only the last copy is offered)."""
    signed = list((completion.data or {}).get("signed_results", []) if completion is not None else [])
    for approval in d.events.filter(kind=lifecycle.EVENT_KIND[Action.APPROVE]).only("data"):
        signed += (approval.data or {}).get("signed_results", [])
        signed += ((approval.data or {}).get("completion") or {}).get("signed_results", [])  # approved at the last step
    sources = {item.get("source_file_id") for item in signed}
    files = DossierFile.objects.filter(dossier_id=d.pk, kind=FileKind.RESULT).order_by("uploaded_at", "id")
    return [pk for pk in files.values_list("pk", flat=True) if pk not in sources]


def _item_print(items: Sequence[Any]) -> list:
    """The items as a retry must send them again (a component as its id)."""
    out = []
    for item in items:
        if isinstance(item, dict):
            item = {k: getattr(v, "pk", v) for k, v in item.items()}
        out.append(item)
    return out


def _apply(d: Dossier, decision: Decision, actor, at: dt.datetime, **p: Any) -> dict[str, Any]:
    """Change `d` as the decision says, write it, and return the event's fields."""
    action = decision.action
    changed: set[str] = {"status"}
    data: dict[str, Any] = {}
    ev: dict[str, Any] = {
        "from_status": decision.from_status, "to_status": decision.to_status,
        "from_step": d.current_step, "to_step": d.current_step,
        "from_agency": d.handling_agency, "to_agency": d.handling_agency,
        "from_assignee": d.assignee, "to_assignee": d.assignee,
        "note": p["reason"] or p["note"],
    }
    steps = steps_of(d.case_id)

    if decision.clock == Clock.RESUME:
        fields, info = _close_pause(d, at)
        changed |= fields
        data.update(info)

    if action == Action.RECEIVE:
        changed |= _receive(d, actor, at, steps)
        data["due_at"] = _iso(d.due_at)
    elif action == Action.REFUSE:
        d.closed_at = at
        changed.add("closed_at")
    elif action == Action.REQUEST_SUPPLEMENT:
        data["missing"] = p["missing"]
        if p["items"]:  # the items first, then any plain lines sent with them (read the old way)
            extra = supplements.items_of({"missing": p["missing"]}, list(d.procedure_version.components.all()))
            listed = list(p["items"]) + extra
            data["items"] = [item.as_data() for item in listed]
            data["missing"] = [item.text for item in listed]  # the text list older readers use
        data["phase"] = str(decision.phase)
        d.resume_status = decision.resume_status
        changed.add("resume_status")
        if decision.phase == lifecycle.Phase.RECEPTION:
            d.reception_supplement_requested = True
            changed.add("reception_supplement_requested")
        else:
            d.paused_at = at
            d.supplement_count = decision.supplement_count
            d.counts_as_late = d.counts_as_late or decision.counts_as_late
            changed |= {"paused_at", "supplement_count", "counts_as_late"}
            data["count"] = d.supplement_count
            data["counts_as_late"] = decision.counts_as_late
    elif action == Action.SUPPLY:
        data["phase"] = str(decision.phase)
        d.resume_status = None
        changed.add("resume_status")
    elif action == Action.CLAIM:
        d.assignee = actor
        changed.add("assignee")
    elif action in (Action.HANDOVER, Action.RETURN_TO_PREVIOUS):
        target_step = steps[decision.step_index]
        target_agency = step_agency_id(d, target_step)
        target = _resolve_user(p["to_user"], "to_user")
        if target is not None:
            _check_target(target, target_agency, target_step, "to_user")
        elif action == Action.RETURN_TO_PREVIOUS:
            previous = _previous_handler(d, target_step)
            if previous is not None:
                try:
                    _check_target(previous, target_agency, target_step, "to_user")
                    target = previous
                except InvalidInput:
                    target = None  # they no longer hold the role: back to the pool
        ev["step_punctuality"] = deadlines.punctuality(d.step_due_at, at)
        data["step_due_at"] = _iso(d.step_due_at)
        changed |= _enter_step(d, target_step, at, target)
    elif action == Action.PAUSE:
        d.paused_at = at
        d.resume_status = decision.resume_status
        changed |= {"paused_at", "resume_status"}
        data["kind"] = str(p["pause_kind"])
    elif action == Action.RESUME:
        d.resume_status = None
        changed.add("resume_status")
    elif action == Action.EXTEND:
        data["due_at_before"] = _iso(d.due_at)
        d.due_at = p["new_due_at"]
        d.extension_count += 1
        changed |= {"due_at", "extension_count"}
        data["due_at"] = _iso(d.due_at)
    elif action in (Action.STOP, Action.WITHDRAW):
        d.closed_at = at
        changed.add("closed_at")
    elif action == Action.COMPLETE:
        changed |= _complete(d, actor, at, ev, data)
    elif action == Action.APPROVE:
        changed |= _approve(d, decision, actor, at, steps, ev, data, p.get("unlocked"))
    elif action == Action.RETURN_RESULT:
        changed |= _return_result(d, actor, at, p, data)
    elif action == Action.DELIVER_RESULT:
        # The electronic result is the applicant's as soon as it is ready: returned, no counter step.
        d.returned_at = at
        changed.add("returned_at")
        data.update(delivery=Delivery.ONLINE, result_files=_offered_results(d, p.get("after")))
    elif action == Action.POST_RESULT:
        posted_on = p["posted_on"] or timezone.localdate(at)
        if posted_on > timezone.localdate(at):
            raise InvalidInput(_("Ngày gửi bưu chính không được sau hôm nay (trường «posted_on»)."),
                               field="posted_on")
        data.update(postal_number=p["postal_number"], posted_on=posted_on.isoformat(), address=d.delivery_address)
    elif action == Action.CONFIRM_DELIVERY:
        d.returned_at = at
        changed.add("returned_at")
        posted = d.events.filter(kind=EventKind.RESULT_POSTED).order_by("-version").first()
        number = (posted.data or {}).get("postal_number", "") if posted else ""
        data.update(delivery=Delivery.POST, postal_number=number)
    elif action == Action.HAND_OVER_PAPER_COPY:
        data["delivery"] = Delivery.ONLINE  # a paper copy of an electronic result: the status stays 10

    d.status = decision.to_status
    _write(d, changed, at)
    ev.update(to_step=d.current_step, to_agency=d.handling_agency, to_assignee=d.assignee, data=data)
    return ev


def _complete(d: Dossier, actor, at: dt.datetime, ev: dict[str, Any], data: dict[str, Any]) -> set[str]:
    d.finished_at = at
    ev["step_punctuality"] = deadlines.punctuality(d.step_due_at, at)
    data["punctuality"] = "late" if d.counts_as_late else deadlines.punctuality(d.due_at, at)
    data["due_at"] = _iso(d.due_at)
    for _receiver, extra in dossier_completing.send(sender=Dossier, dossier=d, at=at, actor=actor):
        data.update(extra or {})  # e.g. the signing app's signed copies of the results
    return {"finished_at"}


def _approve(d: Dossier, decision: Decision, actor, at: dt.datetime, steps: tuple, ev: dict[str, Any],
             data: dict[str, Any], unlocked: Any) -> set[str]:
    """The leader approves: the signing app signs the results (certification signature), then the
    dossier goes on to the next step's pool (the clerk who issues the result), or completes when
    the approval step is the last one (the completion's data under "completion")."""
    data["approver"] = {"id": actor.pk, "name": actor.get_full_name() or actor.get_username()}
    for _receiver, extra in dossier_approving.send(sender=Dossier, dossier=d, at=at, actor=actor, unlocked=unlocked):
        data.update(extra or {})  # the signed copies (signed_results), or why a file stayed unsigned
    # The result files this approval covers (the leader's signed copies included): completion
    # refuses any added later (lifecycle: results_not_approved).
    data["approved_files"] = list(
        DossierFile.objects.filter(dossier_id=d.pk, kind=FileKind.RESULT).order_by("id").values_list("pk", flat=True))
    if decision.step_move == 1:
        ev["step_punctuality"] = deadlines.punctuality(d.step_due_at, at)
        data["step_due_at"] = _iso(d.step_due_at)
        return _enter_step(d, steps[decision.step_index], at, None)
    completion: dict[str, Any] = {}
    changed = _complete(d, actor, at, ev, completion)
    data["completion"] = completion
    return changed


def _receive(d: Dossier, actor, at: dt.datetime, steps: tuple) -> set[str]:
    d.received_at = at
    d.due_at = d.original_due_at = deadlines.case_due(d.agency, d.case, at)
    changed = {"received_at", "due_at", "original_due_at"}
    if d.reception_number is None:  # form 01's number and the ledger entry: given once, kept for good
        d.reception_number = numbers.allocate(d.agency, numbers.RECEIPT, at)
        d.ledger_number = numbers.allocate(d.agency, numbers.LEDGER, at)
        changed |= {"reception_number", "ledger_number"}
    if steps:
        first = steps[0]
        # The receptionist who receives is the holder of the reception step.
        holder = actor if first.role == "receptionist" and step_agency_id(d, first) == d.agency_id else None
        changed |= _enter_step(d, first, at, holder)
    else:
        d.handling_agency = d.procedure_version.agency
        changed.add("handling_agency")
    return changed


def _return_result(d: Dossier, actor, at: dt.datetime, p: dict[str, Any], data: dict[str, Any]) -> set[str]:
    """The hand-over. `fee_collected`/`receipt_number` are deprecated (use `record_fee`): a fee
    given here is recorded by the same code as `record_fee` (its own `fee_recorded` event, method
    cash, before the return's event), so the ledger sees one kind of record."""
    fee = p["fee_collected"] or 0
    if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
        raise InvalidInput(_("Số tiền thu phải là số nguyên không âm (trường «fee_collected»)."), field="fee_collected")
    receipt = (p["receipt_number"] or "").strip()
    if fee > 0 and not receipt:
        raise InvalidInput(_("Đã thu phí thì cần số biên lai (trường «receipt_number»)."), field="receipt_number")
    if len(receipt) > 50:
        raise InvalidInput(_("Số biên lai dài quá 50 ký tự (trường «receipt_number»)."), field="receipt_number")
    if fee > 0:
        _record_fee_locked(d, actor, at, amount_vnd=fee, method=counter_fees.CASH, receipt_number=receipt,
                           recorders=counter_fees.RECORDERS | {Capacity.STEP_HOLDER})
    changed = {"returned_at", "originals_checked", "applicant_signed", "receipt_number"}
    if p["delivery"]:
        if p["delivery"] not in Delivery.values:
            raise InvalidInput(_("Hình thức nhận kết quả không hợp lệ (trường «delivery»)."), field="delivery")
        d.delivery = p["delivery"]
        changed.add("delivery")
    d.returned_at = at
    d.originals_checked = bool(p["originals_checked"])
    d.applicant_signed = bool(p["applicant_signed"])
    if receipt:
        d.receipt_number = receipt
    data.update(originals_checked=d.originals_checked, applicant_signed=d.applicant_signed, fee_collected=fee,
                receipt_number=receipt, delivery=d.delivery)
    return changed


# --- named actions (what the back office calls) ---------------------------------------------------

def receive(dossier, *, actor, note: str = "", **common: Any) -> ActionResult:
    """Status 1 -> 2: the counter receives an online dossier (form 01); the due time is set."""
    return perform(dossier, Action.RECEIVE, actor=actor, note=note, **common)


def refuse(dossier, *, actor, reason: str, **common: Any) -> ActionResult:
    """Status 1 -> 3 with a reason (form 03)."""
    return perform(dossier, Action.REFUSE, actor=actor, reason=reason, **common)


def refuse_by_system(dossier, *, reason: str, still: Any = None, at: dt.datetime | None = None) -> ActionResult | None:
    """Status 1 -> 3 by the system itself (actor none), with a reason (form 03 takes its number):
    an online dossier whose fee due at submission was not paid by the agency's deadline.
    `still(d)`, if given, is asked again under the row lock; when it is false nothing is done and
    None is returned (the fee was paid, or the counter acted, meanwhile)."""
    at = _now(at)
    pk = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    with transaction.atomic():
        d = _locked(pk, None)
        if still is not None and not still(d):
            return None
        reason = " ".join((reason or "").split())
        state = state_of(d)
        decision = lifecycle.decide(Action.REFUSE, state, {Capacity.SYSTEM}, now=at, reason=reason)
        event_fields = _apply(d, decision, None, at, **{**_NO_PARAMS, "reason": reason})
        event = _event(d, decision.event_kind, None, at, **event_fields)
        extra = _after_decision(d, decision, state, event, at)  # as `perform`: form 03, a refund if paid
    return ActionResult(dossier=d, event=event, extra=extra)


def request_supplement(dossier, *, actor, missing: Sequence[str] = (), items: Sequence[Any] = (), note: str = "",
                       **common: Any) -> ActionResult:
    """-> 5 listing everything to supplement (form 02): once at reception; after receipt the clock stops.
    `items`: `{component?, text?, reason}` each (see `supplements`); `missing`: plain lines, the old way."""
    return perform(dossier, Action.REQUEST_SUPPLEMENT, actor=actor, missing=missing, items=items, note=note,
                   **common)


def supply(dossier, *, actor, note: str = "", **common: Any) -> ActionResult:
    """5 -> back (1 at reception; 2/4 after receipt, the clock restarts)."""
    return perform(dossier, Action.SUPPLY, actor=actor, note=note, **common)


def claim(dossier, *, actor, **common: Any) -> ActionResult:
    """A member of the current step's role pool takes the dossier."""
    return perform(dossier, Action.CLAIM, actor=actor, **common)


def handover(dossier, *, actor, to_user=None, note: str = "", **common: Any) -> ActionResult:
    """To the next workflow step: a named holder of its role in its agency, or its role pool."""
    return perform(dossier, Action.HANDOVER, actor=actor, to_user=to_user, note=note, **common)


def return_to_previous(dossier, *, actor, reason: str, to_user=None, **common: Any) -> ActionResult:
    """Back to the previous step, with a reason (to whoever last handled it, if still in the role)."""
    return perform(dossier, Action.RETURN_TO_PREVIOUS, actor=actor, reason=reason, to_user=to_user, **common)


def pause(dossier, *, actor, reason: str, kind: str = lifecycle.PauseKind.OTHER, **common: Any) -> ActionResult:
    """Stop the clock; kind="payment" -> status 6 (awaiting a financial obligation)."""
    return perform(dossier, Action.PAUSE, actor=actor, reason=reason, pause_kind=kind, **common)


def resume(dossier, *, actor, note: str = "", **common: Any) -> ActionResult:
    """Restart the clock; the due times move by the working time paused."""
    return perform(dossier, Action.RESUME, actor=actor, note=note, **common)


def extend(dossier, *, actor, new_due_at: dt.datetime, reason: str, **common: Any) -> ActionResult:
    """Apology and extension (form 04): before the due time, to a later time, with a reason."""
    return perform(dossier, Action.EXTEND, actor=actor, new_due_at=new_due_at, reason=reason, **common)


def stop(dossier, *, actor, reason: str, **common: Any) -> ActionResult:
    """-> 8 with a notice (form 05)."""
    return perform(dossier, Action.STOP, actor=actor, reason=reason, **common)


def complete(dossier, *, actor, note: str = "", **common: Any) -> ActionResult:
    """-> 9 at the last step (with a result file when the result is a document); an electronic
    result (delivery online) then goes on to 10 by itself (`result_delivered`, actor none)."""
    return perform(dossier, Action.COMPLETE, actor=actor, note=note, **common)


def approve(dossier, *, actor, note: str = "", pin: str | None = None, **common: Any) -> ActionResult:
    """The holder of an approval step approves: the result files are signed with the leader's
    certificate (certification signature; `pin` opens a personal certificate and is never kept),
    then the dossier goes to the next step (or completes when the approval step is the last)."""
    return perform(dossier, Action.APPROVE, actor=actor, note=note, pin=pin, **common)


def return_result(
    dossier, *, actor, originals_checked: bool, applicant_signed: bool, fee_collected: int = 0,
    receipt_number: str = "", delivery: str | None = None, note: str = "", **common: Any,
) -> ActionResult:
    """9 -> 10: the result is handed over; originals checked, signature, fee and receipt recorded."""
    return perform(
        dossier, Action.RETURN_RESULT, actor=actor, originals_checked=originals_checked,
        applicant_signed=applicant_signed, fee_collected=fee_collected, receipt_number=receipt_number,
        delivery=delivery, note=note, **common,
    )


def post_result(dossier, *, actor, postal_number: str, posted_on: dt.date | None = None, note: str = "",
                **common: Any) -> ActionResult:
    """9 stays 9: the result is handed to the post (bưu gửi number, the day the post took it)."""
    return perform(dossier, Action.POST_RESULT, actor=actor, postal_number=postal_number, posted_on=posted_on,
                   note=note, **common)


def confirm_delivery(dossier, *, actor, note: str = "", **common: Any) -> ActionResult:
    """9 -> 10: the post confirmed it delivered the result ("đã phát"), recorded by the counter."""
    return perform(dossier, Action.CONFIRM_DELIVERY, actor=actor, note=note, **common)


def hand_over_paper_copy(dossier, *, actor, note: str = "", **common: Any) -> ActionResult:
    """10 stays 10: the counter hands over a paper copy of an electronic result, at the applicant's request."""
    return perform(dossier, Action.HAND_OVER_PAPER_COPY, actor=actor, note=note, **common)


def withdraw(dossier, *, actor, reason: str = "", **common: Any) -> ActionResult:
    """-> 7 at the applicant's request (by the owner, or the counter on their behalf)."""
    return perform(dossier, Action.WITHDRAW, actor=actor, reason=reason, **common)


# --- creation -------------------------------------------------------------------------------------


def _clean_applicant(applicant: Applicant) -> Applicant:
    def text(value: str | None, name: str, limit: int, required: bool = False) -> str:
        value = " ".join((value or "").split())
        if required and not value:
            raise InvalidInput(_("Cần nhập %(field)s (trường «applicant.%(name)s»).")
                               % {"field": _field_label(name), "name": name}, field=f"applicant.{name}")
        if len(value) > limit:
            raise InvalidInput(_("%(field)s dài quá %(n)d ký tự (trường «applicant.%(name)s»).")
                               % {"field": _field_label(name), "n": limit, "name": name}, field=f"applicant.{name}")
        return value

    import re

    kind = applicant.kind or ApplicantKind.PERSON
    if kind not in ApplicantKind.values:
        raise InvalidInput(_("Loại người nộp phải là person hoặc organisation (trường «applicant.kind»)."),
                           field="applicant.kind")
    name = text(applicant.name, "name", 255, required=True)
    id_number = text(applicant.id_number, "id_number", 14, required=True).replace(" ", "")
    pattern = PERSON_ID_RE if kind == ApplicantKind.PERSON else ORGANISATION_ID_RE
    if not re.match(pattern, id_number):
        message = (_("Số định danh cá nhân phải gồm đúng 12 chữ số (trường «applicant.id_number»).")
                   if kind == ApplicantKind.PERSON else
                   _("Mã số thuế của tổ chức gồm 10 hoặc 13 chữ số (trường «applicant.id_number»)."))
        raise InvalidInput(message, field="applicant.id_number")
    phone = text(applicant.phone, "phone", 20).replace(" ", "").replace(".", "")
    if phone:
        try:
            phone_validator(phone)
        except ValidationError:
            raise InvalidInput(_("Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84) (trường «applicant.phone»)."),
                               field="applicant.phone") from None
    email = text(applicant.email, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("Địa chỉ thư điện tử không hợp lệ (trường «applicant.email»)."),
                               field="applicant.email") from None
    address = text(applicant.address, "address", 500)
    return Applicant(name=name, id_number=id_number, phone=phone, email=email, address=address, kind=kind)


def _field_label(name: str) -> str:
    return {
        "name": _("họ tên người nộp"), "id_number": _("số định danh"), "phone": _("số điện thoại"),
        "email": _("thư điện tử"), "address": _("địa chỉ"),
    }.get(name, name)


def _clean_form_data(form_data: Any, version, *, online: bool, at: dt.datetime) -> tuple[dict, str]:
    """The answers, under the e-form rule every door obeys (``eforms.answers``), against the
    e-form of the version (its own, else the generic application, as the wizard shows it).

    An online dossier must carry valid answers. The counter (and post) may record a dossier whose
    form was filled in on paper, so no answers at all is accepted there; answers given are always
    checked in full. What is kept is the cleaned answers, with the subject they name (the answer of
    the version's subject field, ``eforms.schema.subject_text``)."""
    if not online and (form_data is None or (isinstance(form_data, dict) and not form_data)):
        return {}, ""
    spec = eform_for(version)
    cleaned, errors = clean_answers(spec.schema, {} if form_data is None else form_data,
                                    today=timezone.localdate(at), title=spec.title)
    if errors:
        fields = [{"field": f"form_data.{path}" if path else "form_data", "message": message}
                  for path, message in list(errors.items())[:50]]
        first = fields[0]
        raise InvalidInput(_("%(message)s (trường «%(field)s»).") % first, field=first["field"], fields=fields)
    return cleaned, subject_text(spec.schema, cleaned, spec.subject_field)


def create_dossier(
    *,
    actor,
    version,
    channel: int,
    applicant: Applicant,
    case=None,
    form_data: dict | None = None,
    receive: bool = True,
    delivery: str | None = None,
    delivery_address: str = "",
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
    fingerprint: dict | None = None,
    fee_inputs: dict | None = None,
) -> ActionResult:
    """A new dossier of a published procedure version.

    * channel online (2): the actor is the citizen owner; status 1, code at submission;
    * channel counter (1) or post (3): the actor must be a receptionist of the version's
      receiving agency; status 2 with its due time (or status 1 with ``receive=False``, to
      record a supplement request or a refusal at reception);
    * ``form_data``: the answers to the version's e-form, checked by the one rule of every door
      (``eforms.answers.clean_answers``, see ``_clean_form_data``) and kept cleaned;
    * ``fingerprint``: what else the caller's request carried (the counter reception's outcome,
      checklist and reason, see ``reception.py``): the same idempotency key with another value
      is an IdempotencyConflict, not a replay;
    * ``fee_inputs``: what the applicant declares for the fee rules (``{copies, pages, kind}``,
      checked by ``catalog.fees.clean_inputs`` against the version's fees; see ``_clean_fee_inputs``).
    """
    from motcua.catalog.models import ProcedureVersion, ServiceLevel

    _require_user(actor)
    at = _now(at)
    key = _check_key(idempotency_key)
    if version is None or version.state != ProcedureVersion.State.PUBLISHED:
        raise InvalidInput(_("Thủ tục chưa được công bố hoặc đã ngừng áp dụng (trường «procedure»)."),
                           field="procedure", code="procedure_not_available")
    try:
        channel = Channel(int(channel))
    except (TypeError, ValueError):
        raise InvalidInput(_("Kênh nộp phải là 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (bưu chính) (trường «channel»)."),
                           field="channel") from None
    cases = list(version.cases.order_by("order", "id"))
    if case is None:
        if len(cases) != 1:
            raise InvalidInput(_("Thủ tục có nhiều trường hợp giải quyết; cần chọn một (trường «case»)."), field="case")
        case = cases[0]
    elif case.version_id != version.pk:
        raise InvalidInput(_("Trường hợp giải quyết không thuộc thủ tục này (trường «case»)."), field="case")
    applicant = _clean_applicant(applicant)
    if delivery is not None and delivery not in Delivery.values:
        raise InvalidInput(_("Hình thức nhận kết quả phải là counter, post hoặc online (trường «delivery»)."),
                           field="delivery")
    delivery_address = " ".join((delivery_address or "").split())
    if delivery == Delivery.POST and not delivery_address:
        raise InvalidInput(_("Nhận kết quả qua bưu chính cần địa chỉ nhận (trường «delivery_address»)."),
                           field="delivery_address")
    if len(delivery_address) > 500:
        raise InvalidInput(_("Địa chỉ nhận kết quả dài quá 500 ký tự (trường «delivery_address»)."),
                           field="delivery_address")
    if delivery == Delivery.ONLINE and version.level < ServiceLevel.FULLY_ONLINE:
        raise InvalidInput(_("Thủ tục này chưa trả kết quả điện tử; hãy chọn nhận tại quầy hoặc qua bưu chính "
                             "(trường «delivery»)."), field="delivery")
    receiving = version.receiving_agency
    online = channel == Channel.ONLINE
    if online:
        if version.level < ServiceLevel.PARTLY_ONLINE:
            raise InvalidInput(_("Thủ tục này chưa nhận hồ sơ trực tuyến (mức độ %(level)d).")
                               % {"level": version.level},
                               field="procedure", code="online_submission_not_offered")
        # The wizard's rule, for every door (the API too): a self-registered account submits only
        # once it has proved a phone, an e-mail or its identity.
        if not account_services.can_submit(actor):
            raise PermissionDenied(account_services.submission_block_reason(actor) or "",
                                   code="account_not_verified")
    else:
        from .queries import holds_role

        if not holds_role(actor, receiving.pk, "receptionist"):
            raise PermissionDenied(
                _("Chỉ cán bộ một cửa của %(agency)s được tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính.")
                % {"agency": receiving.name}
            )
    form_data, subject = _clean_form_data(form_data, version, online=online, at=at)
    fee_inputs = _clean_fee_inputs(fee_inputs, version)
    params = {
        "version": version.pk, "case": case.pk, "channel": int(channel), "applicant": applicant.__dict__,
        "form_data": form_data, "receive": receive, "delivery": delivery, "delivery_address": delivery_address,
    }
    if fee_inputs:
        params["fee_inputs"] = fee_inputs
    if fingerprint:
        params["request"] = fingerprint
    with transaction.atomic():
        key_row = None
        if key:
            key_row, replay = _claim_key(actor, key, "create", _fingerprint("create", None, params))
            if replay is not None:
                return replay
        d = Dossier(
            code=allocate_code(receiving, at),
            tracking_key=new_tracking_key(),
            procedure_version=version,
            case=case,
            agency=receiving,
            handling_agency=receiving,
            channel=channel,
            status=Status.SUBMITTED,
            applicant_kind=applicant.kind,
            applicant_name=applicant.name,
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            owner=actor if online else None,
            form_data=form_data,
            subject=subject,
            fee_inputs=fee_inputs,
            submitted_at=at,
            delivery=delivery or (Delivery.ONLINE if online and version.level >= ServiceLevel.FULLY_ONLINE
                                  else Delivery.COUNTER),
            delivery_address=delivery_address if delivery == Delivery.POST else "",
            delivery_fee=settings.MOTCUA_POSTAL_FEE_VND if delivery == Delivery.POST else 0,
            version=1,
        )
        kind = EventKind.SUBMITTED
        data: dict[str, Any] = {"channel": int(channel)}
        if not online and receive:
            d.status = Status.RECEIVED
            _receive(d, actor, at, steps_of(case.pk))
            kind = EventKind.RECEIVED
            data["due_at"] = _iso(d.due_at)
        d.save(force_insert=True)
        event = _event(
            d, kind, actor, at, from_status=None, to_status=d.status, to_step=d.current_step,
            to_agency=d.handling_agency, to_assignee=d.assignee, data=data,
        )
        if key_row is not None:
            key_row.dossier, key_row.event = d, event
            key_row.save(update_fields=["dossier", "event"])
    return ActionResult(dossier=d, event=event)


def _clean_fee_inputs(raw: Any, version) -> dict:
    """The applicant's declared fee inputs, checked against the version's fee rules (InvalidInput)."""
    from motcua.catalog.fees import FeeInputError, clean_inputs

    try:
        return clean_inputs(raw, list(version.fees.all()))
    except FeeInputError as exc:
        field = exc.field if exc.field == "fee_inputs" else f"fee_inputs.{exc.field}"
        raise InvalidInput(exc.message, field=field) from None


# --- files ----------------------------------------------------------------------------------------

# Who may add which kind of file, in which statuses (the rule is in queries, shown by the pages too).
_COMPONENT_FILE_RIGHTS = COMPONENT_FILE_RIGHTS
_RESULT_FILE_RIGHTS = RESULT_FILE_RIGHTS


def _check_file_rights(d: Dossier, actor, kind: str) -> frozenset[Capacity]:
    if not can_see(actor, d):
        raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."))
    rights = _RESULT_FILE_RIGHTS if kind == FileKind.RESULT else _COMPONENT_FILE_RIGHTS
    caps = capacities(actor, d)
    mine = [statuses for cap, statuses in rights.items() if cap in caps]
    if not mine:
        raise PermissionDenied(_("Bạn không có quyền thêm tệp vào hồ sơ này."))
    if not any(d.status in statuses for statuses in mine):
        raise ActionNotAllowed(
            _("Không thể thêm tệp khi hồ sơ đang ở trạng thái «%(status)s».") % {"status": d.get_status_display()},
            code="invalid_status",
        )
    return caps


def add_file(
    dossier: Dossier | int,
    *,
    actor,
    upload: IO[bytes],
    name: str,
    component=None,
    kind: str = FileKind.COMPONENT,
    source: str | None = None,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
) -> ActionResult:
    """Check and store a file, then (in one transaction) record it and its event.

    A component file needs `component` (of the dossier's procedure version); a result file
    (kind "result") has none. The file is stored before any row refers to it."""
    _require_user(actor)
    at = _now(at)
    key = _check_key(idempotency_key)
    if kind not in FileKind.values:
        raise InvalidInput(_("Loại tệp phải là component, supplement hoặc result (trường «kind»)."), field="kind")
    if source is not None and source not in FileSource.values:
        raise InvalidInput(_("Nguồn tệp phải là scanned, uploaded hoặc wallet (trường «source»)."), field="source")
    pk = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    current = Dossier.objects.select_related("procedure_version").get(pk=pk)
    if kind == FileKind.RESULT:
        component = None
    else:
        if component is None:
            raise InvalidInput(_("Cần chọn thành phần hồ sơ cho tệp (trường «component»)."), field="component")
        if component.version_id != current.procedure_version_id:
            raise InvalidInput(_("Thành phần hồ sơ không thuộc thủ tục của hồ sơ này (trường «component»)."),
                               field="component")
    # Check rights before storing anything, then store outside the row lock (slow I/O).
    _check_file_rights(current, actor, kind)
    if key:
        existing = IdempotencyKey.objects.filter(actor=actor, key=key).select_related("event").first()
        if existing is not None:
            result = _replay(existing, _fingerprint("file", pk, _file_params(kind, component, name)))
            file_id = (existing.event.data or {}).get("file_id") if existing.event else None
            result.file = DossierFile.objects.filter(dossier_id=pk, pk=file_id).first()
            return result
    stored = check_and_store(upload, name, accepted_types=component.accepted_types if component else None)
    with transaction.atomic():
        key_row = None
        if key:
            fingerprint = _fingerprint("file", pk, _file_params(kind, component, name))
            key_row, replay = _claim_key(actor, key, "file", fingerprint)
            if replay is not None:
                return replay
        d = _locked(pk, expected_version)
        caps = _check_file_rights(d, actor, kind)
        if kind == FileKind.COMPONENT and d.status == Status.SUPPLEMENT_REQUESTED:
            kind = FileKind.SUPPLEMENT
        if source is None:
            online = Capacity.OWNER in caps and d.channel == Channel.ONLINE
            source = FileSource.UPLOADED if online else FileSource.SCANNED
        file = DossierFile.objects.create(
            dossier=d, component=component, kind=kind, original_name=stored.original_name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            storage_key=stored.storage_key, source=source, uploaded_by=actor, uploaded_at=at,
        )
        _write(d, set(), at)
        event = _event(
            d, EventKind.FILE_ADDED, actor, at, from_status=d.status, to_status=d.status,
            from_step=d.current_step, to_step=d.current_step, data={
                "file_id": file.pk, "kind": kind, "component_id": component.pk if component else None,
                "name": stored.original_name, "sha256": stored.sha256, "size": stored.size,
                "content_type": stored.content_type, "source": source,
            },
        )
        if key_row is not None:
            key_row.dossier, key_row.event = d, event
            key_row.save(update_fields=["dossier", "event"])
    return ActionResult(dossier=d, event=event, file=file)


def _file_params(kind: str, component, name: str) -> dict[str, Any]:
    return {"kind": kind, "component": component.pk if component else None, "name": name}


# --- what the applicant does with a returned result ---------------------------------------------------


def record_result_download(dossier, *, actor, file: DossierFile, at: dt.datetime | None = None) -> Event | None:
    """The owner's FIRST download of a result file: an event in the dossier's history (the proof
    an electronic result reached its holder, as a signature on paper does at the counter). Later
    downloads, and downloads by anyone else (staff are in the access log), record nothing.
    Returns the event, or None when nothing was recorded."""
    if actor is None or dossier.owner_id is None or dossier.owner_id != getattr(actor, "pk", None):
        return None
    if file.kind != FileKind.RESULT or file.dossier_id != dossier.pk:
        return None
    at = _now(at)
    if Event.objects.filter(dossier_id=dossier.pk, kind=EventKind.RESULT_DOWNLOADED).exists():
        return None  # the common case, without taking the lock
    with transaction.atomic():
        d = _locked(dossier.pk, None)
        if d.events.filter(kind=EventKind.RESULT_DOWNLOADED).exists():
            return None
        _write(d, set(), at)
        return _event(
            d, EventKind.RESULT_DOWNLOADED, actor, at, from_status=d.status, to_status=d.status,
            from_step=d.current_step, to_step=d.current_step,
            data={"file_id": file.pk, "name": file.original_name, "sha256": file.sha256},
        )


def record_rating(dossier, *, actor, write, at: dt.datetime | None = None) -> ActionResult:
    """A satisfaction rating, as one event of the dossier's history (docs/architecture.md §2).

    The feedback app owns the rating's rules and its row (kept for the reports): `write(d)` runs
    here, in the transaction and under the dossier's row lock, raises the dossier errors when the
    rating is refused, and returns `(row, data)`; the "rated" event carries `data`. The row is in
    `extra["rating"]`. Who may rate is the feedback app's rule (`write` refuses anyone else)."""
    at = _now(at)
    pk = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    with transaction.atomic():
        d = _locked(pk, None)
        row, data = write(d)
        _write(d, set(), at)
        event = _event(
            d, EventKind.RATED, actor, at, from_status=d.status, to_status=d.status, from_step=d.current_step,
            to_step=d.current_step, data=data,
        )
    return ActionResult(dossier=d, event=event, extra={"rating": row})


# --- online payments (called by the payments app when a gateway confirms one) -----------------------

PAYMENT_STATUSES = (
    Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT,
    Status.COMPLETED,
)


def _resume_paid(d: Dossier, at: dt.datetime, data: dict[str, Any]) -> set[str]:
    """The financial obligation is met (online or at the counter): status 6 goes back to the
    status it left and the clock restarts, as `resume` does. Returns the changed fields."""
    fields, info = _close_pause(d, at)
    data.update(info)
    d.status = d.resume_status or Status.PROCESSING
    d.resume_status = None
    return fields | {"status", "resume_status"}


def record_payment(
    dossier, *, amount_vnd: int, reference: str, provider: str, fees: list[dict] | None = None,
    paid_at: dt.datetime, resume: bool = True, actor=None, at: dt.datetime | None = None,
) -> ActionResult:
    """An online payment the gateway confirmed (actor None: the system).

    Under the dossier's row lock: the amount is added to `fee_collected` and a
    "payment_received" event records it; a dossier waiting for the payment (status 6) goes
    back to the status it left, its clock restarted as `resume` does. Money that arrives after
    the dossier ended without a result (refused — also by the system for an unpaid fee —,
    withdrawn, stopped: a citizen still on the bank's page at that moment) is recorded all the
    same and opens a refund of that amount ("chờ hoàn phí"), so it is never left unaccounted.
    Idempotent on `reference`: the same payment recorded twice is recorded once.
    """
    at = _now(at)
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise InvalidInput(_("Số tiền thanh toán phải là số nguyên dương (trường «amount_vnd»)."), field="amount_vnd")
    reference = (reference or "").strip()[:100]
    if not reference:
        raise InvalidInput(_("Thiếu mã giao dịch (trường «reference»)."), field="reference")
    with transaction.atomic():
        d = _locked(dossier, None)
        earlier = d.events.filter(kind=EventKind.PAYMENT_RECEIVED, data__reference=reference).first()
        if earlier is not None:
            return ActionResult(dossier=d, event=earlier, replayed=True)
        if d.status not in PAYMENT_STATUSES and d.status not in counter_fees.REFUND_ON:
            raise ActionNotAllowed(
                _("Hồ sơ %(code)s đang ở trạng thái «%(status)s», không ghi nhận thanh toán được.")
                % {"code": d.code, "status": d.get_status_display()},
                code="invalid_status",
            )
        from_status = d.status
        changed = {"fee_collected"}
        data: dict[str, Any] = {
            "amount_vnd": amount_vnd, "reference": reference, "provider": provider, "fees": fees or [],
            "paid_at": _iso(paid_at),
        }
        d.fee_collected += amount_vnd
        if resume and d.status == Status.AWAITING_PAYMENT:
            changed |= _resume_paid(d, at, data)
        _write(d, changed, at)
        event = _event(
            d, EventKind.PAYMENT_RECEIVED, actor, at, from_status=from_status, to_status=d.status,
            from_step=d.current_step, to_step=d.current_step, from_agency=d.handling_agency,
            to_agency=d.handling_agency, note=_("Thanh toán trực tuyến %(amount)s đồng, giao dịch %(ref)s.")
            % {"amount": vnd(amount_vnd, unit=""), "ref": reference},
            data=data,
        )
        if from_status in counter_fees.REFUND_ON:
            _open_refund(d, event, at, amount_vnd=amount_vnd)  # paid after it ended: to be given back
    return ActionResult(dossier=d, event=event)


# --- fees collected at the counter, refunds (issue #17) ---------------------------------------------


def _fee_lines(d: Dossier, when: str) -> list[dict]:
    from motcua.payments.services import fees_due

    return [line.as_json() for line in fees_due(d, when).payable]


def _record_fee_locked(
    d: Dossier, actor, at: dt.datetime, *, amount_vnd: Any, method: Any, receipt_number: Any,
    recorders: frozenset[Capacity] = counter_fees.RECORDERS,
) -> Event:
    """Under the caller's lock and transaction: check (the pure rule), add the amount, write the
    `fee_recorded` event with the fee lines it pays. A dossier waiting for this payment (status 6)
    goes back to the status it left, its clock restarted, as an online payment does it
    (`record_payment`)."""
    fee = counter_fees.check(d.status, capacities(actor, d), amount_vnd=amount_vnd, method=method,
                             receipt_number=receipt_number, recorders=recorders)
    lines = counter_fees.covered_lines(_fee_lines(d, fee.when), fee.amount_vnd)
    from_status = d.status
    changed = {"fee_collected", "receipt_number"}
    data: dict[str, Any] = {"amount_vnd": fee.amount_vnd, "method": fee.method,
                            "receipt_number": fee.receipt_number, "when": fee.when, "fees": lines}
    d.fee_collected += fee.amount_vnd
    d.receipt_number = fee.receipt_number
    if d.status == Status.AWAITING_PAYMENT:
        changed |= _resume_paid(d, at, data)
    _write(d, changed, at)
    return _event(
        d, EventKind.FEE_RECORDED, actor, at, from_status=from_status, to_status=d.status,
        from_step=d.current_step, to_step=d.current_step, from_agency=d.handling_agency,
        to_agency=d.handling_agency,
        note=_("Thu %(amount)s đồng (%(method)s), biên lai số %(receipt)s.")
        % {"amount": vnd(fee.amount_vnd, unit=""), "method": fee.method_label.lower(), "receipt": fee.receipt_number},
        data=data,
    )


def record_fee(
    dossier: Dossier | int, *, actor, amount_vnd: int, method: str, receipt_number: str,
    at: dt.datetime | None = None, idempotency_key: str | None = None, expected_version: int | None = None,
) -> ActionResult:
    """The one way to record a fee collected at the counter: at reception (fee due at submission)
    or at return (due then). The receptionist of the receiving agency, from reception (status 2)
    until the result is returned (`counter_fees.RECORD_FROM`); `method` cash, transfer or card;
    a receipt number. Adds to `fee_collected`, sets `receipt_number`, writes `fee_recorded`
    (amount_vnd, method, receipt_number, when, fees: the lines it pays)."""
    _require_user(actor)
    at = _now(at)
    key = _check_key(idempotency_key)
    pk = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    params = {"amount_vnd": amount_vnd, "method": method, "receipt_number": receipt_number,
              "expected_version": expected_version}
    with transaction.atomic():
        key_row = None
        if key:
            key_row, replay = _claim_key(actor, key, "record_fee", _fingerprint("record_fee", pk, params))
            if replay is not None:
                return replay
        d = _locked(pk, expected_version)
        if not can_see(actor, d):
            raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."), code="forbidden")
        event = _record_fee_locked(d, actor, at, amount_vnd=amount_vnd, method=method, receipt_number=receipt_number)
        if key_row is not None:
            key_row.dossier, key_row.event = d, event
            key_row.save(update_fields=["dossier", "event"])
    return ActionResult(dossier=d, event=event)


def receive_with_fee(dossier, *, actor, fee: dict[str, Any] | None = None, note: str = "",
                     **common: Any) -> ActionResult:
    """The counter receives an online dossier and, when `fee` ({amount_vnd, method,
    receipt_number}) is given, records the fee collected then: one transaction, nothing
    half-written. The result is the reception's; extra["fee_event"] the fee's."""
    with transaction.atomic():
        result = receive(dossier, actor=actor, note=note, **common)
        if fee:
            result.extra["fee_event"] = _fee_after(result, actor, fee, common).event
    return result


def return_with_fee(dossier, *, actor, fee: dict[str, Any] | None = None, originals_checked: bool,
                    applicant_signed: bool, delivery: str | None = None, note: str = "",
                    **common: Any) -> ActionResult:
    """The fee due at return recorded (`record_fee`) and the result handed over, in one transaction."""
    with transaction.atomic():
        fee_event = None
        if fee:
            key = common.get("idempotency_key")
            fee_result = record_fee(dossier, actor=actor, expected_version=common.get("expected_version"),
                                    idempotency_key=fee_key(key), at=common.get("at"), **fee)
            fee_event = fee_result.event
            common = {**common, "expected_version": fee_result.dossier.version if common.get("expected_version")
                      else None}
        result = return_result(dossier, actor=actor, originals_checked=originals_checked,
                               applicant_signed=applicant_signed, delivery=delivery, note=note, **common)
        if fee_event is not None:
            result.extra["fee_event"] = fee_event
    return result


def _fee_after(result: ActionResult, actor, fee: dict[str, Any], common: dict[str, Any]) -> ActionResult:
    return record_fee(result.dossier, actor=actor, idempotency_key=fee_key(common.get("idempotency_key")),
                      at=common.get("at"), **fee)


def fee_key(key: str | None) -> str | None:
    """The idempotency key of the fee recorded with an action taken under `key`: derived, of a fixed
    length, so that any client key up to MAX_IDEMPOTENCY_KEY still gives a valid one (keys are per
    actor: only the same client could ever collide with it, on purpose)."""
    if not key:
        return None
    return "fee:" + hashlib.sha256(key.encode()).hexdigest()[:48]


def _open_refund(d: Dossier, event: Event, at: dt.datetime, amount_vnd: int | None = None):
    """A dossier that had paid ends without a result (refused, withdrawn, stopped), or money
    arrives after it ended: what it paid (`amount_vnd`: that late payment only) is to be given
    back ("chờ hoàn phí"). In the transaction of the event that caused it."""
    from motcua.payments.models import Refund

    amount = d.fee_collected if amount_vnd is None else amount_vnd
    return Refund.objects.create(dossier=d, agency=d.agency, amount_vnd=amount, reason=event.kind,
                                 origin_event=event, created_at=at)


def record_refund(
    refund, *, actor, method: str, reference: str, refunded_on: dt.date | None = None,
    at: dt.datetime | None = None, expected_version: int | None = None, dossier: Dossier | int | None = None,
) -> ActionResult:
    """The fee was given back: the refund is done (method, voucher or transaction reference, date)
    and the dossier's history says so (`fee_refunded`). By the receptionist of the receiving agency."""
    from motcua.payments.models import Refund

    _require_user(actor)
    at = _now(at)
    refund_pk = refund.pk if isinstance(refund, Refund) else int(refund)
    with transaction.atomic():
        dossier_id = Refund.objects.filter(pk=refund_pk).values_list("dossier_id", flat=True).first()
        expected = dossier.pk if isinstance(dossier, Dossier) else dossier
        if dossier_id is None or (expected is not None and dossier_id != int(expected)):  # a page's own dossier only
            raise DossierNotFound(_("Không tìm thấy khoản hoàn phí."))
        d = _locked(dossier_id, expected_version)  # the dossier first, then the refund (always this order)
        if not can_see(actor, d):
            raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."), code="forbidden")
        row = Refund.objects.select_for_update().get(pk=refund_pk)
        done = counter_fees.check_refund(row.state, capacities(actor, d), method=method, reference=reference,
                                         refunded_on=refunded_on or timezone.localdate(at),
                                         today=timezone.localdate(at))
        row.state, row.method, row.reference = Refund.State.DONE, done.method, done.reference
        row.refunded_on, row.completed_by, row.completed_at = done.refunded_on, actor, at
        row.save(update_fields=["state", "method", "reference", "refunded_on", "completed_by", "completed_at"])
        _write(d, set(), at)
        event = _event(
            d, EventKind.FEE_REFUNDED, actor, at, from_status=d.status, to_status=d.status,
            from_step=d.current_step, to_step=d.current_step,
            note=_("Đã hoàn %(amount)s đồng, chứng từ %(ref)s.") % {"amount": vnd(row.amount_vnd, unit=""),
                                                                  "ref": done.reference},
            data={"refund_id": row.pk, "amount_vnd": row.amount_vnd, "method": done.method,
                  "reference": done.reference, "refunded_on": done.refunded_on.isoformat()},
        )
    return ActionResult(dossier=d, event=event, extra={"refund": row})
