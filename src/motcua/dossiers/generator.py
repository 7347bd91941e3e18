"""Realistic generated dossiers with their events, for demos and benchmarks.

    python -m motcua generate_dossiers --count 1000000 [--seed 1] [--months 12] [--agency <unit_code>]

Every dossier is simulated from its reception to its end (or to now) on the imported catalogue:
its procedure's case and workflow steps, the agencies that perform them, the staff who hold the
roles (a few generated staff per agency and role are created, with real memberships, where
there are none). Times fall on working days within office hours; due times, step due times,
pauses and punctuality are computed with the agencies' working calendars exactly as
`actions.py` computes them (`motcua.worktime.engine`), and every event carries the same fields
(from/to status, step, agency, assignee; data; step punctuality) the action layer writes.

Mixture (per dossier, seeded): channel counter 55 % / online 40 % (level 3-4 procedures) /
post 5 %; refused at reception 3 %; supplement requested at reception (online) 6 %; after
receipt 10 % (a fifth of those twice: counts as late); returned to the previous step 4 %;
stopped 1.5 %; withdrawn 1.5 %; most steps well inside their quota, one dossier in ten with a
step far over quota (often late). Dossiers whose simulated life runs past now stay in progress
where they are (some late). Returned dossiers: fees collected with a receipt number, a
satisfaction rating for a quarter of them.

Generated rows are marked: dossiers have ``form_data = {"generated": <seed>}``, generated staff
and citizens have usernames starting with ``gen-``. Codes follow the configured pattern with the
per-agency, per-day sequence continued after the existing `DossierSequence` rows, which are
bumped afterwards, so real receptions never collide. Everything is determined by the seed
except the tracking keys (secret; from `secrets`).

Rows are written in batches: COPY on PostgreSQL (psycopg 3), multi-row inserts on SQLite.
Events never go through anything but this module and `actions.py` (the bulk path of DESIGN §2.4).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.audit.chain import GENESIS
from motcua.audit.chain import digest as chain_digest
from motcua.core.dates import iso as _iso
from motcua.core.money import vnd
from motcua.worktime import engine

from .codes import TZ, format_code, new_tracking_key
from .models import Channel, Delivery, Dossier, DossierSequence, Event, EventKind, Status

GENERATED_PREFIX = "gen-"
MARKER = "generated"
DEFAULT_BATCH = 5000

NAMES_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
                "Ngô", "Dương", "Lý"]
NAMES_MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Ngọc", "Thanh", "Quốc", "Hoàng", "Kim", "Đức", "Bảo"]
NAMES_GIVEN = ["An", "Bình", "Cường", "Dung", "Đức", "Em", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh",
               "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
               "Tuấn", "Vy", "Yến"]
COMPANIES = ["Công ty TNHH Thủy sản Minh Phú", "Công ty CP Xây dựng Cà Mau", "HTX Nông nghiệp Tân Thành",
             "Công ty TNHH Thương mại Đất Mũi", "Doanh nghiệp tư nhân Hoàng Long"]
STREETS = ["Lý Thường Kiệt", "Trần Hưng Đạo", "Nguyễn Tất Thành", "Phan Ngọc Hiển", "Ngô Quyền", "Hùng Vương"]
MISSING = ["Bản sao giấy khai sinh có chứng thực", "Tờ khai chưa ký tên", "Ảnh chân dung 4x6 cm",
           "Giấy xác nhận nơi cư trú", "Bản vẽ thiết kế có chữ ký của đơn vị tư vấn", "Hợp đồng chuyển nhượng"]
REFUSE_REASONS = ["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.", "Thủ tục không áp dụng cho trường hợp này.",
                  "Giấy tờ giả mạo, không hợp lệ."]
STOP_REASONS = ["Người nộp không bổ sung hồ sơ trong thời hạn.", "Có tranh chấp chưa được giải quyết.",
                "Cơ quan có thẩm quyền không chấp thuận."]
RETURN_REASONS = ["Cần xác minh lại thông tin người nộp.", "Dự thảo kết quả còn sai sót, đề nghị sửa lại."]
WITHDRAW_REASONS = ["Người nộp xin rút hồ sơ.", "Người nộp đã giải quyết ở nơi khác."]

US = 1_000_000
HOUR = 3600 * US


class _Stop(Exception):  # noqa: N818 - control flow: the simulated life reached "now"
    pass


@dataclass
class StepPlan:
    id: int
    role: str
    agency_id: int
    quota_hours: Decimal


@dataclass
class CasePlan:
    version_id: int
    case_id: int
    receiving_id: int
    receiving_code: str
    level: int
    time_amount: Decimal
    time_unit: str
    cutoff: dt.time | None
    steps: list[StepPlan]
    fees_reception: list[dict]
    fees_return: int
    stepless_agency_id: int


@dataclass
class Result:
    dossiers: int = 0
    events: int = 0
    ratings: int = 0
    staff_created: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # of which writing (COPY / INSERT)
    by_status: dict[int, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return (self.dossiers + self.events) / self.seconds if self.seconds else 0.0


class GenerationError(Exception):
    pass


# --- the catalogue and the staff ------------------------------------------------------------------


def _plans(agency_code: str | None) -> list[CasePlan]:
    from motcua.catalog.models import ProcedureVersion, TimeUnit

    versions = (
        ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)
        .select_related("receiving_agency", "agency")
        .prefetch_related("cases__steps", "fees")
        .order_by("procedure__code", "id")
    )
    plans = []
    for v in versions:
        if agency_code and agency_code not in (v.receiving_agency.unit_code, v.agency.unit_code):
            continue
        fees_reception = [
            {"fee_id": f.pk, "name": f.name, "amount_vnd": f.amount_vnd}
            for f in v.fees.all() if f.amount_vnd and f.collected == "at_reception"
        ]
        fees_return = sum(f.amount_vnd for f in v.fees.all() if f.collected != "at_reception")
        for case in v.cases.all():
            if case.time_unit not in TimeUnit.values:
                continue
            steps = []
            for s in sorted(case.steps.all(), key=lambda s: (s.order, s.id)):
                if s.agency_id:
                    agency_id = s.agency_id
                elif s.role == "receptionist":
                    agency_id = v.receiving_agency_id
                else:
                    agency_id = v.agency_id
                steps.append(StepPlan(s.pk, s.role, agency_id, Decimal(s.quota_hours)))
            plans.append(CasePlan(
                version_id=v.pk, case_id=case.pk, receiving_id=v.receiving_agency_id,
                receiving_code=v.receiving_agency.unit_code, level=v.level, time_amount=Decimal(case.time_amount),
                time_unit=case.time_unit, cutoff=case.cutoff_time, steps=steps, fees_reception=fees_reception,
                fees_return=fees_return, stepless_agency_id=v.agency_id,
            ))
    if not plans:
        raise GenerationError(
            "Không có thủ tục đã công bố nào" + (f" của cơ quan {agency_code}" if agency_code else "")
            + "; hãy nhập danh mục trước (python -m motcua import_catalog hoặc demo)."
        )
    return plans


def _staff(plans: list[CasePlan], rng: random.Random) -> tuple[dict[tuple[int, str], list[int]], int]:
    """(agency id, role) -> active staff ids; creates generated staff where a role has nobody."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    needed: set[tuple[int, str]] = set()
    for p in plans:
        needed.add((p.receiving_id, "receptionist"))
        for s in p.steps:
            needed.add((s.agency_id, s.role))
        if not p.steps:
            needed.add((p.stepless_agency_id, "officer"))
    needed |= {(agency_id, "leader") for agency_id, _role in list(needed)}
    pool: dict[tuple[int, str], list[int]] = {}
    for user_id, agency_id, role in (
        Membership.objects.filter(active=True, user__is_active=True, agency_id__in={a for a, _ in needed})
        .order_by("user_id").values_list("user_id", "agency_id", "role")
    ):
        pool.setdefault((agency_id, role), []).append(user_id)
    codes = dict(Agency.objects.filter(pk__in={a for a, _ in needed}).values_list("pk", "unit_code"))
    created = 0
    for agency_id, role in sorted(needed):
        if pool.get((agency_id, role)):
            continue
        ids = []
        for n in range(1, (3 if role == "officer" else 2) + 1):
            username = f"{GENERATED_PREFIX}{codes[agency_id]}-{role}-{n}".lower()
            user = User.objects.filter(username=username).first()
            if user is None:
                # No password: generated staff sign in only after an admin sets one.
                user = User.objects.create_user(
                    username, full_name=_person_name(rng), email=f"{username.replace('.', '')}@example.invalid",
                )
                created += 1
            Membership.objects.update_or_create(user=user, agency_id=agency_id, role=role,
                                                defaults={"active": True})
            ids.append(user.pk)
        pool[(agency_id, role)] = ids
    return pool, created


