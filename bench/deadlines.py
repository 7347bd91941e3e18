"""Deadline engine benchmark: due-time computations per second on a ten-year calendar.

Run: .venv/bin/python bench/deadlines.py [--calls 200000] [--repeat 5] [--seed 7]

The calendar is the national one for 2020-2029 (from the `holidays` package, as the service
builds it), default office hours. Inputs are random: receipt times over 2020-2028 (evenings,
weekends and holidays included), every unit, integer and fractional amounts, with and without
a cut-off. The baseline, measured in the same run on the same inputs, is a bare
`start + timedelta` per call, so the ratio holds on a noisy machine. Pure Python: no database.
Ends with one line:
  BENCH deadlines per_second=.. baseline_per_second=.. ratio=.. target=50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from motcua.worktime.engine import TZ, Calendar, due  # noqa: E402
from motcua.worktime.holidays_vn import DAYS_OFF_KINDS, DayKind, generate_year  # noqa: E402

TARGET = 50_000
YEARS = range(2020, 2030)

# Roughly the mix of a provincial catalogue: mostly working days.
UNITS = ["working_days"] * 6 + ["working_hours", "days", "months", "same_day"]
AMOUNTS = {
    "working_days": [1, 2, 3, 5, 7, 10, 15, 20, 30, Decimal("0.5"), Decimal("1.5")],
    "working_hours": [1, 2, 4, 8, 16, Decimal("0.5"), 2.5],
    "days": [5, 10, 15, 30, 45, 60],
    "months": [1, 2, 3, Decimal("0.5")],
    "same_day": [0],
}
CUTOFFS = [None, None, None, dt.time(15, 0), dt.time(16, 30)]


def national_calendar() -> Calendar:
    days = [day for year in YEARS for day in generate_year(year)]
    return Calendar(
        days_off=frozenset(d.date for d in days if d.kind in DAYS_OFF_KINDS),
        working_days=frozenset(d.date for d in days if d.kind == DayKind.MAKEUP_WORKING_DAY),
    )


def random_inputs(n: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    first = dt.datetime(2020, 1, 1, tzinfo=TZ)
    span_minutes = int((dt.datetime(2028, 12, 31, tzinfo=TZ) - first).total_seconds() // 60)
    inputs = []
    for _ in range(n):
        start = first + dt.timedelta(minutes=rng.randrange(span_minutes))
        unit = rng.choice(UNITS)
        inputs.append((start, rng.choice(AMOUNTS[unit]), unit, rng.choice(CUTOFFS)))
    return inputs


def measure(fn, inputs) -> float:
    began = time.perf_counter()
    fn(inputs)
    return len(inputs) / (time.perf_counter() - began)


def run_engine(calendar: Calendar):
    def go(inputs):
        for start, amount, unit, cutoff in inputs:
            due(calendar, start, amount, unit, cutoff)

    return go


def run_baseline(inputs):
    delta = dt.timedelta(hours=8)
    for start, _amount, _unit, _cutoff in inputs:
        start + delta  # noqa: B018 (the work being timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    began = time.perf_counter()
    calendar = national_calendar()
    inputs = random_inputs(args.calls, args.seed)
    engine = run_engine(calendar)
    engine(inputs[:1000])  # build the day index once, as a long-lived process would have
    setup_ms = (time.perf_counter() - began) * 1000

    # Interleave the two, best of N each, so a burst of noise hits both alike.
    engine_rates, baseline_rates = [], []
    for _ in range(args.repeat):
        baseline_rates.append(measure(run_baseline, inputs))
        engine_rates.append(measure(engine, inputs))
    per_second, baseline = max(engine_rates), max(baseline_rates)

    print(
        f"calendar {YEARS.start}-{YEARS.stop - 1}: {len(calendar.days_off)} days off, "
        f"{len(calendar.working_days)} make-up days; setup {setup_ms:.0f} ms"
    )
    print(f"{args.calls} random inputs x {args.repeat} runs (best run counted)")
    print(f"engine:   {per_second:>12,.0f} due times/s  ({1e6 / per_second:.2f} µs each)")
    print(f"baseline: {baseline:>12,.0f} start+timedelta/s")
    print(
        f"BENCH deadlines per_second={per_second:.0f} baseline_per_second={baseline:.0f} "
        f"ratio={per_second / baseline:.4f} target={TARGET}"
    )
    return 0 if per_second >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
