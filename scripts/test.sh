#!/usr/bin/env bash
# `make test`: the lint (scripts/lint.sh: ruff, import-linter, mypy), the suite on SQLite, then on
# PostgreSQL, then the browser journeys (PostgreSQL, one at a time), all at one instant of the test
# clock (tests/clock.py). Every part runs even when an earlier one failed; the summary gives each
# part's result and wall time.
#
#   MOTCUA_TEST_CLOCK_SEED  the clock's instant (0-47; random when unset; `none`: the real clock)
#   TEST_WORKERS            pytest-xdist workers for the non-browser parts (default: auto)
#   PYTEST_ARGS             extra pytest arguments (a folder, -k ..., -x)
#   PG_URL                  the PostgreSQL server (pytest-django makes its own test_* database)
#   PARTS                   which parts to run (default "lint sqlite postgres browser")
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/motcua}
WORKERS=${TEST_WORKERS:-auto}
PARTS=${PARTS:-lint sqlite postgres browser}
read -r -a extra <<< "${PYTEST_ARGS:-}"

export MOTCUA_TEST_CLOCK_SEED=${MOTCUA_TEST_CLOCK_SEED:-$(( RANDOM % 48 ))}
echo "== make test: clock seed $MOTCUA_TEST_CLOCK_SEED (replay with MOTCUA_TEST_CLOCK_SEED=$MOTCUA_TEST_CLOCK_SEED)"
echo "== uptime: $(uptime)"

summary=()
failed=0
part() {  # part NAME PYTEST-ARGUMENTS...
  local name=$1; shift
  echo
  echo "== $name"
  local start rc
  start=$(date +%s)
  "$@"
  rc=$?
  # 5: nothing collected. Fine when PYTEST_ARGS narrowed the run to tests of another part.
  if [ "$rc" -eq 5 ] && [ ${#extra[@]} -gt 0 ]; then rc=0; fi
  local verdict="passed"
  [ "$rc" -eq 0 ] || { verdict="FAILED (exit $rc)"; failed=1; }
  summary+=("$(printf '%-34s %-24s %5d s' "$name" "$verdict" $(( $(date +%s) - start )))")
}

for p in $PARTS; do
  case $p in
    lint)
      part "lint (ruff, import-linter, mypy)" env BIN="$(dirname "$PY")" bash scripts/lint.sh ;;
    sqlite)
      part "SQLite (not browser, -n $WORKERS)" \
        env -u DATABASE_URL "$PY" -m pytest -n "$WORKERS" -m "not browser" "${extra[@]}" ;;
    postgres)
      part "PostgreSQL (not browser, -n $WORKERS)" \
        env DATABASE_URL="$PG_URL" "$PY" -m pytest -n "$WORKERS" -m "not browser" "${extra[@]}" ;;
    browser)
      part "PostgreSQL browser journeys" \
        env DATABASE_URL="$PG_URL" "$PY" -m pytest -m browser "${extra[@]}" ;;
    *) echo "unknown part: $p" >&2; exit 2 ;;
  esac
done

echo
echo "== make test summary (clock seed $MOTCUA_TEST_CLOCK_SEED)"
printf '%s\n' "${summary[@]}"
echo "== uptime: $(uptime)"
exit $failed
