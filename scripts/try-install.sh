#!/usr/bin/env bash
# Installs pmtui the ways users do — pipx and uv tool, both from PyPI — each
# in a throwaway place, and runs the installed command.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/tools"
"$tmp/tools/bin/pip" install -q pipx uv

smoke() {  # $1: the installed pmtui
  "$1" --version
  "$1" --help >/dev/null
  "$1" new "$tmp/smoke.toml" --title "Smoke test" --started 2025-02-09T10:05:00Z
  "$1" report "$tmp/smoke.toml" | grep -q "Smoke test"
  rm -f "$tmp/smoke.toml"
}

echo "== pipx install ."
PIPX_HOME="$tmp/pipx" PIPX_BIN_DIR="$tmp/pipx-bin" "$tmp/tools/bin/pipx" install -q . >/dev/null
smoke "$tmp/pipx-bin/pmtui"

echo "== uv tool install ."
UV_TOOL_DIR="$tmp/uv" UV_TOOL_BIN_DIR="$tmp/uv-bin" UV_CACHE_DIR="$tmp/uv-cache" \
  "$tmp/tools/bin/uv" tool install -q . >/dev/null
smoke "$tmp/uv-bin/pmtui"
