"""Public tracking benchmark: GET /api/v1/track/<code>?key=<key> over many dossiers, per database.

Run: .venv/bin/python bench/tracking.py [--dossiers 1000] [--requests 500] [--db sqlite|postgres|both]

Each database is measured in its own process (settings are read at start-up) on a throwaway
database. Dossiers are made through the real action layer (counter reception, then hand-overs,
so each has several events). The requests mix right keys (80%), wrong keys (10%) and unknown
codes (10%), through Django's full request stack (test client, no network). The baseline is
GET /healthz (a bare view with one query) measured in the same run, interleaved, so the ratio
holds on a noisy machine. Target: p95 <= 25 ms on both databases. Each run ends with:
  BENCH tracking_<db> p50_ms=.. p95_ms=.. baseline_p95_ms=.. ratio_p95=.. target=25
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
TARGET_MS = 25
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức", "Võ Thị Én"]


def _run_child(db: str, dossiers: int, requests: int) -> int:
    env = dict(os.environ)
    env["MOTCUA_DATA_DIR"] = tempfile.mkdtemp(prefix="motcua-bench-")
    if db == "postgres":
        import psycopg

        name = "motcua_bench_tracking"
        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    else:
        env.pop("DATABASE_URL", None)
    args = [sys.executable, __file__, "--child", db, "--dossiers", str(dossiers), "--requests", str(requests)]
    return subprocess.call(args, env=env, cwd=ROOT)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _load(dossiers: int, rng: random.Random) -> list[tuple[str, str]]:
    import json
    from zoneinfo import ZoneInfo

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.catalog.importer import import_catalog
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions

    sample = json.loads((ROOT / "src/motcua/catalog/fixtures/sample_catalog.json").read_text(encoding="utf-8"))
    import_catalog(sample)
    # One user per role holding it everywhere (like the demo accounts).
    users = {}
    for role in ("receptionist", "officer", "department_head", "leader", "clerk"):
        user = User.objects.create_user(f"bench_{role}")
        for agency in Agency.objects.all():
            Membership.objects.create(user=user, agency=agency, role=role)
        users[role] = user
    versions = [p.published for p in Procedure.objects.select_related("published") if p.published]
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    start = dt.datetime(2026, 3, 2, 7, 30, tzinfo=tz)
    pairs = []
    for i in range(dossiers):
        when = start + dt.timedelta(days=(i // 40) % 60, minutes=7 * (i % 40))
        name = rng.choice(NAMES)
        result = actions.create_dossier(
            actor=users["receptionist"], version=rng.choice(versions), channel=1, at=when,
            applicant=actions.Applicant(name=name, id_number=f"{rng.randrange(10**11, 10**12)}", phone="0912345678"),
        )
        dossier = result.dossier
        # Two or three hand-overs: the tracking page lists the steps passed.
        for hop in range(rng.randint(0, 3)):
            role = dossier.current_role
            if not role or role not in users:
                break
            try:
                dossier = actions.handover(dossier, actor=users[role], at=when + dt.timedelta(minutes=20 * (hop + 1)))
                dossier = dossier.dossier
            except Exception:  # noqa: BLE001 - the last step has no next one; fine for data
                break
        pairs.append((dossier.code, dossier.tracking_key))
    return pairs


def _child(db: str, dossiers: int, requests: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s are intended
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    rng = random.Random(20261127)
    started = time.perf_counter()
    pairs = _load(dossiers, rng)
    load_s = time.perf_counter() - started
    client = Client()

    def track_once() -> int:
        code, key = rng.choice(pairs)
        roll = rng.random()
        if roll < 0.1:
            key = "ZZZZZZ" if key != "ZZZZZZ" else "YYYYYY"
        elif roll < 0.2:
            code = code[:-4] + "9999"
        return client.get(f"/api/v1/track/{code}", {"key": key}).status_code

    for _ in range(30):  # warm up connections, caches, URL resolver
        track_once()
        client.get("/healthz")
    track_ms: list[float] = []
    base_ms: list[float] = []
    statuses: dict[int, int] = {}
    for _ in range(requests):
        t0 = time.perf_counter()
        status = track_once()
        track_ms.append((time.perf_counter() - t0) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        t0 = time.perf_counter()
        client.get("/healthz")
        base_ms.append((time.perf_counter() - t0) * 1000)

    p50, p95 = statistics.median(track_ms), _percentile(track_ms, 95)
    b95 = _percentile(base_ms, 95)
    print(f"{db}: {dossiers} dossiers made through the action layer in {load_s:.1f} s; {requests} requests "
          f"(answers: {dict(sorted(statuses.items()))})")
    print(f"  tracking p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  max {max(track_ms):6.2f} ms")
    print(f"  baseline p50 {statistics.median(base_ms):6.2f} ms  p95 {b95:6.2f} ms  (GET /healthz)")
    print(f"BENCH tracking_{db} p50_ms={p50:.2f} p95_ms={p95:.2f} baseline_p95_ms={b95:.2f} "
          f"ratio_p95={p95 / b95:.1f} target={TARGET_MS}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.dossiers, args.requests)
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    return max(_run_child(db, args.dossiers, args.requests) for db in dbs)


if __name__ == "__main__":
    raise SystemExit(main())
