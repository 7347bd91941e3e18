"""Level 4, fee due at submission: the "chờ nộp phí" sub-state, its deadline, reminder and expiry.

An online dossier of a level-4 procedure whose fees due at submission are not paid stays at
national status 1 ("Mới đăng ký") and is shown as "Chờ nộp phí" (a sub-state derived here, never
stored: status codes 1–10 stay as they are). Once paid it shows "Đã nộp phí" until the counter
receives it. The agency decides (``agencies.Agency.fee_*``, else the province's defaults in
``motcua.conf``):

* the deadline: working hours or working days after submission (``worktime``);
* a reminder so many working hours before the deadline (e-mail + SMS through ``notify``), sent
  once per dossier (``FeeReminder``'s unique dossier) by the periodic job ``payments.fee_deadlines``;
* what happens when it passes unpaid: ``counter`` flags it "Quá hạn nộp phí" in the counter's
  queue and lets the one-stop counter decide; ``refuse`` refuses it automatically (actor the
  system, form 03's reason below) through ``dossiers.actions.refuse_by_system``.

`terms` and `sub_state` are plain rules on plain values; the rest reads the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import FeeReminder, When

log = logging.getLogger("motcua.payments")

SUBMITTED = 1  # dossiers.models.Status.SUBMITTED ("Mới đăng ký")
ONLINE = 2  # dossiers.models.Channel.ONLINE
EXPIRY_COUNTER, EXPIRY_REFUSE = "counter", "refuse"
REMINDER_TEMPLATE = "fee_reminder"


class FeeState(StrEnum):
    AWAITING = "awaiting"  # chờ nộp phí
    OVERDUE = "overdue"  # quá hạn nộp phí (the counter decides)
    PAID = "paid"  # đã nộp phí (before reception)


LABELS = {
    FeeState.AWAITING: gettext_lazy("Chờ nộp phí"),
    FeeState.OVERDUE: gettext_lazy("Quá hạn nộp phí"),
    FeeState.PAID: gettext_lazy("Đã nộp phí"),
}


@dataclass(frozen=True)
class Terms:
    """An agency's payment terms for fees due at submission."""

    amount: int  # of `unit`
    unit: str  # working_hours | working_days
    reminder_hours: int  # working hours before the deadline; 0: none
    on_expiry: str  # counter | refuse


def terms(agency: Any) -> Terms:
    """The agency's terms, each missing one taken from the province's default."""
    amount = getattr(agency, "fee_deadline_amount", None)
    unit = getattr(agency, "fee_deadline_unit", "") or "working_hours"
    if not amount:
        amount, unit = int(settings.MOTCUA_FEE_DEADLINE_WORKING_HOURS), "working_hours"
    reminder = getattr(agency, "fee_reminder_hours", None)
    if reminder is None:
        reminder = int(settings.MOTCUA_FEE_REMINDER_WORKING_HOURS)
    expiry = getattr(agency, "fee_expiry_action", "") or str(settings.MOTCUA_FEE_EXPIRY_ACTION)
    return Terms(int(amount), unit, max(int(reminder), 0), expiry if expiry in (EXPIRY_COUNTER, EXPIRY_REFUSE)
                 else EXPIRY_COUNTER)


def deadline_of(submitted_at: dt.datetime, t: Terms, calendar) -> dt.datetime:
    """The payment deadline: `t.amount` working hours or days after submission (working calendar)."""
    from motcua.worktime import engine

    return engine.due(calendar, submitted_at, t.amount, t.unit)


def reminder_of(submitted_at: dt.datetime, t: Terms, calendar) -> dt.datetime | None:
    """When to remind: `t.reminder_hours` working hours before the deadline (never before
    submission); None when the agency sends no reminder."""
    from motcua.worktime import engine

    if not t.reminder_hours:
        return None
    total = engine.elapsed(calendar, submitted_at, deadline_of(submitted_at, t, calendar))
    before = dt.timedelta(hours=t.reminder_hours)
    return engine.add_working_time(calendar, submitted_at, max(total - before, dt.timedelta(0)))


def sub_state(*, awaiting: bool, paid_before_reception: bool, deadline: dt.datetime | None,
              now: dt.datetime) -> FeeState | None:
    """The sub-state of a status-1 online dossier (pure)."""
    if awaiting:
        return FeeState.OVERDUE if deadline is not None and now >= deadline else FeeState.AWAITING
    return FeeState.PAID if paid_before_reception else None


