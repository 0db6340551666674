import pytest

from pmtui import redact as redact_mod
from pmtui.redact import RedactConfigError, Redactor, Rule, load_extra_patterns

GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)

# (input, secret that must disappear, rule name expected in its place)
CASES = [
    ("Authorization: Bearer abc.DEF-123_xyz", "abc.DEF-123_xyz", "authorization"),
    ('"authorization": "Basic dXNlcjpodW50ZXIy"', "dXNlcjpodW50ZXIy", "authorization"),
    ("map[Authorization:[Bearer s3cr3tT0ken]]", "s3cr3tT0ken", "authorization"),
    ("curl -H 'AUTHORIZATION: token zzzz9999'", "zzzz9999", "authorization"),
    ("sent bearer 9f8e7d6c5b4a3928 upstream", "9f8e7d6c5b4a3928", "bearer"),
    (f"clone with {GH} now", GH, "github-pat"),
    ("gho_" + "Zq8xK2mP9vL4nR7tY3wB6cJ1hF5dG0sA2eQx", "gho_Zq8xK2mP9vL4", "github-oauth"),
    ("github_pat_11ABCDEFG0" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2qS5tV8wX1zA4cD7fG0hJ3kL6mN9pQ2rS5tU8vW",
     "github_pat_11ABCDEFG", "github-fine-grained-pat"),
    ("key id AKIAQYLPMN5HHHFPZAM2 used", "AKIAQYLPMN5HHHFPZAM2", "aws-access-token"),
    ("ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A", "aws-access-token"),
    ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "secret-value"),
    ("dial postgres://orders:hunter2@db:5432/orders failed", "hunter2", "url-password"),
    ("mongodb+srv://u:p%40ss@cluster0/x", "p%40ss", "url-password"),
    ("redis://:r3d1s@cache:6379/0", "r3d1s", "url-password"),
    ("dsn=app:my5ql@tcp(db:3306)/shop", "my5ql", "url-password"),
    ("password=hunter2 user=bob", "hunter2", "password"),
    ("PASSWD: s3cret!", "s3cret!", "password"),
    ('{"db_password": "a b\\"c", "user": "bob"}', 'a b\\"c', "password"),
    ("client_secret = 'xyz123'", "xyz123", "secret-value"),
    ("API_KEY=0123456789abcdef", "0123456789abcdef", "generic-api-key"),
    ("api-key: k-42-42", "k-42-42", "secret-value"),
    ("?access_token=tok123&page=2", "tok123", "secret-value"),
    (f"id_token {JWT}", JWT, "jwt"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nxyz\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA",
     "private-key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n(truncated)", "b3BlbnNzaC1rZXk", "private-key"),
    ("xoxb-123456789012-1234567890123-abcdefABCDEF0123456789ab", "xoxb-123456789012", "slack-bot-token"),
    ("glpat-abcdefghij0123456789", "glpat-abcdefghij0123456789", "gitlab-pat"),
    # the shapes issue 16 found missed
    ("Cookie: session=4f1c9a8b7e6d5c4b3a29; theme=dark", "4f1c9a8b7e6d5c4b3a29", "cookie"),
    ("mysql -h db -u root -pS3cr3tPw0rd shop", "S3cr3tPw0rd", "mysql-password"),
    ("db_pass: Tr0ub4dor3xyz", "Tr0ub4dor3xyz", "password"),
    ("key=AIzaSyD4x9Qw8vXh2lK5mN7pR3tU6wZ1bC0eF9g", "AIzaSyD4x9Qw8vXh2lK5mN7pR3tU6wZ1bC0eF9g", "gcp-api-key"),
    ("post https://hooks.slack.com/services/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", "Xy7Zq9Wv8Ut6Sr5Qp4On3Ml2",
     "slack-webhook-url"),
    ("SENDGRID=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", "wX4yZ7bC0eF3hJ6kM9nP2qS",
     "sendgrid-api-token"),
    ("AccountName=logs;AccountKey=q8Zp3Xw7Vb2Nm5Lk9Jh4Gf6Ds1Aq0We3Rt8Yu5Io2Pa==;EndpointSuffix=core",
     "q8Zp3Xw7Vb2Nm5Lk9Jh4Gf6Ds1Aq0We3Rt8Yu5Io2Pa==", "azure-storage-key"),
]


