"""Load benchmark of the production set-up: tracking and catalogue pages beside a bare view.

Run: .venv/bin/python bench/load.py [--dossiers 1000000] [--reuse] [--redis [URL]] [--seconds 8]

1. A throwaway PostgreSQL database (motcua_bench_load) gets the sample catalogue and --dossiers
   dossiers (10^6 by default) with their events, seeded by bench/tracking.py's loader.
2. `python -m motcua serve --workers 2` runs with production settings: debug off, hashed static
   files (collectstatic), persistent database connections, warnings-only logs; with --redis the
   cache and rate limits are on Redis as on a multi-machine install.
3. Client processes request, in interleaved rounds over keep-alive connections: the bare view
   /ping; public tracking (API and page) of 2,000 random dossiers; the catalogue's home page,
   procedure list, a search with and without diacritics, procedure pages and agency pages.
Figures: requests/s, p50 and p99 of each, and each one's ratio to the bare view, ending with
  BENCH load bare_rps=.. track_api_rps=.. track_api_ratio=.. ... dossiers=..
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "motcua_bench_load"

_spec = importlib.util.spec_from_file_location("bench_tracking", ROOT / "bench" / "tracking.py")
tracking = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tracking)


def catalogue_paths() -> tuple[list[str], list[str], list[str]]:
    data = json.loads((ROOT / "src/motcua/catalog/fixtures/sample_catalog.json").read_text(encoding="utf-8"))
    procedures = [f"/thu-tuc/{p['code']}/" for p in data.get("procedures", [])]
    agencies = [f"/co-quan/{a['unit_code']}/" for a in data.get("agencies", [])]
    searches = ["/thu-tuc/?q=khai+sinh", "/thu-tuc/?q=khai+sinh+cho+tre", "/thu-tuc/?q=ly+lich+tu+phap",
                "/thu-tuc/?q=%C4%91%C4%83ng+k%C3%BD+k%E1%BA%BFt+h%C3%B4n", "/thu-tuc/?q=giay+phep+xay+dung"]
    return procedures, agencies, searches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--redis", nargs="?", const="redis://127.0.0.1:6379/0", default="")
    parser.add_argument("--database", metavar="NAME",
                        help="use an existing database instead of seeding one (e.g. motcua_bench_dashboard, "
                             "made by `generate_dossiers` for bench/dashboard.py)")
    args = parser.parse_args()
    db_name = args.database or DB_NAME

    env = dict(os.environ)
    env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + db_name
    env["MOTCUA_DATA_DIR"] = env.get("MOTCUA_BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="motcua-load-")
    env.update(MOTCUA_LOG_LEVEL="WARNING", MOTCUA_DEBUG="0", MOTCUA_MANIFEST_STATIC="1")
    if args.redis:
        env.update(MOTCUA_REDIS_URL=args.redis, MOTCUA_REDIS_PREFIX=f"motcua-load-{os.getpid()}")

    sample_path = Path(tempfile.gettempdir()) / f"{db_name}.json"
    count_path = sample_path.with_suffix(".count")
    if args.database:
        import psycopg

        url = env["DATABASE_URL"].replace("postgres://", "postgresql://")
        with psycopg.connect(url) as conn:
            count = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]
            rows = conn.execute("SELECT code, tracking_key FROM dossiers_dossier TABLESAMPLE SYSTEM (1) "
                                "LIMIT 20000").fetchall()
        sample_path.write_text(json.dumps([list(r) for r in rows]))
        count_path.write_text(str(count))
    elif not (args.reuse and sample_path.exists() and count_path.exists()):
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        print(f"seeding {args.dossiers} dossiers into PostgreSQL …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "tracking.py"), "--seed-only", str(sample_path),
                        "--dossiers", str(args.dossiers)], env=env, cwd=ROOT, check=True)
        count_path.write_text(str(args.dossiers))
    count = int(count_path.read_text())
    sample = json.loads(sample_path.read_text())
    rng = random.Random(5)
    chosen = rng.sample(sample, min(2000, len(sample)))
    procedures, agencies, searches = catalogue_paths()
    groups = {
        "bare": ["/ping"],
        "track_api": [f"/api/v1/track/{c}?key={k}" for c, k in chosen],
        "track_page": [f"/tra-cuu/{c}?key={k}" for c, k in chosen],
        "home": ["/"],
        "list": ["/thu-tuc/"],
        "search": searches,
        "procedure": procedures,
        "agency": agencies,
    }

    port = tracking._free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", "--workers", "2", "--no-worker", "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        tracking._wait(port, timeout=180)
        for paths in groups.values():  # warm every worker, connection and cache once
            tracking.measure(port, paths, 2, args.clients)
        results: dict[str, list[dict]] = {name: [] for name in groups}
        for _ in range(args.rounds):
            for name, paths in groups.items():
                results[name].append(tracking.measure(port, paths, args.seconds, args.clients))
    finally:
        server.terminate()
        server.wait(10)

    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
    bare = best["bare"]["rps"]
    print(f"PostgreSQL, {count} dossiers; production settings; 2 granian workers; "
          f"{args.clients} keep-alive clients; cache: {'Redis' if args.redis else 'embedded'}")
    for name, r in best.items():
        print(f"  {name:12} {r['rps']:8.0f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  "
              f"ratio {r['rps'] / bare:5.2f}  errors {r['errors']}")
    figures = " ".join(
        f"{name}_rps={r['rps']:.0f} {name}_p99_ms={r['p99']:.1f}" + ("" if name == "bare" else
                                                                       f" {name}_ratio={r['rps'] / bare:.2f}")
        for name, r in best.items()
    )
    print(f"BENCH load {figures} dossiers={count} cache={'redis' if args.redis else 'embedded'}")
    return 0 if all(r["errors"] == 0 for r in best.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
