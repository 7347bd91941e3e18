"""The test clock: every non-browser test runs at one instant of a matrix of awkward times.

A suite that passes only at the hour it was written is a suite that fails in CI at another
hour. So each run of the suite picks one instant from TIMES × DAYS (chosen by the seed in
MOTCUA_TEST_CLOCK_SEED, printed at the start so a failure can be replayed) and every test
starts at that instant with the clock ticking (`time_machine.travel(instant, tick=True)`).
`make test-clock` runs the suite at every instant of the matrix.

Seeds 0–47 name the instants in order (day-major); any other integer is taken modulo 48;
`none` runs on the real clock (for looking at a failure that only happens on the real one).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ENV = "MOTCUA_TEST_CLOCK_SEED"

# Around opening (07:00), the morning's close (11:00), the afternoon's opening (13:00), the usual
# cut-off for same-day procedures (15:00), closing (17:00) and the last seconds of the day.
TIMES = [dt.time(6, 59), dt.time(7, 4), dt.time(11, 59), dt.time(13, 0), dt.time(14, 59), dt.time(15, 1),
         dt.time(16, 59), dt.time(23, 59, 30)]
DAYS = [
    (dt.date(2026, 10, 14), "an ordinary working day (Wednesday)"),
    (dt.date(2026, 10, 17), "an ordinary Saturday"),
    (dt.date(2026, 8, 22), "the swapped working Saturday (for Monday 31/08/2026)"),
    (dt.date(2027, 2, 3), "the last working day before Tết 2027"),
    (dt.date(2026, 9, 2), "National Day 2/9/2026"),
    (dt.date(2026, 12, 31), "New Year's Eve 31/12/2026"),
]
SIZE = len(TIMES) * len(DAYS)
# The session's shared data (the sample catalogue) is written this long before each test's instant,
# so nothing a test finds already in the database is stamped later than the test's "now".
SETUP_LEAD = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Instant:
    seed: int
    at: dt.datetime
    label: str

    def describe(self) -> str:
        return (f"test clock: seed {self.seed} → {self.at:%d/%m/%Y %H:%M:%S} ICT, {self.label} "
                f"(replay: {ENV}={self.seed})")


def instant(seed: int) -> Instant:
    day, label = DAYS[(seed % SIZE) // len(TIMES)]
    time = TIMES[(seed % SIZE) % len(TIMES)]
    return Instant(seed, dt.datetime.combine(day, time, tzinfo=TZ), label)


def chosen() -> Instant | None:
    """The instant of this run: from the environment, or a new random seed written there (so
    xdist's workers and the PostgreSQL half of `make test` use the same one). None: real clock."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("none", "real", "off"):
        return None
    if not value:
        value = str(random.randrange(SIZE))  # noqa: S311 - picking a test instant, not a secret
        os.environ[ENV] = value
    try:
        return instant(int(value))
    except ValueError:
        raise SystemExit(f"{ENV} must be an integer (0–{SIZE - 1}) or 'none', not {value!r}") from None


# A Python child process runs at its parent test's clock when its code starts with this prologue
# and its environment includes child_env() (the clock of another process cannot be moved from here).
CHILD_PROLOGUE = """
import os as _os
if _os.environ.get("MOTCUA_TEST_NOW"):
    import time_machine as _time_machine
    _time_machine.travel(_os.environ["MOTCUA_TEST_NOW"], tick=True).start()
"""


def child_env() -> dict[str, str]:
    return {"MOTCUA_TEST_NOW": dt.datetime.now(dt.UTC).isoformat()}
