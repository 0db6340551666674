import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import checks, store
from pmtui.cli import main
from pmtui.cli.doc import format_table
from pmtui.examples import example_path
from pmtui.team import templates

EXAMPLE = example_path()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILE = 'schema = 1\ntitle = 3\n\n[[timeline]]\ntime = 2025-02-09T10:00:00\nevent = "x"\n'


# -- new --------------------------------------------------------------------------


def test_new_creates_a_loadable_file(tmp_path):
    path = tmp_path / "pm.toml"
    res = run("new", path, "--title", "API | degradation", "--severity", "SEV2",
              "--started", "2025-02-09 11:05 Europe/Berlin", "--author", "@alice")
    assert res.exit_code == 0, res.output
    pm = store.load(path).pm
    assert pm.title == "API | degradation"
    assert pm.severity == "SEV2"
    assert pm.authors == ["@alice"]
    assert pm.times.started.isoformat() == "2025-02-09T10:05:00+00:00"
    assert pm.id == "PM-2025-02-09-api-degradation"
    assert pm.status == "draft"


def test_new_never_overwrites(tmp_path):
    path = write(tmp_path / "pm.toml", "# my notes\n")
    res = run("new", path, "--title", "x")
    assert res.exit_code == 2
    assert path.read_text() == "# my notes\n"
    assert res.stderr.count("\n") == 1 and "already exists" in res.stderr


def test_new_rejects_a_bad_start_time_in_one_line(tmp_path):
    path = tmp_path / "pm.toml"
    res = run("new", path, "--title", "x", "--started", "10:05")
    assert res.exit_code == 2
    assert res.stderr.startswith("--started: ") and res.stderr.count("\n") == 1
    assert not path.exists()


def test_new_needs_a_title(tmp_path):
    res = run("new", tmp_path / "pm.toml")
    assert res.exit_code == 2
    assert "--title" in res.stderr
    res = run("new", tmp_path / "pm.toml", "--title", "  ")
    assert res.exit_code == 2 and "must not be empty" in res.stderr


def test_new_into_a_missing_folder(tmp_path):
    res = run("new", tmp_path / "no" / "such" / "pm.toml", "--title", "x")
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


# -- report -------------------------------------------------------------------------


def test_report_to_stdout_is_the_rendered_document():
    res = run("report", EXAMPLE)
    assert res.exit_code == 0
    assert res.stdout == templates.render(store.load(EXAMPLE).pm)
    assert res.stdout.startswith("# Post-Mortem: API Service Degradation (2025-02-09)\n")


def test_report_to_a_file_atomically(tmp_path):
    out = write(tmp_path / "report.md", "old report\n")
    os.chmod(out, 0o640)
    res = run("report", EXAMPLE, "-o", out)
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_text() == templates.render(store.load(EXAMPLE).pm)
    assert os.stat(out).st_mode & 0o777 == 0o640  # the existing file's mode is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temp file left


def test_report_never_overwrites_the_post_mortem(tmp_path):
    path = tmp_path / "pm.toml"
    shutil.copyfile(EXAMPLE, path)
    res = run("report", path, "-o", tmp_path / "." / "pm.toml")
    assert res.exit_code == 2 and "is the post-mortem itself" in res.stderr
    assert path.read_bytes() == EXAMPLE.read_bytes()


def test_report_output_folder_missing(tmp_path):
    res = run("report", EXAMPLE, "-o", tmp_path / "nope" / "r.md")
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and str(tmp_path / "nope" / "r.md") in res.stderr


def test_report_of_a_broken_file_lists_each_problem(tmp_path):
    bad = write(tmp_path / "bad.toml", BAD_FILE)
    res = run("report", bad, "-o", tmp_path / "r.md")
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}:2:") and "title" in lines[0]
    assert lines[1].startswith(f"{bad}:5:") and "timeline[0].time" in lines[1]
    assert not (tmp_path / "r.md").exists()


# -- check ---------------------------------------------------------------------------


def test_check_example_passes_with_exit_0():
    res = run("check", EXAMPLE, "--as-of", "2025-02-14")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    # The procedure's checks, then the team's (sponsor, review meeting, approvals).
    assert lines[-1] == f"{len(checks.CHECKS) + 3} passed, 0 warnings, 0 failed"
    assert all(line.startswith("\u2713  ") for line in lines[:-2])
    assert not ANSI.search(res.stdout)  # not a terminal: no colour


def test_check_failing_document_exits_1_with_aligned_table(tmp_path):
    path = tmp_path / "pm.toml"
    run("new", path, "--title", "x", "--started", "2025-02-09T10:00:00Z")
    res = run("check", path)
    assert res.exit_code == 1
    rows = [line for line in res.stdout.splitlines() if line[:1] in "\u2713!\u2717" and line[1:3] == "  "]
    assert any(r.startswith("\u2717") for r in rows) and any(r.startswith("!") for r in rows)
    # id, location and message columns start at the same place on every row.
    starts = {(r.index(r.split()[1]), len(re.match(r"^\S+\s+\S+\s+\S+\s+", r).group())) for r in rows}
    assert len(starts) == 1
    hints = [line for line in res.stdout.splitlines() if line.lstrip().startswith("hint: ")]
    assert hints and {len(h) - len(h.lstrip()) for h in hints} == {starts.pop()[1]}


