"""`pmtui related FILE [DIR…]`: the incidents a post-mortem names as
related (found in the library or not) and the library's ranked
suggestions with what they share, on a real folder of generated files."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.sample_library import make_library


def _library(tmp_path):
    folder = tmp_path / "postmortems"
    make_library(folder, 30, events=(5, 10), per_folder=10)
    return folder, sorted(folder.rglob("*.toml"))


def test_named_and_suggested_with_reasons(tmp_path):
    folder, files = _library(tmp_path)
    target, other = files[3], store.load(files[7]).pm
    doc = store.load(target)
    doc.pm.related = [other.id, "PM-1999-01-01-gone"]
    store.save(doc)

    res = CliRunner().invoke(main, ["related", str(target), str(folder), "--json", "--limit", "3"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["id"] == doc.pm.id
    assert out["related"] == [{"id": other.id, "title": other.title, "found": True},
                              {"id": "PM-1999-01-01-gone", "title": None, "found": False}]
    suggested = out["suggested"]
    assert 0 < len(suggested) <= 3
    ids = [s["id"] for s in suggested]
    assert doc.pm.id not in ids and other.id not in ids  # never itself, never one it already names
    assert [s["score"] for s in suggested] == sorted((s["score"] for s in suggested), reverse=True)
    assert all(s["reasons"] for s in suggested)

    text = CliRunner().invoke(main, ["related", str(target), str(folder)]).stdout
    assert "Named in the file:" in text and other.id in text and "(not in these folders)" in text
    assert "Maybe related (of 29 in" in text and ids[0] in text


def test_folders_default_to_the_files_repository(tmp_path):
    _folder, files = _library(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    res = CliRunner().invoke(main, ["related", str(files[0]), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["folders"] == [str(tmp_path.resolve())] and out["suggested"]


def test_a_file_that_cannot_be_read_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[[timeline]\n')
    res = CliRunner().invoke(main, ["related", str(bad)])
    assert res.exit_code == 2 and "bad.toml" in res.stderr and "Traceback" not in res.output
