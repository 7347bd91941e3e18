"""Supervision benchmark through the real server: the province dashboard and the QĐ 766 indicators page.

Run: .venv/bin/python bench/dashboard.py [--dossiers 1000000] [--runs 9] [--reuse] [--fast]

1. A PostgreSQL database (motcua_bench_dashboard) gets the sample catalogue, a supervisor of the
   root agency (the province) and --dossiers generated dossiers with all their events
   (`python -m motcua generate_dossiers`: 12 months, all agencies, channels and outcomes).
   Generating 10^6 takes a while: --reuse keeps the database of an earlier run (same count).
   --fast loads with the generator's --fast (no per-row foreign-key triggers; superuser).
2. `python -m motcua serve --workers 1 --no-worker` serves it on a loopback port; the
   supervisor's session is made in the database beforehand (no sign-in form, no 2FA prompt).
3. Each page is requested --runs times one after the other (after one warm-up request), for the
   whole 12 months (?tu=…&den=…) and for the pages' default period (this month); any answer but
   200 stops the run with the status and the start of the body. In the same run,
   `SELECT count(*) FROM dossiers_dossier` is timed --runs times over a direct connection: the
   floor any page that looks at every dossier has to beat. Then a second server with
   MOTCUA_REPORTS_SUMMARY=0 (every dossier counted live, as before the summary) serves the two
   12-month pages --runs/3 times (at least 3): the baseline the summary of ended dossiers beats.
   A database generated before the summary existed is migrated and the summary built first.
Figures: min / median / p95 in milliseconds. Target: each page <= 1000 ms (median, 12 months).
The run ends with one line:
  BENCH dashboard dashboard_ms=.. indicators_ms=.. dashboard_p95_ms=.. indicators_p95_ms=.. count_ms=.. \
dashboard_month_ms=.. indicators_month_ms=.. live_dashboard_ms=.. live_indicators_ms=.. dossiers=.. target_ms=1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "motcua_bench_dashboard"
SUPERVISOR = "bench-giamsat"
TARGET_MS = 1000.0


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()


# --- seeding and the session (child processes with Django set up) ----------------------------------


def seed(count: int, fast: bool) -> None:
    _django()
    from django.core.management import call_command

    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency

    call_command("migrate", verbosity=0)
    call_command("import_catalog", str(ROOT / "src/motcua/catalog/fixtures/sample_catalog.json"), verbosity=0)
    root = Agency.objects.filter(parent__isnull=True).order_by("pk").first()
    user, _ = User.objects.get_or_create(username=SUPERVISOR, defaults={"full_name": "Giám sát (đo hiệu năng)"})
    Membership.objects.get_or_create(user=user, agency=root, role="supervisor", defaults={"active": True})
    call_command("generate_dossiers", count=count, seed=1, fast=fast)


def session_cookie() -> None:
    """Print the supervisor's session cookie (name=value), made through Django's own login."""
    _django()
    from django.conf import settings
    from django.test import Client

    from motcua.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=SUPERVISOR))
    name = settings.SESSION_COOKIE_NAME
    print(json.dumps({"name": name, "value": client.cookies[name].value}))


def dossier_count() -> int:
    import psycopg

    with psycopg.connect(_db_url().replace("postgres://", "postgresql://")) as conn:
        return conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]


def summary_built() -> bool:
    import psycopg

    with psycopg.connect(_db_url().replace("postgres://", "postgresql://")) as conn:
        row = conn.execute("SELECT built_at FROM reports_summarystate WHERE id = 1").fetchone()
    return bool(row and row[0])


# --- measuring ------------------------------------------------------------------------------------


def _db_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[float, int, bytes]:
    t = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "vi"})
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - t) * 1000, response.status, body


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"min": ordered[0], "median": statistics.median(ordered), "p95": p95}


def measure_page(port: int, path: str, cookie: str, runs: int) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    _ms, status, body = _get(conn, path, cookie)  # warm-up (and the check)
    if status != 200:
        text = body[:400].decode("utf-8", "replace")
        where = " (signed out? the session was refused)" if status in (301, 302) else ""
        raise SystemExit(f"GET {path} answered {status}{where}, not 200:\n{text}")
    samples = []
    for _ in range(runs):
        ms, status, body = _get(conn, path, cookie)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status} during the runs, not 200")
        samples.append(ms)
    conn.close()
    return stats(samples)


def measure_count(runs: int) -> dict[str, float]:
    import psycopg

    samples = []
    with psycopg.connect(_db_url().replace("postgres://", "postgresql://")) as conn:
        conn.execute("SELECT count(*) FROM dossiers_dossier")  # warm-up
        for _ in range(runs):
            t = time.perf_counter()
            conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
            samples.append((time.perf_counter() - t) * 1000)
    return stats(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--fast", action="store_true", help="load without per-row foreign-key checks (superuser)")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--session-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    env = dict(os.environ)
    env["DATABASE_URL"] = _db_url()
    env["MOTCUA_DATA_DIR"] = env.get("MOTCUA_BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="motcua-bench-")
    env["MOTCUA_LOG_LEVEL"] = "WARNING"
    env.pop("MOTCUA_HTTPS", None)  # plain HTTP on loopback: 2FA optional, cookies not Secure
    if args.seed_only:
        seed(args.dossiers, args.fast)
        return 0
    if args.session_only:
        session_cookie()
        return 0
    os.environ.update({"DATABASE_URL": env["DATABASE_URL"]})

    import psycopg

    exists = False
    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None
        if not (args.reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
            exists = False
    if exists:
        have = dossier_count()
        if have < args.dossiers:
            raise SystemExit(f"--reuse: the database has {have} dossiers, fewer than --dossiers {args.dossiers}; "
                             "run without --reuse")
        print(f"reusing {DB_NAME} ({have} dossiers)", flush=True)
    else:
        print(f"generating {args.dossiers} dossiers into PostgreSQL …", flush=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--seed-only", "--dossiers", str(args.dossiers),
                        *(["--fast"] if args.fast else [])], env=env, cwd=ROOT, check=True)
        print(f"generated in {time.perf_counter() - t:.0f} s", flush=True)
    # A database generated before the reports' summary existed gets its tables and its first build.
    subprocess.run([sys.executable, "-m", "motcua", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    if not summary_built():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "motcua", "rebuild_summary"], env=env, cwd=ROOT, check=True)
        print(f"reports summary built in {time.perf_counter() - t:.0f} s", flush=True)
    count = dossier_count()
    made = subprocess.run([sys.executable, __file__, "--session-only"], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    session = json.loads(made.stdout.strip().splitlines()[-1])
    cookie = f"{session['name']}={session['value']}"

    today = dt.date.today()
    year = f"tu={today.replace(year=today.year - 1) + dt.timedelta(days=1):%Y-%m-%d}&den={today:%Y-%m-%d}"
    pages = {
        "dashboard": f"/can-bo/thong-ke/?{year}",
        "indicators": f"/can-bo/thong-ke/chi-so/?{year}",
        "dashboard_month": "/can-bo/thong-ke/",
        "indicators_month": "/can-bo/thong-ke/chi-so/",
    }
    results: dict[str, dict[str, float]] = {}
    # As deployed (ended dossiers read from the reports' summary), then everything counted live
    # (MOTCUA_REPORTS_SUMMARY=0: the baseline the summary is there to beat) for the 12 months.
    for suffix, summary_on, names in (("", "1", list(pages)), ("_live", "0", ["dashboard", "indicators"])):
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "motcua", "serve", "--workers", "1", "--port", str(port), "--no-worker",
             "--no-collectstatic"],
            env={**env, "MOTCUA_REPORTS_SUMMARY": summary_on}, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(port, server)
            for name in names:
                results[name + suffix] = measure_page(port, pages[name], cookie, args.runs if not suffix else
                                                      max(3, args.runs // 3))
        finally:
            server.terminate()
            server.wait(10)
    results["count(*)"] = measure_count(args.runs)

    print(f"PostgreSQL, {count} dossiers; server: 1 granian worker; {args.runs} runs each after a warm-up "
          f"({max(3, args.runs // 3)} for the live baseline)")
    for name, r in results.items():
        label = name if name == "count(*)" else f"{name} ({pages[name.removesuffix('_live')]})"
        print(f"  {label:82} min {r['min']:8.1f} ms  median {r['median']:8.1f} ms  p95 {r['p95']:8.1f} ms")
    d, i, c = results["dashboard"], results["indicators"], results["count(*)"]
    print(
        f"BENCH dashboard dashboard_ms={d['median']:.0f} indicators_ms={i['median']:.0f} "
        f"dashboard_p95_ms={d['p95']:.0f} indicators_p95_ms={i['p95']:.0f} count_ms={c['median']:.0f} "
        f"dashboard_month_ms={results['dashboard_month']['median']:.0f} "
        f"indicators_month_ms={results['indicators_month']['median']:.0f} "
        f"live_dashboard_ms={results['dashboard_live']['median']:.0f} "
        f"live_indicators_ms={results['indicators_live']['median']:.0f} dossiers={count} target_ms={TARGET_MS:.0f}"
    )
    ok = max(d["median"], i["median"]) <= TARGET_MS
    print("target met" if ok else "TARGET MISSED: a page takes more than 1 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