def test_check_json(tmp_path):
    path = tmp_path / "pm.toml"
    run("new", path, "--title", "x")
    res = run("check", path, "--json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    results = data["results"]
    assert {"id", "result", "message", "section", "row", "suggestion"} == set(results[0])
    counts = {k: sum(r["result"] == k for r in results) for k in ("pass", "warn", "fail")}
    assert data["summary"] == {**counts, "exit": 1}
    assert counts["fail"] > 0

    ok = json.loads(run("check", EXAMPLE, "--json", "--as-of", "2025-02-14").stdout)
    assert ok["summary"] == {"pass": len(checks.CHECKS) + 3, "warn": 0, "fail": 0, "exit": 0}


def test_check_reports_rows_and_terminal_safe_text(tmp_path):
    src = EXAMPLE.read_text(encoding="utf-8").replace(
        'action = "Add a nightly load test',
        'action = "Look into \\u001b[31m load \\u202e tests. Add a nightly load test'
    )
    path = write(tmp_path / "pm.toml", src)
    res = run("check", path)
    assert res.exit_code == 1
    (line,) = [line for line in res.stdout.splitlines() if "actions.specific" in line]
    assert line.startswith("\u2717") and "actions[AI-006]" in line
    assert "\x1b" not in res.stdout and "\u202e" not in res.stdout


@pytest.mark.parametrize(
    "make, expect",
    [
        (lambda d: d / "missing.toml", "No such file"),
        (lambda d: d, "directory"),
        (lambda d: (d / "bin.toml").write_bytes(b"\xff\xfe\x00title") and d / "bin.toml", ""),
        (lambda d: write(d / "bad.toml", BAD_FILE), "title"),
        (lambda d: write(d / "syntax.toml", "title = \n"), "syntax.toml:1"),
        (lambda d: write(d / "newer.toml", "schema = 99\n"), "99"),
    ],
    ids=["missing", "directory", "binary", "bad-fields", "syntax", "newer-schema"],
)
def test_check_unusable_input_exits_2_without_traceback(tmp_path, make, expect):
    path = make(tmp_path)
    res = run("check", path)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr.strip() and "Traceback" not in res.stderr
    assert expect in res.stderr
    for line in res.stderr.splitlines():
        assert line.startswith(str(path)), line


def test_format_table_colours_only_when_asked():
    results = checks.run(store.load(EXAMPLE).pm)
    assert ANSI.search(format_table(results, color=True))
    assert not ANSI.search(format_table(results, color=False))


# -- real processes ------------------------------------------------------------------


def _pmtui(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pmtui", *map(str, args)], capture_output=True, text=True,
                          timeout=60, **kw)


def test_exit_codes_from_a_real_process(tmp_path):
    ok = _pmtui("check", EXAMPLE, "--as-of", "2025-02-14")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.rstrip().endswith("0 failed")

    draft = tmp_path / "draft.toml"
    assert _pmtui("new", draft, "--title", "Queue backlog").returncode == 0
    failed = _pmtui("check", draft, "--json")
    assert failed.returncode == 1 and json.loads(failed.stdout)["summary"]["fail"] > 0

    bad = write(tmp_path / "bad.toml", BAD_FILE)
    unusable = _pmtui("check", bad)
    assert unusable.returncode == 2
    assert len(unusable.stderr.splitlines()) == 2 and "Traceback" not in unusable.stderr

    again = _pmtui("new", draft, "--title", "again")
    assert again.returncode == 2 and "already exists" in again.stderr


def _run_in_pty(args, env):
    """Run with stdout on a pseudo-terminal, as when a person types it."""
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pmtui", *map(str, args)], stdout=child_fd,
                            stderr=subprocess.PIPE, env=env)
    os.close(child_fd)
    chunks = []
    while True:
        ready, _, _ = select.select([main_fd], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(main_fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(main_fd)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_unless_no_color():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, out = _run_in_pty(["check", EXAMPLE, "--as-of", "2025-02-14"], env)
    assert code == 0 and ANSI.search(out)
    code, out = _run_in_pty(["check", EXAMPLE, "--as-of", "2025-02-14"], {**env, "NO_COLOR": "1"})
    assert code == 0 and "\u2713" in out and not ANSI.search(out)


def test_document_commands_run_without_the_ui_or_heavy_clients():
    # The import contracts keep Textual out of the domain; the CLI may import
    # the UI, but `check` and `report` must run where Textual is absent.
    code = (
        "import sys\n"
        "for name in ('textual', 'tomlkit', 'httpx', 'kubernetes', 'github'):\n"
        "    sys.modules[name] = None  # importing it now raises ImportError\n"
        "import pmtui.report, pmtui.checks, pmtui.markdown, pmtui.cli.doc, pmtui.examples\n"
        "from pmtui.cli import main\n"
        "from click.testing import CliRunner\n"
        f"res = CliRunner().invoke(main, ['check', {str(EXAMPLE)!r}, '--as-of', '2025-02-14'])\n"
        "assert res.exit_code == 0, res.output\n"
        f"res = CliRunner().invoke(main, ['report', {str(EXAMPLE)!r}])\n"
        "assert res.exit_code == 0 and res.output.startswith('# Post-Mortem'), res.output\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "ok\n"
