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
where they are (some late). The result goes back as the action layer returns it: an electronic
result (level 4 online) by the system at completion (`result_delivered`, then the owner's first
`result_downloaded`), by post (`result_posted` with its bưu gửi number, then `post_delivered`),
else at the counter (`result_returned`, fees collected with a receipt number); online fees are
paid online (`payment_received`); a quarter of the returned dossiers are rated (a `Rating` row
and its `rated` event).

Numbers: dossiers are simulated in the order they are submitted (the draws are made first), so
codes, form 01's numbers and the ledger's follow the dates within each agency and year; forms
02-05 (supplement request, refusal, extension — the holder of a slow step sometimes extends —,
stop) get their `FormNumber` in date order after the rows are written (`Store.number_papers`);
every series continues after the numbers already taken (`dossiers.numbers`).

Generated rows are marked: dossiers have ``form_data = {"generated": <seed>}``, generated staff
and citizens have usernames starting with ``gen-``. Codes follow the configured pattern with the
per-agency, per-day sequence continued after the existing `DossierSequence` rows, which are
bumped afterwards, so real receptions never collide. Everything is determined by the seed
except the tracking keys (secret; from `secrets`).

The run: `plan` (the catalogue, staff and citizens), `simulate` (each dossier's life), `write`
(the rows). Rows are written in batches: COPY on PostgreSQL (psycopg 3), multi-row inserts on SQLite.
Events are written by `dossiers/actions.py` and, in bulk for the demo and benchmarks, by this
package alone (each dossier's chain sealed as the action layer seals it; `tests/write_guard.py`).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.dossiers.codes import TZ, format_code, new_tracking_key
from motcua.dossiers.models import Channel, Delivery, Dossier, Event
from motcua.feedback.models import Rating
from motcua.worktime.services import calendar_for

from . import plan
from .plan import COMPANIES, GENERATED_PREFIX, STREETS, CasePlan, GenerationError, person_name
from .simulate import Clock, Sim
from .write import Store, Writer, sealed

__all__ = ["DEFAULT_BATCH", "GENERATED_PREFIX", "MARKER", "GenerationError", "Generator", "Result", "generate",
           "generated"]

MARKER = "generated"
DEFAULT_BATCH = 5000


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
        self.store = Store(skip_fk_checks)
        self.postgres = self.store.postgres

    def clock(self, agency_id: int) -> Clock:
        found = self._clocks.get(agency_id)
        if found is None:
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
        rating_id = next(self._rating_ids)
        return (rating_id, d["id"], d["agency_id"], *values, sum(values[:7]), unsatisfied, "", recorder, not online,
                at)

    # -- the run
    def run(self) -> Result:
        t0 = time.perf_counter()
        self.start = self.now - dt.timedelta(days=round(self.months * 30.44))
        plans = plan.cases(self.agency_code)
        with transaction.atomic():
            self.staff, staff_created = plan.staff(plans, self.rng)
            self.citizens, citizens_created = plan.citizens(self.rng)
        result = Result(staff_created=staff_created + citizens_created)
        days = {p.receiving_id: self._days(p.receiving_id) for p in plans}
        if not any(days.values()):
            raise GenerationError("Không có ngày làm việc nào trong khoảng thời gian đã chọn.")
        plans = [p for p in plans if days[p.receiving_id]]
        codes = {p.receiving_id: p.receiving_code for p in plans}
        sequences = self.store.sequences(set(codes), self.start.astimezone(TZ).date() - dt.timedelta(days=7))
        series = self.store.form_series(set(codes))  # form 01's numbers and the ledger's, per agency and year
        # Who comes when, drawn first and sorted: dossiers are simulated in the order they are
        # submitted, so codes and reception numbers follow the dates (see `_ready`).
        plan_of, channel_of, start_of = self._draws(plans, days)
        order = sorted(range(self.count), key=start_of.__getitem__)
        pending: list[tuple] = []  # simulated, not yet numbered and written (see `_ready`)
        made = 0
        first_id, last_id = 2**63, 0
        # PostgreSQL: a writer thread (its own connection) COPYs one batch while the next is
        # simulated; psycopg waits for the server without holding the GIL.
        # Not inside a caller's transaction (tests): the thread's connection would not see it.
        writer = Writer(self.store, result) if self.postgres and not connection.in_atomic_block else None
        try:
            while made < self.count:
                n = min(self.batch_size, self.count - made)
                touched: set[tuple[int, dt.date]] = set()
                with transaction.atomic():  # SQLite: MAX(id) read under the write lock until the batch is in
                    self._rating_ids = iter(self.store.reserve_ids(n, Rating))  # at most one per dossier
                    for k, dossier_id in enumerate(self.store.reserve_ids(n)):
                        first_id = min(first_id, dossier_id)
                        last_id = max(last_id, dossier_id)
                        j = order[made + k]
                        start = dt.datetime.fromtimestamp(start_of[j], TZ)
                        d, evs, rating = self._one(plans[plan_of[j]], channel_of[j], start, dossier_id)
                        key = (d["agency_id"], d["submitted_at"].astimezone(TZ).date())
                        sequences[key] = seq = sequences.get(key, 0) + 1
                        touched.add(key)
                        d["code"] = format_code(codes[d["agency_id"]], key[1], seq)
                        pending.append((d, sealed(d["code"], evs), rating))
                        result.by_status[d["status"]] = result.by_status.get(d["status"], 0) + 1
                    made += n
                    later = start_of[order[made]] if made < self.count else None
                    ready, pending = self._ready(pending, later, series)
                    dossiers = [d for d, _evs, _rating in ready]
                    events = [row for _d, evs, _rating in ready for row in evs]
                    ratings = [rating for _d, _evs, rating in ready if rating]
                    numbered = {(d["agency_id"], form, d["received_at"].astimezone(TZ).year)
                                for d in dossiers if d["received_at"] is not None for form in ("01", "07")}
                    batch = (dossiers, events, ratings, {key: sequences[key] for key in touched},
                             {key: series[key] for key in numbered})
                    if writer is None:
                        self.store.write_batch(batch, result)
                if writer is not None:
                    writer.put(batch)
                result.dossiers += len(dossiers)
                result.events += len(events)
                result.ratings += len(ratings)
                elapsed = time.perf_counter() - t0
                self.progress(f"{made}/{self.count} hồ sơ, {result.events} sự kiện, {elapsed:.0f} s "
                              f"(đang ghi {result.write_seconds:.0f} s), "
                              f"{(result.dossiers + result.events) / max(elapsed, 1e-9):,.0f} dòng/s")
        finally:
            if writer is not None:
                writer.finish()
        if last_id:
            # The numbers of forms 02-05 the events hand out, per agency and year in date order:
            # one pass over the events just written (a dossier's papers come long after its start).
            t1 = time.perf_counter()
            self.store.number_papers(first_id, last_id)
            result.write_seconds += time.perf_counter() - t1
        if self.postgres and self.count:
            with connection.cursor() as cursor:
                cursor.execute(f'ANALYZE "{Dossier._meta.db_table}", "{Event._meta.db_table}"')
        result.seconds = time.perf_counter() - t0
        return result

    def _draws(self, plans: list[CasePlan], days: dict[int, list[dt.date]]) -> tuple[array, array, array]:
        """Each dossier's case, channel and submission time (index of `plans`, channel, POSIX
        seconds), in compact arrays (10^6 dossiers: some 13 MB)."""
        rng = self.rng
        plan_of, channel_of, start_of = array("H"), array("B"), array("d")
        for _i in range(self.count):
            index = rng.randrange(len(plans))
            plan = plans[index]
            r = rng.random()
            online_ok = plan.level >= 3
            channel = Channel.ONLINE if online_ok and r < 0.40 else Channel.POST if r > 0.95 else Channel.COUNTER
            start = self._start_time(plan.receiving_id, days[plan.receiving_id], channel == Channel.ONLINE)
            plan_of.append(index)
            channel_of.append(int(channel))
            start_of.append(start.timestamp())
        return plan_of, channel_of, start_of

    @staticmethod
    def _ready(pending: list[tuple], later: float | None, series: dict) -> tuple[list[tuple], list[tuple]]:
        """The simulated dossiers that can be numbered and written now, and those that wait.

        Dossiers are simulated in submission order, and none is received before it is submitted:
        every dossier received before `later` (the next submission still to simulate; None: the
        end) is received before any dossier to come, so those take form 01's and the ledger's next
        numbers now, in the order of their reception. A dossier received later (online, checked
        after a while) waits for the next batch; one never received needs no number."""
        ready, waiting = [], []
        for entry in pending:
            received_at = entry[0]["received_at"]
            if received_at is None or later is None or received_at.timestamp() < later:
                ready.append(entry)
            else:
                waiting.append(entry)
        received = sorted((e[0] for e in ready if e[0]["received_at"] is not None),
                          key=lambda d: (d["received_at"], d["id"]))
        for d in received:  # numbered at reception, as actions.py does
            year = d["received_at"].astimezone(TZ).year
            for form, column in (("01", "reception_number"), ("07", "ledger_number")):
                key = (d["agency_id"], form, year)
                series[key] = d[column] = series.get(key, 0) + 1
        return ready, waiting

    def _one(self, plan: CasePlan, channel: int, start: dt.datetime, dossier_id: int):
        rng = self.rng
        channel = Channel(channel)
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
            applicant_name=rng.choice(COMPANIES) if kind == "organisation" else person_name(rng),
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
            if sim.posted is not None:  # not sealed yet: the event carries the address it was posted to
                sim.posted["address"] = d["delivery_address"]
        return d, sim.events, sim.rating


def generate(count: int, **options: Any) -> Result:
    """Generate `count` dossiers (see the module docstring); returns the counts and the time taken."""
    return Generator(count=count, **options).run()


def generated(queryset=None) -> Iterator:
    """The generated dossiers (by their marker)."""
    qs = queryset if queryset is not None else Dossier.objects.all()
    return qs.filter(form_data__has_key=MARKER)
