#!/usr/bin/env bash
# The house checks the project declares in pyproject.toml: lint, types and
# the import contracts (layers, no Textual in the domain, no cycles).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
echo "== ruff";        .venv-test/bin/ruff check --no-cache src tests benchmarks examples || status=1
echo "== mypy";        .venv-test/bin/mypy || status=1
echo "== lint-imports"; .venv-test/bin/lint-imports --no-cache || status=1
exit $status
