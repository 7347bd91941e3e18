"""Search quality on a labelled set: top-1, top-3 and no-result share, tune and held-out apart.

Run: .venv/bin/python bench/search_quality.py [--verbose] [--split tune|held_out|blind|all] [--postgres]

Loads bench/data/search/catalog.json (real procedures as published on the national portal plus
synthetic distractors) into a throwaway SQLite database with the catalogue importer, then runs
every query of bench/data/search/queries.json through motcua.catalog.search.search, the function
the portal's procedure list calls. For the queries whose `accept` lists codes (a real procedure
answers them) it reports:
  top1       share whose first result is an accepted code
  top3       share with an accepted code among the first three results
  no_result  share that found nothing at all
and for the queries with `accept: []` (nothing in the catalogue answers them):
  wrong_first  how many still got a first result presented as a match.
The held-out queries are frozen: their SHA-256 is in held_out.sha256 and a changed held-out set
is reported loudly (and the exit status is 2). Tune on the `tune` split only.
The run ends with one line per split, e.g.
  BENCH search_quality split=held_out top1=.. top3=.. no_result=.. wrong_first=..
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "search"
SPLITS = ("tune", "held_out", "blind")
NAME_LIMIT = 500  # ProcedureVersion.name and ProcedureCase.name hold at most 500 characters


def fit_name(name: str) -> str:
    """A published name cut at a word boundary to what the database holds (a few real ones are longer)."""
    return name if len(name) <= NAME_LIMIT else name[:NAME_LIMIT].rsplit(" ", 1)[0]


def canonical_held_out(queries: list[dict]) -> bytes:
    """The bytes whose SHA-256 freezes the held-out split (sorted by id, sorted keys, compact)."""
    held = sorted((q for q in queries if q["split"] == "held_out"), key=lambda q: q["id"])
    return json.dumps(held, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def check_held_out(queries: list[dict]) -> bool:
    expected = (DATA / "held_out.sha256").read_text(encoding="utf-8").split()[0]
    actual = hashlib.sha256(canonical_held_out(queries)).hexdigest()
    if actual == expected:
        return True
    bar = "!" * 78
    print(f"{bar}\nHELD-OUT SET CHANGED: sha256 {actual}\n  expected {expected} (held_out.sha256).\n"
          f"  The held-out figures below are not comparable with earlier runs.\n{bar}", file=sys.stderr)
    print(f"{bar}\nHELD-OUT SET CHANGED (see stderr)\n{bar}")
    return False


def blind_queries() -> tuple[list[dict], bool]:
    """The second held-out set (held_out_2.json), written blind after the first tuning.

    Its author saw only the issue and catalog.json, never the search code, its data or the
    other queries; it is frozen by the SHA-256 of the file in held_out_2.sha256.
    """
    raw = (DATA / "held_out_2.json").read_bytes()
    expected = (DATA / "held_out_2.sha256").read_text(encoding="utf-8").split()[0]
    ok = hashlib.sha256(raw).hexdigest() == expected
    if not ok:
        print("BLIND SET CHANGED: held_out_2.json no longer matches held_out_2.sha256")
    rows = json.loads(raw.decode("utf-8"))
    return [{"id": r["id"], "q": r["query"], "accept": r["accept"], "kind": r["kind"],
             "split": "blind"} for r in rows], ok


def catalogue_document(catalog: dict, sample: dict) -> dict:
    """The catalogue in the importer's format: one agency, sectors by name, one minimal case each.

    Only the name, the code and the sector reach the search columns (no requirements, result or
    components), so every procedure is found by what is published about it, not by sample text.
    """
    agency = sample["agencies"][0]
    sectors: dict[str, str] = {}
    procedures = []
    for entry in catalog["procedures"]:
        sector = sectors.setdefault(entry["sector"], f"S{len(sectors) + 1:02d}")
        name = fit_name(entry["name"])
        procedures.append({
            "code": entry["code"],
            "name": name,
            "sector": sector,
            "agency": agency["unit_code"],
            "subjects": ["citizen"],
            "cases": [{
                "name": name,
                "time": {"amount": 5, "unit": "working_days"},
                "cutoff": None,
                "steps": [{"name": "Tiếp nhận, giải quyết", "role": "officer", "quota_hours": 1}],
            }],
        })
    return {
        "agencies": [dict(agency, parent=None)],
        "sectors": [{"code": code, "name": name} for name, code in sectors.items()],
        "procedures": procedures,
    }


def ranked_codes(search, query: str, n: int = 3) -> tuple[list[str], int]:
    """The first `n` procedure codes the portal would list for `query`, and how many it found.

    Since #18 search() answers the matches, and the `suggestions` apart (shown under "Không tìm
    thấy thủ tục «…»"): only the matches count here; a suggestion is not a result.
    """
    results = search(query).select_related("procedure")
    return [v.procedure.code for v in results[:n]], results.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every query that misses")
    parser.add_argument("--split", choices=["tune", "held_out", "blind", "all"], default="all")
    parser.add_argument("--postgres", action="store_true",
                        help="a throwaway PostgreSQL database (MOTCUA_BENCH_PG) instead of SQLite")
    args = parser.parse_args()

    catalog = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))
    queries = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))["queries"]
    held_out_ok = check_held_out(queries)
    blind, blind_ok = blind_queries()
    queries += blind
    held_out_ok = held_out_ok and blind_ok
    known = {p["code"] for p in catalog["procedures"]}
    synthetic = {p["code"] for p in catalog["procedures"] if p.get("synthetic")}
    for q in queries:
        unknown = [c for c in q["accept"] if c not in known or c in synthetic]
        if unknown:
            raise SystemExit(f"{q['id']}: accept lists {unknown}, not real procedures of catalog.json")

    # A throwaway SQLite database, whatever the environment points at (or PostgreSQL, asked for).
    os.environ["MOTCUA_DATA_DIR"] = tempfile.mkdtemp(prefix="motcua-search-quality-")
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        import psycopg

        admin_url = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
        name = "motcua_bench_search_quality"
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from motcua.catalog.importer import import_catalog
    from motcua.catalog.search import search

    sample = json.loads((ROOT / "src/motcua/catalog/fixtures/sample_catalog.json").read_text(encoding="utf-8"))
    import_catalog(catalogue_document(catalog, sample))

    real = len(known - synthetic)
    cut = [p["code"] for p in catalog["procedures"] if fit_name(p["name"]) != p["name"]]
    if cut:
        print(f"note: names longer than {NAME_LIMIT} characters imported cut at a word boundary: {', '.join(cut)}")
    print(f"catalogue: {real} real procedures, {len(synthetic)} synthetic distractors; "
          f"{len(queries)} queries")
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_kind: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for q in queries:
        if args.split != "all" and q["split"] != args.split:
            continue
        codes, found = ranked_codes(search, q["q"])
        t = tally[q["split"]]
        accept = set(q["accept"])
        if accept:
            t["answerable"] += 1
            hit1 = bool(codes) and codes[0] in accept
            hit3 = bool(accept & set(codes))
            t["top1"] += hit1
            t["top3"] += hit3
            t["no_result"] += found == 0
            by_kind[(q["split"], q["kind"])][0] += hit1
            by_kind[(q["split"], q["kind"])][1] += 1
            if not hit1:
                misses.append((q, codes, found))
        else:
            t["nothing"] += 1
            t["wrong_first"] += found > 0
            by_kind[(q["split"], q["kind"])][0] += found == 0
            by_kind[(q["split"], q["kind"])][1] += 1
            if found:
                misses.append((q, codes, found))

    names = {p["code"]: p["name"] for p in catalog["procedures"]}
    if args.verbose:
        for q, codes, found in misses:
            first = f"{codes[0]} {names[codes[0]][:70]}" if codes else "(nothing)"
            print(f"  miss {q['id']} [{q['split']}/{q['kind']}] {q['q']!r} -> {found} found; "
                  f"first {first}; accept {q['accept'] or 'nothing'}")
    print("per kind (top-1 for answerable kinds, 'found nothing' for not_in_catalogue):")
    for (split, kind), (ok, n) in sorted(by_kind.items()):
        print(f"  {split:8} {kind:18} {ok:3}/{n:<3}")
    for split in SPLITS:
        t = tally.get(split)
        if not t:
            continue
        n = t["answerable"] or 1
        print(f"{split}: {t['answerable']} answerable queries: top-1 {t['top1'] / n:.1%}, "
              f"top-3 {t['top3'] / n:.1%}, no result {t['no_result'] / n:.1%}; "
              f"{t['nothing']} queries that should find nothing: {t['wrong_first']} got a first result")
    for split in SPLITS:
        t = tally.get(split)
        if not t:
            continue
        n = t["answerable"] or 1
        frozen = "" if split == "tune" or held_out_ok else " held_out_changed=1"
        print(f"BENCH search_quality split={split} top1={t['top1'] / n:.3f} top3={t['top3'] / n:.3f} "
              f"no_result={t['no_result'] / n:.3f} wrong_first={t['wrong_first']}{frozen}")
    return 0 if held_out_ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