# --- the database side ------------------------------------------------------------------------------


def _calendar(dossier):
    from motcua.worktime.services import calendar_for

    return calendar_for(dossier.agency)


def concerned(dossier) -> bool:
    """A level-4 online dossier at status 1: the only ones with a fee sub-state."""
    from motcua.catalog.models import ServiceLevel

    return (int(dossier.channel or 0) == ONLINE and int(dossier.status) == SUBMITTED
            and dossier.procedure_version.level >= ServiceLevel.FULLY_ONLINE)


def awaiting_fee(dossier) -> bool:
    """A level-4 online dossier at status 1 with fees due at submission still unpaid."""
    from .services import fees_due

    return concerned(dossier) and fees_due(dossier, When.AT_RECEPTION).total_vnd > 0


def deadline(dossier) -> dt.datetime:
    return deadline_of(dossier.submitted_at, terms(dossier.agency), _calendar(dossier))


def state(dossier, now: dt.datetime | None = None) -> FeeState | None:
    """"awaiting", "overdue", "paid" or None (no fee due at submission, or not at status 1)."""
    if not concerned(dossier):
        return None
    from .models import Payment
    from .states import State

    now = now or timezone.now()
    waiting = awaiting_fee(dossier)
    paid = not waiting and Payment.objects.filter(dossier_id=dossier.pk, state=State.PAID).exists()
    return sub_state(awaiting=waiting, paid_before_reception=paid, deadline=deadline(dossier) if waiting else None,
                     now=now)


@dataclass(frozen=True)
class Shown:
    """What a page shows of the sub-state: its label, the deadline, and what happens then."""

    state: FeeState
    label: str
    deadline: dt.datetime | None
    on_expiry: str


def shown(dossier, now: dt.datetime | None = None) -> Shown | None:
    found = state(dossier, now)
    if found is None:
        return None
    t = terms(dossier.agency)
    return Shown(found, str(LABELS[found]), deadline(dossier) if found != FeeState.PAID else None, t.on_expiry)


def label(dossier, now: dt.datetime | None = None) -> str:
    found = state(dossier, now)
    return str(LABELS[found]) if found else ""


def refusal_reason(dossier, when: dt.datetime) -> str:
    """Form 03's reason for a dossier refused because its fee was not paid in time."""
    local = timezone.localtime(when)
    return _("Người nộp chưa nộp phí, lệ phí phải nộp khi nộp hồ sơ trong thời hạn (đến %(time)s ngày %(day)s), "
             "nên hồ sơ không được tiếp nhận. Ông/Bà có thể nộp lại hồ sơ và thanh toán lệ phí trực tuyến.") % {
        "time": f"{local:%H:%M}", "day": f"{local:%d/%m/%Y}"}


# --- the periodic job -------------------------------------------------------------------------------


def payment_under_way(dossier, now: dt.datetime) -> bool:
    """A payment of the dossier is still open at the gateway (the citizen may be on the bank's
    page right now): the automatic refusal waits for it to end rather than refuse a dossier
    whose money is about to arrive."""
    from .models import Payment
    from .states import State

    return Payment.objects.filter(dossier_id=dossier.pk, state__in=(State.CREATED, State.PENDING),
                                  deadline__gt=now).exists()


def _candidates():
    from motcua.catalog.models import ServiceLevel
    from motcua.dossiers.models import Dossier

    return (Dossier.objects.filter(status=SUBMITTED, channel=ONLINE,
                                   procedure_version__level__gte=ServiceLevel.FULLY_ONLINE)
            .select_related("procedure_version", "agency", "owner").order_by("submitted_at", "id"))