def _citizens(rng: random.Random, n: int = 50) -> tuple[list[int], int]:
    from motcua.accounts.models import User

    ids, created = [], 0
    for i in range(1, n + 1):
        username = f"{GENERATED_PREFIX}congdan-{i}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=_person_name(rng), self_registered=True,
                        email=f"{username}@example.invalid")
            user.set_unusable_password()
            user.save()
            created += 1
        ids.append(user.pk)
    return ids, created


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(NAMES_FAMILY)} {rng.choice(NAMES_MIDDLE)} {rng.choice(NAMES_GIVEN)}"


# --- working time -------------------------------------------------------------------------------


class Clock:
    """Working-time arithmetic on one agency calendar (the same engine calls as deadlines.py)."""

    def __init__(self, calendar):
        self.calendar = calendar

    def add(self, at: dt.datetime, hours: float) -> dt.datetime:
        return engine.add_working_time(self.calendar, at, dt.timedelta(microseconds=int(hours * HOUR)))

    def due(self, at: dt.datetime, amount, unit: str, cutoff=None) -> dt.datetime:
        return engine.due(self.calendar, at, amount, unit, cutoff)

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return max(engine.elapsed(self.calendar, start, end), dt.timedelta(0))

    def shift(self, due_at: dt.datetime, paused: dt.timedelta) -> dt.datetime:
        if paused <= dt.timedelta(0):
            return due_at
        return engine.add_working_time(self.calendar, due_at, paused)