@pytest.mark.parametrize("text,secret,kind", CASES)
def test_each_secret_is_replaced_by_its_kind(text, secret, kind):
    r = Redactor()
    out = r.redact(text)
    assert secret not in out
    assert f"«redacted:{kind}»" in out
    out_b = r.redact_bytes(text.encode())
    assert secret.encode() not in out_b
    assert out_b.decode() == out  # the bytes path agrees with the str path


def test_keys_and_surroundings_are_kept():
    r = Redactor()
    assert r.redact("dial postgres://orders:hunter2@db:5432/x") == "dial postgres://orders:«redacted:url-password»@db:5432/x"
    assert r.redact('{"password": "pw", "user": "bob"}') == '{"password": "«redacted:password»", "user": "bob"}'
    assert r.redact('msg="{\\"token\\": \\"t0k\\"}" next') == (
        'msg="{\\"token\\": «redacted:secret-value»\\"}" next'.replace("«", '\\"«'))


@pytest.mark.parametrize(
    "text",
    [
        "basic auth is basic authentication; bearer tokens are fine",
        "GET http://api:8080/v1/orders 200 12ms",
        "password:\nnext: line",  # an empty value never swallows the next line
        "2025-02-09T10:05:23.123456789Z level=info msg=ok",
        "user@example.com wrote: hello",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert Redactor().redact(text) == text


def test_invalid_utf8_survives_the_bytes_path():
    data = b"\xff\xfe bad \xc3 password=hunter2 \x00\x07 ok\n"
    out = Redactor().redact_bytes(data)
    assert b"hunter2" not in out
    assert out.startswith(b"\xff\xfe bad \xc3 password=") and out.endswith(b" \x00\x07 ok\n")


def test_redaction_mark_is_not_markup():
    out = Redactor().redact(f"x {GH}")
    assert "[" not in out and "«redacted:github-pat»" in out


def test_stream_matches_whole_buffer_even_across_chunk_cuts():
    text = (
        b"line one password=hunter2\n"
        b"Authorization: Bearer abcdefgh12345678\n"
        b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
        + GH.encode() + b" tail without newline"
    )
    r = Redactor()
    whole = r.redact_bytes(text)
    for size in (1, 3, 7, 16, 64):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert b"".join(r.stream(chunks)) == whole, size
    for secret in (b"hunter2", b"abcdefgh12345678", b"MIIEvQIBADANBgkq", b"hkiG9w0BAQEFAASC", GH.encode()):
        assert secret not in whole


def test_extra_patterns_from_user_config(tmp_path):
    cfg = tmp_path / "redact.toml"
    cfg.write_text(
        'patterns = ["corp-[0-9a-f]{8}", { name = "vault", pattern = "vault=(?P<secret>hvs\\\\.[A-Za-z0-9]+)" }]\n'
    )
    rules = load_extra_patterns(cfg)
    assert rules == [Rule("custom", "corp-[0-9a-f]{8}"), Rule("vault", r"vault=(?P<secret>hvs\.[A-Za-z0-9]+)")]
    r = Redactor(rules)
    assert r.redact("id corp-deadbeef vault=hvs.ABC123 end") == "id «redacted:custom» vault=«redacted:vault» end"
    assert r.redact_bytes(b"corp-0badf00d") == "«redacted:custom»".encode()


def test_missing_config_means_no_extra_rules(tmp_path):
    assert load_extra_patterns(tmp_path / "absent.toml") == []


@pytest.mark.parametrize(
    "content,expected",
    [
        ('patterns = ["(unclosed"]', "patterns[1]: '(unclosed' is not a regular expression"),
        ('patterns = ["ok", 5]', "patterns[2]: expected a string or"),
        ('patterns = ["a*"]', "matches the empty string"),
        ('patterns = "x"', "patterns: expected a list"),
        ('pattern = ["x"]', "unknown key 'pattern'"),
        ("patterns = [", "redact.toml: "),
        ('patterns = [{ name = "bad name!", pattern = "x" }]', "name 'bad name!'"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, content, expected):
    cfg = tmp_path / "redact.toml"
    cfg.write_text(content)
    with pytest.raises(RedactConfigError) as info:
        load_extra_patterns(cfg)
    assert str(cfg) in str(info.value)
    assert expected in str(info.value)


def test_default_redactor_reads_the_user_config(tmp_path, monkeypatch):
    (tmp_path / "pmtui").mkdir()
    (tmp_path / "pmtui" / "redact.toml").write_text('patterns = ["internal-[0-9]{4}"]\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    redact_mod.set_default_redactor(None)
    try:
        assert redact_mod.redact("see internal-1234 and password=x") == (
            "see «redacted:custom» and password=«redacted:password»")
        assert redact_mod.redact_bytes(b"internal-9999") == "«redacted:custom»".encode()
    finally:
        redact_mod.set_default_redactor(None)


def test_a_key_block_over_kubelet_timestamped_lines_is_redacted_whole():
    """Issue 16: `kubectl logs --timestamps` puts a timestamp before every
    line of a key block; the BEGIN line was caught, the body lines were not."""
    body = ["MIIEowIBAAKCAQEAq8Zp3Xw7Vb2Nm5Lk9Jh4Gf6Ds1Aq0We3Rt8Yu5Io2PaSdFgHjKl",
            "Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0FgHjKlZxCvBnMqWrEtYuIoPaSdFgHjKlZx12",
            "Qw3Er4=="]
    lines = [b"2025-02-09T10:05:23.123456789Z -----BEGIN RSA PRIVATE KEY-----"]
    lines += [f"2025-02-09T10:05:23.12345{i}789Z {b}".encode() for i, b in enumerate(body)]
    lines += [b"2025-02-09T10:05:23.223456789Z -----END RSA PRIVATE KEY-----",
              b"2025-02-09T10:05:24.000000000Z level=info msg=\"started\""]
    text = b"\n".join(lines) + b"\n"
    r = Redactor()
    outs = {"whole": r.redact_bytes(text), "str": r.redact(text.decode()).encode()}
    outs["stream"] = b"".join(r.stream([text[i : i + 5] for i in range(0, len(text), 5)]))
    per_line = r.lines()
    outs["lines"] = b"\n".join(per_line.redact_line(x) for x in text.split(b"\n"))
    for how, out in outs.items():
        for part in body:
            assert part[:12].encode() not in out, how
        assert b"2025-02-09T10:05:23.123450789Z \xc2\xabredacted:private-key\xc2\xbb" in out, how
        assert out.rstrip().endswith(b'level=info msg="started"'), how  # the next line is kept


def test_a_cut_short_key_block_stops_at_the_first_line_that_is_not_key_material():
    text = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSj\nGET /healthz 200\n"
    out = Redactor().redact(text)
    assert "MIIEvQIBADAN" not in out and out.endswith("\nGET /healthz 200\n")


def test_every_vendored_rule_compiles_for_str_and_bytes():
    import re

    from pmtui.rulefile import builtin_rules

    rules = builtin_rules()
    assert len(rules) > 200  # gitleaks' ~220 and pmtui's own
    for rule in rules:
        re.compile(rule.regex, re.ASCII)
        re.compile(rule.regex.replace("\\u00ab", "\\xc2\\xab").encode(), re.ASCII)


@pytest.mark.parametrize("go,python", [
    (r"\b(p8e-(?i)[a-z0-9]{32})", r"\b(p8e-(?i:[a-z0-9]{32}))"),
    (r"(?:a(?i)b|c)", r"(?:a(?i:b)|(?i:c))"),
    (r"x\z", r"x\Z"),
    (r"[[:alnum:]_]", r"[A-Za-z0-9_]"),
])
def test_go_regexes_are_translated(go, python):
    from pmtui.rulefile import go_to_python

    assert go_to_python(go) == python


def test_corpus_recall_and_false_positives_meet_the_targets(repo_root):
    """The benchmark's figures, held to the issue's targets (recall >= 99 %,
    false positives <= 0.5 %) over tests/data/secrets."""
    import base64
    import json

    data = repo_root / "tests" / "data" / "secrets"
    r = Redactor()
    cases = [json.loads(x) for x in (data / "positives.jsonl").read_text().splitlines()]
    cases = [c for c in cases if "kind" in c]
    assert len(cases) >= 100
    missed = []
    for case in cases:
        text = base64.b64decode(case["text_b64"]).decode()
        out = r.redact(text)
        if any(base64.b64decode(s).decode() in out for s in case["secrets_b64"]):
            missed.append(case["kind"])
    negatives = (data / "negatives.log").read_text().splitlines()
    assert len(negatives) >= 1000
    flagged = [line for line in negatives if r.redact(line) != line]
    assert len(missed) / len(cases) <= 0.01, missed
    assert len(flagged) / len(negatives) <= 0.005, flagged[:5]


def test_many_texts_redacted_at_once_are_each_as_redacted_alone():
    import json
    from pathlib import Path

    from pmtui.redact import Redactor, redact, redact_many

    folder = Path(__file__).parents[1] / "data" / "secrets"
    import base64

    positives = [json.loads(line) for line in (folder / "positives.jsonl").read_text().splitlines() if line.strip()]
    texts = [base64.b64decode(p["text_b64"]).decode() for p in positives if "text_b64" in p]
    texts += (folder / "negatives.log").read_text().splitlines()[:800]
    texts += ["", "-----BEGIN RSA PRIVATE KEY-----", "naïve café ÉTÉ token=", "plain", "İstanbul api key"]
    assert redact_many(texts) == [redact(t) for t in texts]
    assert sum(a != b for a, b in zip(redact_many(texts), texts, strict=True)) > 100  # secrets were there
    fresh = Redactor()
    assert fresh.redact_many(texts) == [fresh.redact(t) for t in texts]


def test_texts_redacted_together_in_any_order_match_each_redacted_alone():
    """redact_many runs the rules over the texts joined by newlines: no
    order of neighbours, and no secret split over two texts, changes what
    any one text comes back as."""
    import base64
    import json
    import random
    from pathlib import Path

    from pmtui.redact import redact, redact_many

    folder = Path(__file__).parents[1] / "data" / "secrets"
    positives = [json.loads(line) for line in (folder / "positives.jsonl").read_text().splitlines() if line.strip()]
    texts = [base64.b64decode(p["text_b64"]).decode() for p in positives if "text_b64" in p]
    texts += (folder / "negatives.log").read_text().splitlines()[:300]
    # a secret's key in one text and its value in the next; a text ending inside a quote
    texts += ["password=", "hunter2-correct-horse-battery", 'token: "', 'ghp_' + "a1B2" * 9 + '"', "api", "-key"]
    texts += ["curl https://api.example.com/v1 \\", '-u "deploy:Zq8v-hunter2-Lm3x"']  # a rule that runs past its line
    expected = {t: redact(t) for t in texts}
    rng = random.Random(17)
    ascii_only = [t for t in texts if t.isascii()]  # a batch all ASCII goes the quicker way (one anchor pass)
    assert len(ascii_only) > 200 and sum(redact(t) != t for t in ascii_only) > 50
    curl = ascii_only.index(texts[-2])
    ascii_only[curl : curl + 2] = []
    ascii_only += texts[-2:]  # next to each other once, as written
    for _ in range(5):
        assert redact_many(ascii_only) == [expected[t] for t in ascii_only]
        rng.shuffle(texts)
        assert redact_many(texts) == [expected[t] for t in texts]
        rng.shuffle(ascii_only)
        assert redact_many(ascii_only) == [expected[t] for t in ascii_only]
    # more than one batch of 5,000, the non-ASCII ones in the last
    many = ascii_only * (6_000 // len(ascii_only) + 1) + texts
    assert redact_many(many) == [expected[t] for t in many]
