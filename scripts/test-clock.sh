#!/usr/bin/env bash
# `make test-clock`: the non-browser suite on SQLite at every instant of the test clock's matrix
# (tests/clock.py: 8 times of day × 6 days = 48 runs). Not part of `make test`: it takes hours.
#
#   SEEDS         which instants (default: all, "0 1 ... 47")
#   TEST_WORKERS  pytest-xdist workers (default: auto)
#   PYTEST_ARGS   extra pytest arguments
#   LOG_DIR       where each run's output goes (default: data/test-clock)
#   MOTCUA_TEST_REDIS_BASE  first Redis database of the workers (default 1; e.g. 8 while
#                 another suite runs on this machine)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORKERS=${TEST_WORKERS:-auto}
SEEDS=${SEEDS:-$(seq -s ' ' 0 47)}
LOG_DIR=${LOG_DIR:-data/test-clock}
read -r -a extra <<< "${PYTEST_ARGS:-}"
mkdir -p "$LOG_DIR"

failed=()
for seed in $SEEDS; do
  start=$(date +%s)
  MOTCUA_TEST_CLOCK_SEED=$seed env -u DATABASE_URL "$PY" -m pytest -q -n "$WORKERS" \
    -m "not browser" "${extra[@]}" > "$LOG_DIR/seed-$seed.log" 2>&1
  rc=$?
  clock=$(grep -m1 '^test clock:' "$LOG_DIR/seed-$seed.log" | sed 's/ (replay.*//')
  result=$(grep -E '^(=+ )?[0-9]+ (passed|failed)' "$LOG_DIR/seed-$seed.log" | tail -n 1 | tr -d '=')
  printf '%-60s exit %d  %s (%d s)\n' "${clock:-seed $seed}" "$rc" "${result:-no result}" $(( $(date +%s) - start ))
  [ "$rc" -eq 0 ] || failed+=("$seed")
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "test-clock: failed at seeds ${failed[*]} (logs in $LOG_DIR/seed-N.log)"
  exit 1
fi
echo "test-clock: passed at every instant"