def _punctuality(due_at: dt.datetime | None, at: dt.datetime) -> str:
    return "" if due_at is None else str(engine.punctuality(due_at, at))


# --- one dossier --------------------------------------------------------------------------------


class Sim:
    """One dossier's simulated life: the same changes, in the same order, as actions.py."""

    def __init__(self, gen: Generator, plan: CasePlan, dossier_id: int, now: dt.datetime):
        self.g, self.p, self.now = gen, plan, now
        self.rng = gen.rng
        self.clock = gen.clock(plan.receiving_id)
        self.d: dict[str, Any] = {
            "id": dossier_id, "procedure_version_id": plan.version_id, "case_id": plan.case_id,
            "agency_id": plan.receiving_id, "handling_agency_id": plan.receiving_id, "status": Status.SUBMITTED,
            "received_at": None, "due_at": None, "original_due_at": None, "finished_at": None,
            "returned_at": None, "closed_at": None, "current_step_id": None, "current_role": "",
            "step_started_at": None, "step_due_at": None, "assignee_id": None,
            "reception_supplement_requested": False, "supplement_count": 0, "counts_as_late": False,
            "resume_status": None, "paused_at": None, "paused_total": dt.timedelta(0), "extension_count": 0,
            "fee_collected": 0, "receipt_number": "", "originals_checked": False, "applicant_signed": False,
            "version": 0, "owner_id": None,
        }
        self.events: list[tuple] = []
        self.step_index: int | None = None
        self.last_at: dt.datetime | None = None
        self.handlers: dict[int, int | None] = {}  # step index -> who last handed it on
        self.rating: tuple | None = None

    # -- event writing
    def event(self, kind: str, actor: int | None, at: dt.datetime, from_status, to_status, *, note: str = "",
              data: dict | None = None, punctuality: str = "", prev: dict | None = None) -> None:
        """Append the event of the change just made; `prev`: step, agency and assignee before it
        (default: unchanged)."""
        d = self.d
        d["version"] += 1
        before = prev if prev is not None else self.snapshot()
        self.events.append((
            d["id"], d["version"], str(kind), actor, at,
            None if from_status is None else int(from_status), int(to_status),
            before["step"], d["current_step_id"], before["agency"], d["handling_agency_id"],
            before["assignee"], d["assignee_id"], note, data or {}, punctuality,
        ))
        self.last_at = at

    def when(self, at: dt.datetime) -> dt.datetime:
        """`at`, or stop the simulation when it would be in the future."""
        if self.last_at is not None and at <= self.last_at:
            at = self.last_at + dt.timedelta(seconds=1)
        if at > self.now:
            raise _Stop
        return at

    def snapshot(self) -> dict:
        d = self.d
        return {"step": d["current_step_id"], "agency": d["handling_agency_id"], "assignee": d["assignee_id"]}

    # -- helpers mirroring actions.py
    def staff(self, agency_id: int, role: str) -> int:
        return self.rng.choice(self.g.staff[(agency_id, role)])

    def enter_step(self, index: int, at: dt.datetime, assignee: int | None) -> None:
        step = self.p.steps[index]
        d = self.d
        d["current_step_id"] = step.id
        d["current_role"] = step.role
        d["handling_agency_id"] = step.agency_id
        d["step_started_at"] = at
        d["step_due_at"] = self.g.clock(step.agency_id).due(at, step.quota_hours, "working_hours")
        d["assignee_id"] = assignee
        self.step_index = index

    def close_pause(self, at: dt.datetime, data: dict) -> None:
        d = self.d
        if d["paused_at"] is None:
            return
        paused = self.clock.elapsed(d["paused_at"], at)
        data.update(paused_from=_iso(d["paused_at"]), paused_seconds=int(paused.total_seconds()),
                    due_at_before=_iso(d["due_at"]))
        if d["due_at"] is not None:
            d["due_at"] = self.clock.shift(d["due_at"], paused)
        if d["step_due_at"] is not None:
            handling = self.g.clock(d["handling_agency_id"])
            d["step_due_at"] = handling.shift(d["step_due_at"], handling.elapsed(d["paused_at"], at))
        d["paused_total"] += paused
        d["paused_at"] = None
        data["due_at"] = _iso(d["due_at"])

    def receive_fields(self, actor: int, at: dt.datetime) -> None:
        d, p = self.d, self.p
        d["received_at"] = at
        d["due_at"] = d["original_due_at"] = self.clock.due(at, p.time_amount, p.time_unit, p.cutoff)
        if p.steps:
            first = p.steps[0]
            holder = actor if first.role == "receptionist" and first.agency_id == p.receiving_id else None
            self.enter_step(0, at, holder)
        else:
            d["handling_agency_id"] = p.stepless_agency_id

    # -- the life of the dossier
    def run(self, start: dt.datetime, channel: int) -> None:
        rng, p, d = self.rng, self.p, self.d
        d["channel"] = channel
        d["submitted_at"] = start
        d["delivery"] = (Delivery.ONLINE if channel == Channel.ONLINE and p.level >= 4 else
                         Delivery.POST if channel == Channel.POST else Delivery.COUNTER)
        receptionist = self.staff(p.receiving_id, "receptionist")
        fate = rng.random()
        try:
            if channel == Channel.ONLINE:
                d["owner_id"] = rng.choice(self.g.citizens)
                self.event(EventKind.SUBMITTED, d["owner_id"], start, None, Status.SUBMITTED,
                           data={"channel": channel}, prev={"agency": None, "step": None, "assignee": None})
                at = self.clock.add(engine.next_opening(self.clock.calendar, start), rng.uniform(0.1, 6))
                if fate < 0.03:
                    self.refuse(receptionist, at)
                    return
                if fate < 0.09:
                    at = self.reception_supplement(receptionist, at)
                self.receive(receptionist, at)
            elif fate < 0.03:
                self.event(EventKind.SUBMITTED, receptionist, start, None, Status.SUBMITTED,
                           data={"channel": channel}, prev={"agency": None, "step": None, "assignee": None})
                self.refuse(receptionist, self.clock.add(start, rng.uniform(0.05, 0.3)))
                return
            else:
                self.receive_fields(receptionist, start)
                d["status"] = Status.RECEIVED
                self.event(EventKind.RECEIVED, receptionist, start, None, Status.RECEIVED,
                           data={"channel": channel, "due_at": _iso(d["due_at"])},
                           prev={"agency": None, "step": None, "assignee": None})
            self.process(receptionist)
        except _Stop:
            pass

    def refuse(self, actor: int, at: dt.datetime) -> None:
        at = self.when(at)
        self.d["closed_at"] = at
        self.d["status"] = Status.REFUSED
        self.event(EventKind.REFUSED, actor, at, Status.SUBMITTED, Status.REFUSED, note=self.rng.choice(REFUSE_REASONS))

    def reception_supplement(self, actor: int, at: dt.datetime) -> dt.datetime:
        d, rng = self.d, self.rng
        at = self.when(at)
        d["resume_status"] = Status.SUBMITTED
        d["reception_supplement_requested"] = True
        d["status"] = Status.SUPPLEMENT_REQUESTED
        self.event(EventKind.SUPPLEMENT_REQUESTED, actor, at, Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED,
                   data={"missing": rng.sample(MISSING, 2), "phase": "reception"})
        if rng.random() < 0.1:  # never supplied: the applicant withdraws after a while
            self.withdraw(d["owner_id"], self.clock.add(at, rng.uniform(8, 80)), Status.SUPPLEMENT_REQUESTED)
            raise _Stop
        at = self.when(self.clock.add(at, rng.uniform(2, 40)))
        d["resume_status"] = None
        d["status"] = Status.SUBMITTED
        self.event(EventKind.SUPPLIED, d["owner_id"], at, Status.SUPPLEMENT_REQUESTED, Status.SUBMITTED,
                   data={"phase": "reception"})
        return self.clock.add(at, rng.uniform(0.1, 4))

    def receive(self, actor: int, at: dt.datetime) -> None:
        d = self.d
        at = self.when(at)
        before = self.snapshot()
        self.receive_fields(actor, at)
        d["status"] = Status.RECEIVED
        self.event(EventKind.RECEIVED, actor, at, Status.SUBMITTED, Status.RECEIVED,
                   data={"due_at": _iso(d["due_at"])}, prev=before)
        if d["channel"] == Channel.ONLINE and self.p.fees_reception:
            self.pay(self.clock.add(at, self.rng.uniform(0.1, 3)))

    def pay(self, at: dt.datetime) -> None:
        d = self.d
        at = self.when(at)
        amount = sum(f["amount_vnd"] for f in self.p.fees_reception)
        d["fee_collected"] += amount
        reference = f"GEN{d['id']:010d}"
        self.event(EventKind.PAYMENT_RECEIVED, None, at, d["status"], d["status"],
                   note=f"Thanh toán trực tuyến {vnd(amount, unit='đồng')}, giao dịch {reference}.",
                   data={"amount_vnd": amount, "reference": reference, "provider": "vnpay",
                         "fees": self.p.fees_reception, "paid_at": _iso(at)})

    def process(self, receptionist: int) -> None:
        rng, p, d = self.rng, self.p, self.d
        at = d["received_at"]
        n = len(p.steps)
        pace = rng.random()
        slow_step = rng.randrange(1, n) if n > 1 and pace < 0.10 else -1
        supplement_at = rng.randrange(1, n) if n > 1 and rng.random() < 0.10 else -1
        twice = rng.random() < 0.2
        back_at = rng.randrange(2, n) if n > 2 and rng.random() < 0.04 else -1
        ending = rng.random()
        end_step = rng.randrange(0, max(n, 1))
        if not p.steps:  # a case without workflow: one officer completes it
            at = self.when(self.clock.add(at, rng.uniform(1, 16)))
            self.finish(self.staff(p.stepless_agency_id, "officer"), at, receptionist)
            return
        i = 0
        while True:
            step = p.steps[i]
            holder = d["assignee_id"]
            if holder is None:  # in the role pool: someone claims it
                at = self.when(self.g.clock(step.agency_id).add(at, rng.uniform(0.05, 1.5)))
                claimer = self.staff(step.agency_id, step.role)
                d["assignee_id"] = claimer
                before = self.snapshot()
                before["assignee"] = None
                self.event(EventKind.CLAIMED, claimer, at, d["status"], d["status"], prev=before)
                holder = claimer
            quota = float(step.quota_hours) or 0.5
            if i == slow_step:
                hours = quota * rng.uniform(1.3, 4.0)
            elif pace < 0.75:
                hours = quota * rng.uniform(0.05, 0.7)
            else:
                hours = quota * rng.uniform(0.5, 1.1)
            clock = self.g.clock(step.agency_id)
            if i == end_step and ending < 0.015:
                self.stop(holder, clock.add(at, hours * rng.uniform(0.2, 1.0)))
                return
            if i == end_step and ending < 0.03:
                self.withdraw(receptionist, clock.add(at, hours * rng.uniform(0.2, 1.0)), d["status"])
                return
            if i == supplement_at:
                at = self.supplement(holder, clock.add(at, hours * rng.uniform(0.1, 0.5)), receptionist)
                if twice:
                    at = self.supplement(holder, clock.add(at, hours * rng.uniform(0.1, 0.5)), receptionist)
                supplement_at = -1
            at = clock.add(at, hours)
            if i == back_at:
                at = self.return_to_previous(holder, at)
                back_at = -1
                i -= 1
                continue
            if i + 1 == n:
                self.finish(holder, at, receptionist)
                return
            self.handover(holder, at, i + 1)
            at = self.last_at
            i += 1

    def handover(self, actor: int, at: dt.datetime, to_index: int) -> None:
        d, rng = self.d, self.rng
        at = self.when(at)
        before = self.snapshot()
        target = self.p.steps[to_index]
        named = rng.random() < 0.75 or target.role == "receptionist"
        to_user = self.staff(target.agency_id, target.role) if named else None
        punctuality = _punctuality(d["step_due_at"], at)
        data = {"step_due_at": _iso(d["step_due_at"])}
        self.handlers[self.step_index] = actor
        from_status = d["status"]
        self.enter_step(to_index, at, to_user)
        d["status"] = Status.PROCESSING
        self.event(EventKind.HANDOVER, actor, at, from_status, Status.PROCESSING, data=data,
                   punctuality=punctuality, prev=before)

    def return_to_previous(self, actor: int, at: dt.datetime) -> dt.datetime:
        d = self.d
        at = self.when(at)
        before = self.snapshot()
        back = self.step_index - 1
        target = self.handlers.get(back)  # they still hold the role (generated staff never leave)
        punctuality = _punctuality(d["step_due_at"], at)
        data = {"step_due_at": _iso(d["step_due_at"])}
        from_status = d["status"]
        self.enter_step(back, at, target)
        d["status"] = Status.PROCESSING
        self.event(EventKind.RETURNED_TO_PREVIOUS, actor, at, from_status, Status.PROCESSING,
                   note=self.rng.choice(RETURN_REASONS), data=data, punctuality=punctuality, prev=before)
        return at

    def supplement(self, actor: int, at: dt.datetime, receptionist: int) -> dt.datetime:
        d, rng = self.d, self.rng
        at = self.when(at)
        from_status = d["status"]
        count = d["supplement_count"] + 1
        late = count > 1
        d["resume_status"] = from_status
        d["paused_at"] = at
        d["supplement_count"] = count
        d["counts_as_late"] = d["counts_as_late"] or late
        d["status"] = Status.SUPPLEMENT_REQUESTED
        self.event(EventKind.SUPPLEMENT_REQUESTED, actor, at, from_status, Status.SUPPLEMENT_REQUESTED,
                   data={"missing": rng.sample(MISSING, 1 + rng.randrange(2)), "phase": "processing",
                         "count": count, "counts_as_late": late})
        if rng.random() < 0.08:  # never supplied: the dossier is stopped
            self.stop(actor, self.clock.add(at, rng.uniform(40, 120)))
            raise _Stop
        at = self.when(self.clock.add(at, rng.uniform(4, 60)))
        data: dict[str, Any] = {"phase": "processing"}
        self.close_pause(at, data)
        back = d["resume_status"]
        d["resume_status"] = None
        d["status"] = back
        self.event(EventKind.SUPPLIED, d["owner_id"] or receptionist, at, Status.SUPPLEMENT_REQUESTED, back, data=data)
        return at

    def stop(self, actor: int, at: dt.datetime) -> None:
        d = self.d
        at = self.when(at)
        from_status = d["status"]
        data: dict[str, Any] = {}
        self.close_pause(at, data)
        d["closed_at"] = at
        d["status"] = Status.STOPPED
        self.event(EventKind.STOPPED, actor, at, from_status, Status.STOPPED, note=self.rng.choice(STOP_REASONS),
                   data=data)

    def withdraw(self, actor: int | None, at: dt.datetime, from_status: int) -> None:
        d = self.d
        at = self.when(at)
        data: dict[str, Any] = {}
        self.close_pause(at, data)
        d["closed_at"] = at
        d["status"] = Status.WITHDRAWN
        if actor is None:
            actor = self.staff(self.p.receiving_id, "receptionist")
        self.event(EventKind.WITHDRAWN, actor, at, from_status, Status.WITHDRAWN,
                   note=self.rng.choice(WITHDRAW_REASONS), data=data)

    def finish(self, actor: int, at: dt.datetime, receptionist: int) -> None:
        d, rng, p = self.d, self.rng, self.p
        at = self.when(at)
        from_status = d["status"]
        d["finished_at"] = at
        data = {"punctuality": "late" if d["counts_as_late"] else _punctuality(d["due_at"], at),
                "due_at": _iso(d["due_at"])}
        d["status"] = Status.COMPLETED
        self.event(EventKind.COMPLETED, actor, at, from_status, Status.COMPLETED, data=data,
                   punctuality=_punctuality(d["step_due_at"], at))
        # The result is handed over (at the counter, by post, or online at once).
        wait = rng.uniform(0.02, 0.5) if d["delivery"] == Delivery.ONLINE else rng.uniform(0.5, 24)
        at = self.when(self.clock.add(at, wait))
        fee = p.fees_return + (0 if d["channel"] == Channel.ONLINE else sum(f["amount_vnd"] for f in p.fees_reception))
        receipt = f"BL{d['id']:08d}" if fee else ""
        d["returned_at"] = at
        d["originals_checked"] = d["applicant_signed"] = d["delivery"] != Delivery.ONLINE
        d["fee_collected"] += fee
        if receipt:
            d["receipt_number"] = receipt
        d["status"] = Status.RETURNED
        self.event(EventKind.RESULT_RETURNED, receptionist, at, Status.COMPLETED, Status.RETURNED,
                   data={"originals_checked": d["originals_checked"], "applicant_signed": d["applicant_signed"],
                         "fee_collected": fee, "receipt_number": receipt, "delivery": d["delivery"]})
        if rng.random() < 0.25:
            rated = at + dt.timedelta(minutes=rng.randint(1, 60 * 24 * 3))
            if rated <= self.now:
                self.rating = self.g.rating_row(d, rated, receptionist)


