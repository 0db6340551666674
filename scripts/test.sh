#!/usr/bin/env bash
# The README's test command and what CI runs: installs what the tests need
# (scripts/setup.sh), then runs them. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv-test/bin/python -m pytest -n 2 "$@"
