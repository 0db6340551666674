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
    (f"clone with {GH} now", GH, "github-token"),
    ("gho_" + "x" * 36, "gho_" + "x" * 36, "github-token"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG", "github-token"),
    ("key id AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE", "aws-access-key-id"),
    ("ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A", "aws-access-key-id"),
    ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "secret-value"),
    ("dial postgres://orders:hunter2@db:5432/orders failed", "hunter2", "url-password"),
    ("mongodb+srv://u:p%40ss@cluster0/x", "p%40ss", "url-password"),
    ("redis://:r3d1s@cache:6379/0", "r3d1s", "url-password"),
    ("dsn=app:my5ql@tcp(db:3306)/shop", "my5ql", "url-password"),
    ("password=hunter2 user=bob", "hunter2", "secret-value"),
    ("PASSWD: s3cret!", "s3cret!", "secret-value"),
    ('{"db_password": "a b\\"c", "user": "bob"}', 'a b\\"c', "secret-value"),
    ("client_secret = 'xyz123'", "xyz123", "secret-value"),
    ("API_KEY=0123456789abcdef", "0123456789abcdef", "secret-value"),
    ("api-key: k-42-42", "k-42-42", "secret-value"),
    ("?access_token=tok123&page=2", "tok123", "secret-value"),
    (f"id_token {JWT}", JWT, "jwt"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nxyz\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA",
     "private-key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n(truncated)", "b3BlbnNzaC1rZXk", "private-key"),
    ("xoxb-123456789012-abcdefABCDEF", "xoxb-123456789012", "slack-token"),
    ("glpat-abcdefghij0123456789", "glpat-abcdefghij0123456789", "gitlab-token"),
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
    assert r.redact('{"password": "pw", "user": "bob"}') == '{"password": "«redacted:secret-value»", "user": "bob"}'
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
    assert "[" not in out and "«redacted:github-token»" in out


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
            "see «redacted:custom» and password=«redacted:secret-value»")
        assert redact_mod.redact_bytes(b"internal-9999") == "«redacted:custom»".encode()
    finally:
        redact_mod.set_default_redactor(None)