# --- the generator --------------------------------------------------------------------------------


DOSSIER_FIELDS = list(Dossier._meta.concrete_fields)
EVENT_COLUMNS = [
    "dossier_id", "version", "kind", "actor_id", "at", "from_status", "to_status", "from_step_id", "to_step_id",
    "from_agency_id", "to_agency_id", "from_assignee_id", "to_assignee_id", "note", "data", "step_punctuality",
    "prev_hash", "hash",
]
_HASHED = EVENT_COLUMNS[1:16]  # what audit.chain hashes (EVENT_FIELDS), in our tuples' order


def _sealed(code: str, events: list[tuple]) -> list[tuple]:
    """The dossier's events as rows, chained with the action layer's helper (motcua.audit.chain).

    The payload is what `chain.event_payload` builds (the data here is plain JSON already, so
    its JSON round trip is skipped; the tests compare both on generated rows)."""
    rows, prev = [], GENESIS
    for ev in events:
        payload = dict(zip(_HASHED, ev[1:16], strict=True))
        payload["dossier"] = code
        digest = chain_digest(payload, prev)
        rows.append((*ev[:14], json.dumps(ev[14], ensure_ascii=False), ev[15], prev, digest))
        prev = digest
    return rows


class Generator:
    def __init__(self, *, count: int, seed: int = 1, months: int = 12, agency: str | None = None,
                 now: dt.datetime | None = None, batch_size: int = DEFAULT_BATCH,
                 progress: Callable[[str], None] | None = None, skip_fk_checks: bool = False):
        if count < 0:
            raise GenerationError("--count phải là số không âm.")
        if not 1 <= months <= 60:
            raise GenerationError("--months phải từ 1 đến 60.")
        self.count, self.seed, self.months, self.agency_code = count, seed, months, agency
        self.now = now or timezone.now()
        if timezone.is_naive(self.now):
            raise GenerationError("now must be aware")
        self.batch_size = max(1, batch_size)
        self.progress = progress or (lambda message: None)
        self.rng = random.Random(seed)
        self._clocks: dict[int, Clock] = {}
        self.postgres = connection.vendor == "postgresql"
        # PostgreSQL superuser only: no per-row foreign-key triggers while copying (every id
        # written was read from the database in this run). A benchmark loader's option.
        self.skip_fk_checks = skip_fk_checks and self.postgres

    def clock(self, agency_id: int) -> Clock:
        found = self._clocks.get(agency_id)
        if found is None:
            from motcua.agencies.models import Agency
            from motcua.worktime.services import calendar_for

            years = range(self.start.year - 1, self.now.year + 3)
            found = self._clocks[agency_id] = Clock(calendar_for(Agency.objects.get(pk=agency_id), years=years))
        return found

    # -- starting times
    def _days(self, agency_id: int) -> list[dt.date]:
        calendar = self.clock(agency_id).calendar
        day, end = self.start.astimezone(TZ).date(), self.now.astimezone(TZ).date()
        days = []
        while day <= end:
            if calendar.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def _start_time(self, agency_id: int, days: list[dt.date], online: bool) -> dt.datetime:
        rng = self.rng
        if online and rng.random() < 0.3:  # online dossiers also come in the evening and at weekends
            instant = self.start + (self.now - self.start) * rng.random()
            return instant.astimezone(TZ).replace(microsecond=0)
        for _attempt in range(20):
            day = rng.choice(days)
            opening, closing = rng.choice(self.clock(agency_id).calendar.periods_on(day))
            open_s = opening.hour * 3600 + opening.minute * 60
            close_s = closing.hour * 3600 + closing.minute * 60
            second = rng.randrange(open_s, max(close_s - 300, open_s + 1))
            local = dt.datetime.combine(day, dt.time(second // 3600, second // 60 % 60, second % 60), TZ)
            if local < self.now:
                return local
        return self.now - dt.timedelta(minutes=1)

    def rating_row(self, d: dict, at: dt.datetime, receptionist: int) -> tuple:
        rng = self.rng
        values = [2 if rng.random() < 0.7 else 1 if rng.random() < 0.9 else 0 for _ in range(9)]
        unsatisfied = values[7] == 0 or values[8] == 0
        online = d["owner_id"] is not None
        recorder = d["owner_id"] if online else receptionist
        return (d["id"], d["agency_id"], *values, sum(values[:7]), unsatisfied, "", recorder, not online, at)

    # -- ids and codes
    def _reserve_ids(self, n: int) -> list[int]:
        table = Dossier._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [row[0] for row in cursor.fetchall()]
            # Under SQLite's write lock; the table name is the model's, not input.
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + n))

    def _sequences(self, agency_ids: set[int]) -> dict[tuple[int, dt.date], int]:
        first_day = self.start.astimezone(TZ).date() - dt.timedelta(days=7)
        return {
            (agency_id, day): last
            for agency_id, day, last in DossierSequence.objects.filter(
                agency_id__in=agency_ids, day__gte=first_day
            ).values_list("agency_id", "day", "last")
        }

    def _save_sequences(self, sequences: dict[tuple[int, dt.date], int]) -> None:
        existing = {
            (row.agency_id, row.day): row
            for row in DossierSequence.objects.filter(agency_id__in={a for a, _ in sequences},
                                                      day__in={d for _, d in sequences})
        }
        new, changed = [], []
        for (agency_id, day), last in sequences.items():
            row = existing.get((agency_id, day))
            if row is None:
                new.append(DossierSequence(agency_id=agency_id, day=day, last=last))
            elif row.last < last:
                row.last = last
                changed.append(row)
        DossierSequence.objects.bulk_create(new, batch_size=1000)
        DossierSequence.objects.bulk_update(changed, ["last"], batch_size=1000)

    # -- writing
    def _write_batch(self, batch: tuple, result: Result) -> None:
        dossiers, events, ratings, sequences = batch
        w0 = time.perf_counter()
        with transaction.atomic():
            self._write(dossiers, events, ratings)
            self._save_sequences(sequences)
        result.write_seconds += time.perf_counter() - w0  # with the commit (deferred FK checks)

    def _write(self, dossiers: list[dict], events: list[tuple], ratings: list[tuple]) -> None:
        from motcua.feedback.models import Rating

        dossier_columns = [f.column for f in DOSSIER_FIELDS]
        dossier_rows = [tuple(_db_value(f, d) for f in DOSSIER_FIELDS) for d in dossiers]
        rating_columns = ["dossier_id", "agency_id", *[f"c{n}" for n in range(1, 10)], "score", "unsatisfied",
                          "comment", "recorded_by_id", "on_behalf", "created_at"]
        with transaction.atomic():
            if self.postgres and self.skip_fk_checks:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            self._insert(Dossier._meta.db_table, dossier_columns, dossier_rows)
            self._insert(Event._meta.db_table, EVENT_COLUMNS, events)
            self._insert(Rating._meta.db_table, rating_columns, ratings)

    def _insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        quoted = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # SQLite: multi-row INSERTs under its variable limit (bulk, like bulk_create, without the signals).
            per = max(1, 999 // len(columns))
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for i in range(0, len(rows), per):
                chunk = rows[i:i + per]
                sql = f'INSERT INTO "{table}" ({quoted}) VALUES ' + ", ".join([one] * len(chunk))  # noqa: S608
                cursor.execute(sql, [_sqlite(v) for row in chunk for v in row])

    # -- the run
    def run(self) -> Result:
        t0 = time.perf_counter()
        self.start = self.now - dt.timedelta(days=round(self.months * 30.44))
        plans = _plans(self.agency_code)
        with transaction.atomic():
            self.staff, staff_created = _staff(plans, self.rng)
            self.citizens, citizens_created = _citizens(self.rng)
        result = Result(staff_created=staff_created + citizens_created)
        days = {p.receiving_id: self._days(p.receiving_id) for p in plans}
        if not any(days.values()):
            raise GenerationError("Không có ngày làm việc nào trong khoảng thời gian đã chọn.")
        plans = [p for p in plans if days[p.receiving_id]]
        codes = {p.receiving_id: p.receiving_code for p in plans}
        sequences = self._sequences(set(codes))
        made = 0
        # PostgreSQL: a writer thread (its own connection) COPYs one batch while the next is
        # simulated; psycopg waits for the server without holding the GIL.
        # Not inside a caller's transaction (tests): the thread's connection would not see it.
        writer = _Writer(self, result) if self.postgres and not connection.in_atomic_block else None
        try:
            while made < self.count:
                n = min(self.batch_size, self.count - made)
                dossiers, events, ratings = [], [], []
                touched: set[tuple[int, dt.date]] = set()
                with transaction.atomic():  # SQLite: MAX(id) read under the write lock until the batch is in
                    for dossier_id in self._reserve_ids(n):
                        d, evs, rating = self._one(plans, days, dossier_id)
                        key = (d["agency_id"], d["submitted_at"].astimezone(TZ).date())
                        sequences[key] = seq = sequences.get(key, 0) + 1
                        touched.add(key)
                        d["code"] = format_code(codes[d["agency_id"]], key[1], seq)
                        dossiers.append(d)
                        events += _sealed(d["code"], evs)
                        if rating:
                            ratings.append(rating)
                        result.by_status[d["status"]] = result.by_status.get(d["status"], 0) + 1
                    batch = (dossiers, events, ratings, {key: sequences[key] for key in touched})
                    if writer is None:
                        self._write_batch(batch, result)
                if writer is not None:
                    writer.put(batch)
                made += n
                result.dossiers += n
                result.events += len(events)
                result.ratings += len(ratings)
                elapsed = time.perf_counter() - t0
                self.progress(f"{made}/{self.count} hồ sơ, {result.events} sự kiện, {elapsed:.0f} s "
                              f"(đang ghi {result.write_seconds:.0f} s), "
                              f"{(result.dossiers + result.events) / max(elapsed, 1e-9):,.0f} dòng/s")
        finally:
            if writer is not None:
                writer.finish()
        if self.postgres and self.count:
            with connection.cursor() as cursor:
                cursor.execute(f'ANALYZE "{Dossier._meta.db_table}", "{Event._meta.db_table}"')
        result.seconds = time.perf_counter() - t0
        return result

    def _one(self, plans: list[CasePlan], days: dict[int, list[dt.date]], dossier_id: int):
        rng = self.rng
        plan = rng.choice(plans)
        r = rng.random()
        online_ok = plan.level >= 3
        channel = Channel.ONLINE if online_ok and r < 0.40 else Channel.POST if r > 0.95 else Channel.COUNTER
        start = self._start_time(plan.receiving_id, days[plan.receiving_id], channel == Channel.ONLINE)
        sim = Sim(self, plan, dossier_id, self.now)
        sim.run(start, channel)
        d = sim.d
        d["status"] = int(d["status"])
        d["channel"] = int(d["channel"])
        d["delivery"] = str(d["delivery"])
        if d["resume_status"] is not None:
            d["resume_status"] = int(d["resume_status"])
        kind = "organisation" if rng.random() < 0.12 else "person"
        d.update(
            tracking_key=new_tracking_key(),
            applicant_kind=kind,
            applicant_name=rng.choice(COMPANIES) if kind == "organisation" else _person_name(rng),
            applicant_id_number=(f"{rng.randrange(10**9, 10**10)}" if kind == "organisation"
                                 else f"0{rng.randrange(10**10, 10**11)}"),
            applicant_phone=f"09{rng.randrange(10**7, 10**8)}",
            applicant_email="",
            applicant_address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}, Cà Mau",
            form_data={MARKER: self.seed},
            delivery_address="",
            delivery_fee=0,
            created_at=d["submitted_at"],
            updated_at=sim.last_at or d["submitted_at"],
        )
        if d["delivery"] == Delivery.POST:
            d["delivery_address"] = d["applicant_address"]
            d["delivery_fee"] = settings.MOTCUA_POSTAL_FEE_VND
        return d, sim.events, sim.rating


class _Writer:
    """One background thread writing batches in order; errors are raised in the caller."""

    def __init__(self, generator: Generator, result: Result):
        import queue
        import threading

        self.generator, self.result = generator, result
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="generate-dossiers-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        try:
            while True:
                batch = self.queue.get()
                if batch is None:
                    return
                if self.error is None:
                    self.generator._write_batch(batch, self.result)
        except BaseException as exc:  # reported by finish()/put()
            self.error = exc
            while self.queue.get() is not None:  # drain so that put() never blocks
                pass
        finally:
            connection.close()

    def put(self, batch: tuple) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _db_value(model_field, d: dict) -> Any:
    name = model_field.attname
    if name in d:
        value = d[name]
    elif model_field.has_default():
        value = model_field.get_default()
    else:
        value = None
    if name == "form_data":
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() * US)  # Django stores durations as microseconds on SQLite
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def generate(count: int, **options: Any) -> Result:
    """Generate `count` dossiers (see the module docstring); returns the counts and the time taken."""
    return Generator(count=count, **options).run()


def generated(queryset=None) -> Iterator:
    """The generated dossiers (by their marker)."""
    qs = queryset if queryset is not None else Dossier.objects.all()
    return qs.filter(form_data__has_key=MARKER)
