"""The redactor's prefilter derived from the rules (pmtui.regexfacts,
pmtui.rulefile.plan) and the index that stores it: each derived fact is
checked against what the regex does, over the redaction corpora."""

from __future__ import annotations

import base64
import json
import re
import tomllib

import pytest

from pmtui import regexfacts as facts
from pmtui import rulefile
from pmtui.redact import Redactor


@pytest.fixture(scope="module")
def corpus_lines(repo_root) -> list[str]:
    data = repo_root / "tests" / "data" / "secrets"
    lines = (data / "negatives.log").read_text(encoding="utf-8").splitlines()
    for raw in (data / "positives.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(raw)
        if "kind" in case:
            lines += base64.b64decode(case["text_b64"]).decode().splitlines()
    return lines


def _vendored() -> dict[str, str]:
    """Each rule's regex as translated, before the redactor's precheck."""
    out = {}
    for path, python in ((rulefile.GITLEAKS_FILE, False), (rulefile.PMTUI_FILE, True)):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("rules", []):
            if isinstance(raw.get("regex"), str) and raw["id"] not in rulefile.SKIPPED:
                out[raw["id"]] = raw["regex"] if python else rulefile.strip_lead(rulefile.go_to_python(raw["regex"]))
    return out


def test_the_index_beside_the_rules_is_current():
    """`python -m pmtui.rulefile` rewrites it; a stale one is only slower."""
    shipped = json.loads(rulefile.INDEX_FILE.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(rulefile.index_data(rulefile.derive_rules())))
    assert shipped == fresh, "run: python -m pmtui.rulefile"


def test_a_stale_index_is_not_used(tmp_path, monkeypatch):
    stale = json.loads(rulefile.INDEX_FILE.read_text(encoding="utf-8"))
    stale["sources"]["gitleaks.toml"] = "0:00000000"
    stale["rules"] = stale["rules"][:1]
    path = tmp_path / "index.json"
    path.write_text(json.dumps(stale))
    monkeypatch.setattr(rulefile, "INDEX_FILE", path)
    monkeypatch.setattr(rulefile, "_cache", None)
    assert rulefile.builtin_rules() == rulefile.derive_rules()


def test_anchors_are_derived_from_each_regex():
    rules = {r.id: r for r in rulefile.builtin_rules()}
    # the keyword "ey" is in most English text; ".ey" only between a JWT's parts
    assert rules["jwt"].anchors == (".ey",) and not rules["jwt"].anchored
    # gitleaks' keyword "secret" is in many log lines; every match holds "kind:" and "data:"
    assert rules["kubernetes-secret-yaml"].anchors in (("data:",), ("kind:",))
    assert rules["kubernetes-secret-yaml"].need_keyword
    assert rules["generic-api-key"].anchored and "password" in rules["generic-api-key"].anchors
    assert rules["hashicorp-tf-password"].anchors == ("administrator_login_password", "password")
    # a curl command over several lines: "-H" must come within 11 newlines
    assert rules["curl-auth-header"].multiline and rules["curl-auth-header"].required == (("-h", 11),)
    assert not rules["basic-auth-url"].multiline  # [^\n] names a newline only to exclude it


def test_every_match_begins_at_an_anchor_of_an_anchored_rule(corpus_lines):
    text = "\n".join(corpus_lines)
    low = text.lower()
    vendored = _vendored()
    for rule in rulefile.builtin_rules():
        if not rule.anchored:
            continue
        pattern = re.compile(vendored[rule.id], re.ASCII)
        for m in pattern.finditer(text):
            assert any(low.startswith(a, m.start()) for a in rule.anchors), (rule.id, m.group()[:40])


def test_a_precheck_changes_no_match(corpus_lines):
    """At every place the redactor tries a rule, the regex with its derived
    lookahead matches exactly as gitleaks' regex does."""
    vendored = _vendored()
    text = "\n".join(corpus_lines)
    low = text.lower()
    checked = 0
    for rule in rulefile.builtin_rules():
        if rule.regex == vendored[rule.id]:
            continue
        checked += 1
        plain, fast = re.compile(vendored[rule.id], re.ASCII), re.compile(rule.regex, re.ASCII)
        places = {m.start() for a in rule.anchors for m in re.finditer(re.escape(a), low)}
        places |= set(range(0, len(text), 97))
        for at in sorted(places):
            a, b = plain.match(text, at), fast.match(text, at)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (rule.id, text[at : at + 60])
    assert checked >= 50  # gitleaks' keyword rules and pmtui's key=value rules


@pytest.mark.parametrize("source,expected", [
    (r"(?i)(?:key|token)[ \t\w.-]{0,20}[\s'\"]{0,3}(?:=|:)(\w+)", "(?=(?i:token|key)"),
    (r"\bghp_[0-9a-zA-Z]{36}", None),  # nothing to backtrack over
    (r"(?i)token[^\n]{0,20}=", None),  # a negated class: its characters are not listed
])
def test_precheck_shapes(source, expected):
    check = facts.precheck(source)
    if expected is None:
        assert check is None
    else:
        assert check is not None and check.startswith(expected)


def test_required_literals_and_newlines():
    parsed = facts.parse(r"\bcurl\b(?:.*?|.*?(?:[\r\n]{1,2}.*?){1,5})[ \t\n\r](?:-H|--header)=x")
    assert parsed is not None
    assert facts.required(list(parsed.data)) == {"curl": 0, "-h": 11, "=x": 11}
    assert facts.newlines(list(facts.parse(r"a[^\n]*b\s").data)) == 1  # only \s may be one
    assert facts.newlines(list(facts.parse(r"a[^x]*b").data)) is None
    assert facts.newlines(list(facts.parse(r"a[^x]{0,9}b").data)) == 9


def test_allowlists_split_into_literals_agree_with_the_regexes(corpus_lines):
    """An allowlist's alternatives that are plain texts are looked for with
    Aho-Corasick, the others searched as a regex: the verdict is the
    alternation's, on every corpus line, word and value."""
    words = [w for line in corpus_lines for w in re.split(r"[\s=:\"']+", line) if w]
    targets = list(dict.fromkeys([*corpus_lines, *words, "true", "xFALSE", "null", "${FOO}", "keyvault_id",
                                  "Monkey", "monkey", "A=\nB=\n", "K\u212aey"]))
    tables = 0
    for path, python in ((rulefile.GITLEAKS_FILE, False), (rulefile.PMTUI_FILE, True)):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found = [data["allowlist"]] if "allowlist" in data else []
        found += data.get("allowlists", []) + [t for r in data.get("rules", []) for t in r.get("allowlists", [])]
        for table in found:
            sources = [r if python else rulefile.go_to_python(r) for r in table.get("regexes", [])]
            if not sources:
                continue
            tables += 1
            whole = re.compile("|".join(f"(?:{s})" if not s.startswith("(?") else rulefile._scoped(s)
                                        for s in sources), re.ASCII)
            literals, regex, hints, prefix = rulefile._split_allow(sources)
            allow = rulefile.Allow(regex, (), "secret", False, literals, hints, prefix)
            for target in targets:
                assert allow.by_regex(target) == (whole.search(target) is not None), (sources[0][:60], target)
    assert tables >= 10


def test_branches_are_read_from_the_source():
    assert facts.branches(r"(?i)(?:a|b(c|d)|[|]|\|)") == ["(?i)a", "(?i)b(c|d)", "(?i)[|]", r"(?i)\|"]
    assert facts.branches(r"^true|false") == ["^true", "false"]
    assert facts.literal_texts(r"(?i)key[_.-]?(?:id|name)") == {
        "keyid", "key_id", "key.id", "key-id", "keyname", "key_name", "key.name", "key-name"}
    assert facts.literal_texts(r"(?-i:[DdMm]onkey)") is None  # case matters
    assert facts.literal_texts(r"^true") is None


def test_a_rule_with_a_line_start_anchor_holds_on_every_line():
    """`^` means a line's start, wherever a stream's chunk begins: a secret
    at the start of a log's second line was redacted only when the line
    began a chunk."""
    secret = "abc8Q~" + "Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg.K"
    text = f"first line\n{secret} trailing\n"
    r = Redactor()
    assert secret not in r.redact(text)
    assert r.redact(text) == "first line\n" + r.redact(f"{secret} trailing\n")
    whole = r.redact_bytes(text.encode())
    for size in (3, 11, 64):
        assert b"".join(r.stream([text.encode()[i : i + size] for i in range(0, len(text), size)])) == whole
