"""Catalogue search benchmark: 2,000 procedures, 200 realistic queries, p50/p95 per database.

Run: .venv/bin/python bench/catalog_search.py [--procedures 2000] [--queries 200] [--db sqlite|postgres|both]

Each database is measured in its own process (settings are read at start-up) on a throwaway
database. The baseline is a primary-key lookup of one procedure version, measured in the same
run, so the figures hold on a noisy machine. Target: p95 <= 20 ms on SQLite and on PostgreSQL.
Each run ends with one line per database:
  BENCH catalog_search_<db> p50_ms=.. p95_ms=.. baseline_p95_ms=.. ratio_p95=.. target=20
"""

from __future__ import annotations

import argparse
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

# Words from real procedure names, so generated names look like a provincial catalogue.
SUBJECTS = [
    "khai sinh", "kết hôn", "khai tử", "hộ kinh doanh", "doanh nghiệp tư nhân", "giấy phép xây dựng",
    "lý lịch tư pháp", "chứng thực bản sao", "trích lục hộ tịch", "quyền sử dụng đất", "nhà ở riêng lẻ",
    "công ty trách nhiệm hữu hạn", "giấy phép lái xe", "hộ chiếu", "thường trú", "tạm trú",
    "bảo trợ xã hội", "trợ cấp thất nghiệp", "giấy phép kinh doanh rượu", "an toàn thực phẩm",
    "biển số xe", "khiếu nại", "tố cáo", "đất đai", "môi trường", "giấy phép lao động", "học bổng",
    "văn bằng", "chứng chỉ hành nghề", "giấy phép quảng cáo", "di tích", "nuôi con nuôi", "giám hộ",
]
VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Gia hạn", "Điều chỉnh", "Thay đổi nội dung", "Xác nhận", "Thu hồi",
         "Giải quyết", "Công nhận", "Chấm dứt", "Cấp đổi", "Thẩm định"]
QUALIFIERS = ["", "", "lần đầu", "cho người nước ngoài", "có yếu tố nước ngoài", "trong nước", "tại cấp xã",
              "đối với tổ chức", "đối với cá nhân", "bị mất, hỏng", "quá hạn", "theo yêu cầu"]
QUERIES = [
    "ly lich tu phap", "lý lịch tư pháp", "khai sinh", "dang ky ket hon", "giấy phép xây dựng",
    "ho kinh doanh", "cap lai", "chứng thực", "dat dai", "doanh nghiep", "gia han giay phep", "tam tru",
    "cấp đổi", "nuoi con nuoi", "an toan thuc pham", "giay phep lao dong nguoi nuoc ngoai", "x",
    "thu hoi giay phep kinh doanh ruou", "'; drop table --", "khiếu nại lần đầu", "🙂", "xac nhan",
]


def _run_child(db: str, procedures: int, queries: int) -> int:
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="motcua-bench-")
    env["MOTCUA_DATA_DIR"] = tmp
    if db == "postgres":
        import psycopg

        name = "motcua_bench_search"
        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    else:
        env.pop("DATABASE_URL", None)
    args = [sys.executable, __file__, "--child", db, "--procedures", str(procedures), "--queries", str(queries)]
    return subprocess.call(args, env=env, cwd=ROOT)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _child(db: str, procedures: int, queries: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from motcua.catalog.importer import import_catalog
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.search import Filters, search

    rng = random.Random(20261127)
    import json

    sample = json.loads((ROOT / "src/motcua/catalog/fixtures/sample_catalog.json").read_text(encoding="utf-8"))
    template = sample["procedures"]
    generated = []
    for i in range(procedures):
        base = dict(template[i % len(template)])
        name = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} {rng.choice(QUALIFIERS)}".strip()
        base = json.loads(json.dumps(base))
        base["code"] = f"9.{i:06d}"
        base["name"] = name[0].upper() + name[1:]
        base["requirements"] = " ".join(rng.sample(SUBJECTS, 4)) + ". " + base.get("requirements", "")
        generated.append(base)
    started = time.perf_counter()
    import_catalog({"agencies": sample["agencies"], "sectors": sample["sectors"], "procedures": generated})
    load_s = time.perf_counter() - started
    ids = list(ProcedureVersion.objects.values_list("id", flat=True))

    def run_query(q: str) -> None:
        filters = Filters(level=rng.choice([None, None, None, 3, 4]))
        page = search(q, filters).select_related("procedure", "sector", "agency", "receiving_agency")
        list(page[:20])
        page.count()

    def run_baseline(pk: int) -> None:
        ProcedureVersion.objects.select_related("procedure").get(pk=pk)

    # The in-memory search index (#18) is built on the first search after a catalogue change, once
    # per process: measured apart, then warm like a running server.
    from motcua.catalog import search as search_module

    t0 = time.perf_counter()
    search_module._build()
    build_ms = (time.perf_counter() - t0) * 1000
    # Warm up connections and caches, then interleave so both see the same machine noise.
    for q in QUERIES:
        run_query(q)
    search_ms: list[float] = []
    base_ms: list[float] = []
    for i in range(queries):
        q = QUERIES[i % len(QUERIES)] if i % 3 else " ".join(rng.sample(SUBJECTS, 1)[0].split()[: rng.randint(1, 2)])
        t0 = time.perf_counter()
        run_query(q)
        search_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        run_baseline(rng.choice(ids))
        base_ms.append((time.perf_counter() - t0) * 1000)

    p50, p95 = statistics.median(search_ms), _percentile(search_ms, 95)
    b50, b95 = statistics.median(base_ms), _percentile(base_ms, 95)
    print(f"{db}: {procedures} procedures loaded in {load_s:.1f} s; {queries} queries")
    print(f"  index build (once per process and catalogue version) {build_ms:.0f} ms")
    print(f"  search   p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  max {max(search_ms):6.2f} ms")
    print(f"  baseline p50 {b50:6.2f} ms  p95 {b95:6.2f} ms  (primary-key lookup)")
    print(
        f"BENCH catalog_search_{db} p50_ms={p50:.2f} p95_ms={p95:.2f} baseline_p95_ms={b95:.2f} "
        f"ratio_p95={p95 / b95:.1f} target=20"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.procedures, args.queries)
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    return max(_run_child(db, args.procedures, args.queries) for db in dbs)


if __name__ == "__main__":
    raise SystemExit(main())
