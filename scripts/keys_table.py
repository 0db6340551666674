"""Rewrite README.md's table of keys from the bindings (pmtui.ui.keytable).

    .venv/bin/python scripts/keys_table.py
"""

from __future__ import annotations

from pathlib import Path

from pmtui.ui.keytable import replace_in

readme = Path(__file__).resolve().parents[1] / "README.md"
readme.write_text(replace_in(readme.read_text(encoding="utf-8")), encoding="utf-8")
print(f"wrote the keys table in {readme}")