def send_reminder(dossier, when: dt.datetime, *, now: dt.datetime) -> FeeReminder | None:
    """Queue the reminder (e-mail + SMS) once: the unique FeeReminder row is written in the same
    transaction as the messages; a second call (another worker, the next run) does nothing."""
    from motcua.notify import events as facts
    from motcua.notify.services import send

    from .services import fees_due

    if FeeReminder.objects.filter(dossier_id=dossier.pk).exists():
        return None
    due = fees_due(dossier, When.AT_RECEPTION)
    context = {**facts.dossier_facts(dossier), "amount_text": facts.money(due.total_vnd),
               "deadline": facts.when(when), "deadline_short": facts.when_short(when),
               "payment_url": facts.download_url(dossier),
               "refuse": terms(dossier.agency).on_expiry == EXPIRY_REFUSE}
    try:
        with transaction.atomic():
            row = FeeReminder.objects.create(dossier=dossier, deadline=when, sent_at=now)
            sent = []
            for channel, address in facts.recipients(dossier, ("email", "sms")):
                send(channel, address, REMINDER_TEMPLATE, context, dossier=dossier, user=dossier.owner)
                sent.append(channel)
            row.channels = sent
            row.save(update_fields=["channels"])
    except IntegrityError:  # sent meanwhile by another run
        return None
    return row


def run(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: for each level-4 online dossier awaiting its fee, remind once when the
    reminder time has come, and at the deadline apply the agency's choice."""
    from motcua.dossiers import actions
    from motcua.dossiers.errors import DossierError

    now = now or timezone.now()
    counts = {"reminded": 0, "refused": 0, "overdue": 0}
    for dossier in _candidates():
        try:
            if not awaiting_fee(dossier):
                continue
            t = terms(dossier.agency)
            calendar = _calendar(dossier)
            end = deadline_of(dossier.submitted_at, t, calendar)
            if now >= end:
                if t.on_expiry == EXPIRY_REFUSE:
                    done = actions.refuse_by_system(
                        dossier, reason=refusal_reason(dossier, end), at=now,
                        still=lambda d: awaiting_fee(d) and not payment_under_way(d, now))
                    counts["refused"] += done is not None
                else:
                    counts["overdue"] += 1
                continue
            remind = reminder_of(dossier.submitted_at, t, calendar)
            if remind is not None and now >= remind and send_reminder(dossier, end, now=now) is not None:
                counts["reminded"] += 1
        except DossierError as exc:  # changed meanwhile (received, withdrawn): nothing to do
            log.info("payments: fee deadline of %s: %s", dossier.code, exc)
        except Exception:  # one broken dossier must not stop the others
            log.exception("payments: fee deadline of %s failed", dossier.code)
    return counts


def shown_for_code(code: str, now: dt.datetime | None = None) -> Shown | None:
    """The sub-state of the dossier with this code (public tracking and the kiosk call this only for
    status 1, after the code and key were checked)."""
    from motcua.dossiers.models import Dossier

    dossier = (Dossier.objects.select_related("procedure_version", "agency")
               .filter(code=code, status=SUBMITTED, channel=ONLINE).first())
    return shown(dossier, now) if dossier is not None else None


def shown_many(dossiers, now: dt.datetime | None = None) -> dict[int, Shown]:
    """`shown` for the rows of a list page (the counter's online queue) in two queries, whatever
    the number of rows: the fees of their versions and their paid payments (the working calendar
    is cached per agency). Rows without a sub-state are left out."""
    from collections import defaultdict

    from motcua.catalog.models import Fee

    from .models import Payment
    from .services import fees_due_from
    from .states import State

    rows = [d for d in dossiers if concerned(d)]
    if not rows:
        return {}
    now = now or timezone.now()
    fees: dict[int, list] = defaultdict(list)
    for fee in Fee.objects.filter(version_id__in={d.procedure_version_id for d in rows}).order_by("order", "id"):
        fees[fee.version_id].append(fee)
    paid: dict[int, list] = defaultdict(list)
    for payment in Payment.objects.filter(dossier_id__in=[d.pk for d in rows], state=State.PAID).order_by(
            "paid_at", "id"):
        paid[payment.dossier_id].append(payment)
    out = {}
    calendars: dict[int, Any] = {}  # one calendar lookup per agency, not per row
    for d in rows:
        waiting = fees_due_from(d, fees[d.procedure_version_id], paid[d.pk], When.AT_RECEPTION).total_vnd > 0
        t = terms(d.agency)
        end = None
        if waiting:
            if d.agency_id not in calendars:
                calendars[d.agency_id] = _calendar(d)
            end = deadline_of(d.submitted_at, t, calendars[d.agency_id])
        found = sub_state(awaiting=waiting, paid_before_reception=bool(paid[d.pk]), deadline=end, now=now)
        if found is not None:
            out[d.pk] = Shown(found, str(LABELS[found]), end, t.on_expiry)
    return out
