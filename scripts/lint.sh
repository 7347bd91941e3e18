#!/usr/bin/env bash
# `make lint` (and the first part of `make test`): ruff, the import contract in .importlinter
# (dependencies point down, per module; tests/architecture/layers.py), then mypy on the modules
# listed in pyproject.toml. All run; any failing fails.
#
#   BIN  the folder of the tools (default .venv/bin)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
rc=0
echo "-- ruff"
"$BIN/ruff" check src tests bench || rc=1
echo "-- import-linter"
# The tree in this folder, whichever copy of the package the environment has installed.
PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}" "$BIN/lint-imports" --no-cache || rc=1
echo "-- mypy"
"$BIN/mypy" || rc=1
exit $rc
