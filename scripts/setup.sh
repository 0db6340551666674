#!/usr/bin/env bash
# Installs what the checks and tests need on a fresh Debian machine: the
# servers the integration tests start for real, and the test environment
# (.venv-test, apart from the quick start's .venv, so running the tests
# never changes the pmtui a user has open). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v tmux >/dev/null || need+=(tmux)
command -v npm >/dev/null || need+=(nodejs npm)  # Mermaid's own parser checks `pmtui stats --md`
# The terminal journeys run pmtui over a real SSH connection on loopback.
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

[ -x .venv-test/bin/python ] || python3 -m venv .venv-test
.venv-test/bin/python -m pip install -q --upgrade pip >/dev/null
.venv-test/bin/python -m pip install -q -e '.[test,dev]'
# Mermaid's parser for tests/integration/test_library_mermaid.py, pinned by its lockfile.
[ -d tests/mermaid/node_modules/mermaid ] || (cd tests/mermaid && npm ci --no-audit --no-fund --loglevel=error)
