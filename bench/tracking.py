"""Tracking benchmark through the real server: GET /api/v1/track/<code>?key=… and /tra-cuu/<code>?key=…

Run: .venv/bin/python bench/tracking.py [--dossiers 100000] [--large] [--redis [URL]] [--reuse]

1. A throwaway PostgreSQL database gets the sample catalogue and --dossiers dossiers (10^5;
   10^6 with --large), each with its reception and hand-over events, inserted in bulk.
2. Two `python -m motcua serve --workers 2` servers (granian, WSGI) serve it on loopback ports:
   one with the tracking cache off (every lookup takes the database path), one as deployed
   (the embedded per-process cache, or Redis with --redis).
3. Client processes hammer, in interleaved rounds of --seconds each, two bare Django views
   (/ping: no database at all; /healthz: one trivial query) and the two tracking addresses
   with 2,000 random dossiers (90% right keys, 10% wrong keys), over keep-alive connections.
Figures: requests per second and p50/p99 latency of each; the target is tracking at
>= 0.6 of the bare view's requests per second. The run ends with one line:
  BENCH tracking rps=.. bare_rps=.. ratio=.. p99_ms=.. page_ratio=.. db_path_rps=.. db_path_ratio=.. target=0.6
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "motcua_bench_tracking"
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức", "Võ Thị Én"]


# --- seeding (runs in a child process with Django set up) -----------------------------------------


def seed(count: int, sample_out: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.core.management import call_command
    from django.db import transaction

    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.codes import new_tracking_key
    from motcua.dossiers.models import Dossier, Event, EventKind, Status

    call_command("migrate", verbosity=0)
    call_command("import_catalog", str(ROOT / "src/motcua/catalog/fixtures/sample_catalog.json"), verbosity=0)
    rng = random.Random(7)
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    versions = list(
        ProcedureVersion.objects.filter(state="published").select_related("receiving_agency", "agency")
        .prefetch_related("cases__steps")
    )
    plans = []
    for v in versions:
        case = v.cases.all()[0]
        steps = list(case.steps.all())
        if len(steps) >= 2:
            plans.append((v, case, steps))
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=tz)
    sample: list[tuple[str, str]] = []
    batch = 5000
    made = 0
    t0 = time.perf_counter()
    while made < count:
        n = min(batch, count - made)
        dossiers = []
        for i in range(made, made + n):
            v, case, steps = plans[i % len(plans)]
            received = start + dt.timedelta(minutes=3 * i)
            day_seq = i // len(plans) + 1
            code = f"{v.receiving_agency.unit_code}-{received:%y%m%d}-{day_seq % 10**6:06d}{i % len(plans):02d}"
            dossiers.append(Dossier(
                code=code, tracking_key=new_tracking_key(), procedure_version=v, case=case,
                agency=v.receiving_agency, handling_agency=v.receiving_agency, channel=1 + i % 2,
                status=Status.PROCESSING, applicant_name=rng.choice(NAMES), applicant_id_number="096090001234",
                submitted_at=received, received_at=received, due_at=received + dt.timedelta(days=10),
                original_due_at=received + dt.timedelta(days=10), current_step=steps[1],
                current_role=steps[1].role, step_started_at=received + dt.timedelta(hours=1), version=3,
            ))
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers, batch_size=1000)
            events = []
            for d in dossiers:
                _, _, steps = next(p for p in plans if p[0].pk == d.procedure_version_id)
                events.append(Event(dossier=d, version=1, kind=EventKind.RECEIVED, at=d.received_at,
                                    to_status=2, to_step=steps[0], to_agency_id=d.agency_id))
                events.append(Event(dossier=d, version=2, kind=EventKind.HANDOVER, at=d.step_started_at,
                                    from_status=2, to_status=4, from_step=steps[0], to_step=steps[1],
                                    to_agency_id=d.agency_id, step_punctuality="on_time"))
            Event.objects.bulk_create(events, batch_size=2000)
        sample += [(d.code, d.tracking_key) for d in rng.sample(dossiers, min(1000, len(dossiers)))]
        made += n
        print(f"  {made} dossiers ({time.perf_counter() - t0:.0f} s)", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sample_out.write_text(json.dumps(sample))


# --- load (client processes) ------------------------------------------------------------------------


def _client(port: int, paths: list[str], seconds: float, threads: int, out: mp.Queue) -> None:
    import threading

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(seed_value: int) -> None:
        nonlocal errors
        rng = random.Random(seed_value)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop_at:
            path = rng.choice(paths)
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 500:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    pool = [threading.Thread(target=worker, args=(os.getpid() * 100 + i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors))


def measure(port: int, paths: list[str], seconds: float, clients: int) -> dict:
    processes = 2
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=_client, args=(port, paths, seconds, max(1, clients // processes), queue))
        for _ in range(processes)
    ]
    for p in procs:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        lat, err = queue.get()
        latencies += lat
        errors += err
    for p in procs:
        p.join()
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    return {"rps": len(latencies) / seconds, "p50": pct(0.50), "p99": pct(0.99), "errors": errors}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--large", action="store_true", help="10^6 dossiers")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--redis", nargs="?", const="redis://127.0.0.1:6379/0", default="",
                        help="run the cached server with MOTCUA_REDIS_URL (default redis://127.0.0.1:6379/0)")
    parser.add_argument("--seed-only", metavar="SAMPLE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    count = 1_000_000 if args.large else args.dossiers

    env = dict(os.environ)
    env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    env["MOTCUA_DATA_DIR"] = env.get("MOTCUA_BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="motcua-bench-")
    env["MOTCUA_LOG_LEVEL"] = "WARNING"
    if args.seed_only:
        seed(count, Path(args.seed_only))
        return 0

    sample_path = Path(tempfile.gettempdir()) / f"{DB_NAME}.json"
    if not (args.reuse and sample_path.exists()):
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        print(f"seeding {count} dossiers into PostgreSQL …", flush=True)
        subprocess.run([sys.executable, __file__, "--seed-only", str(sample_path), "--dossiers", str(count)],
                       env=env, cwd=ROOT, check=True)
    sample = json.loads(sample_path.read_text())
    rng = random.Random(11)
    api_paths, page_paths = [], []
    for code, key in rng.sample(sample, min(2000, len(sample))):
        key = key if rng.random() < 0.9 else "WRONG7"
        api_paths.append(f"/api/v1/track/{code}?key={key}")
        page_paths.append(f"/tra-cuu/{code}?key={key}")

    # Two servers side by side, measured in interleaved rounds: one with the tracking cache off
    # (every lookup takes the database path) and one as deployed (embedded cache, or Redis with
    # --redis), where repeated lookups of the same dossiers (receipts' QR codes, kiosks, citizens
    # refreshing) are served from the cache until an action on the dossier drops the entry.
    cached_env = dict(env)
    if args.redis:
        cached_env["MOTCUA_REDIS_URL"] = args.redis
        cached_env["MOTCUA_REDIS_PREFIX"] = f"motcua-bench-{os.getpid()}"
    servers = {
        "db": dict(env, MOTCUA_TRACKING_CACHE_SECONDS="0"),
        "cached": cached_env,
    }
    ports, procs = {}, []
    try:
        for name, server_env in servers.items():
            ports[name] = _free_port()
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "motcua", "serve", "--workers", "2", "--no-worker",
                 "--port", str(ports[name])],
                env=server_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            ))
        for port in ports.values():
            _wait(port)
            measure(port, ["/ping"], 2, args.clients)  # warm up every worker and connection
        measure(ports["cached"], api_paths + page_paths, 12, args.clients)  # fill the cache(s) once
        results: dict[str, list[dict]] = {k: [] for k in ("bare", "db_bare", "api", "page", "api_db", "page_db")}
        plan = [("bare", "cached", ["/ping"]), ("db_bare", "cached", ["/healthz"]),
                ("api", "cached", api_paths), ("page", "cached", page_paths),
                ("api_db", "db", api_paths), ("page_db", "db", page_paths)]
        for _ in range(args.rounds):
            for key, server, paths in plan:
                results[key].append(measure(ports[server], paths, args.seconds, args.clients))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)

    def best(name: str) -> dict:
        return max(results[name], key=lambda r: r["rps"])

    b = {k: best(k) for k in results}
    cache_kind = "Redis" if args.redis else "embedded per-process"
    print(f"PostgreSQL, {count} dossiers, each server: 2 granian workers; {args.clients} keep-alive clients; "
          f"{len(api_paths)} dossiers looked up at random (10% with a wrong key)")
    labels = (("bare view /ping", "bare"), ("bare /healthz", "db_bare"),
              (f"tracking API, {cache_kind} cache", "api"), ("tracking page, cached", "page"),
              ("tracking API, no cache", "api_db"), ("tracking page, no cache", "page_db"))
    for label, key in labels:
        r = b[key]
        print(f"  {label:38} {r['rps']:8.0f} req/s  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  "
              f"errors {r['errors']}")
    bare = b["bare"]["rps"]
    print(
        f"BENCH tracking rps={b['api']['rps']:.0f} bare_rps={bare:.0f} ratio={b['api']['rps'] / bare:.2f} "
        f"p99_ms={b['api']['p99']:.2f} bare_p99_ms={b['bare']['p99']:.2f} "
        f"page_ratio={b['page']['rps'] / bare:.2f} "
        f"db_path_rps={b['api_db']['rps']:.0f} db_path_ratio={b['api_db']['rps'] / bare:.2f} "
        f"db_path_p99_ms={b['api_db']['p99']:.2f} "
        f"healthz_rps={b['db_bare']['rps']:.0f} db_path_vs_healthz={b['api_db']['rps'] / b['db_bare']['rps']:.2f} "
        f"cache={'redis' if args.redis else 'embedded'} dossiers={count} target=0.6"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
