"""Writes the redaction corpora beside this file (run it again after a change;
the output is deterministic):

- positives.jsonl: one secret per line, {"kind", "text_b64", "secrets_b64"}
  (base64, so secret scanners do not refuse a push of the repository): `text`
  is the secret as it appears in the wild (a log line, a header, an env
  line, a key block over several kubelet-timestamped lines) and `secrets`
  the parts that must not survive redaction. The values are fake but in
  each provider's real format (prefix, alphabet, length and checksum-free
  shape from the provider's documentation and gitleaks' rules), drawn from
  a seeded generator.
- negatives.log: ordinary log lines (access logs, Kubernetes events, Go,
  Java, Python and JSON logs, databases, proxies) that hold no secret but
  many near misses: the words token, key, password, secret and auth in
  plain sentences, hashes, digests, UUIDs, trace ids, base64 payloads.

    python tests/data/secrets/make_corpus.py
"""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(20250209)

AL = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
UP = string.ascii_uppercase + string.digits
B32 = string.ascii_uppercase + "234567"
B64 = AL + "+/"
URLSAFE = AL + "-_"


def r(n: int, alphabet: str = AL) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def uuid() -> str:
    return f"{r(8, HEX)}-{r(4, HEX)}-4{r(3, HEX)}-{rng.choice('89ab')}{r(3, HEX)}-{r(12, HEX)}"


def ts() -> str:
    return f"2025-02-09T10:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{r(9, string.digits)}Z"


def b64(n: int) -> str:
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(n))).decode()


def jwt() -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"' + r(12).encode() + b'","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps(
        {"iss": "https://auth.example.com", "sub": uuid(), "exp": 1739095523}).encode()).decode().rstrip("=")
    return f"{head}.{body}.{r(86, URLSAFE)}"


POS: list[dict] = []


def pos(kind: str, text: str, *secrets: str) -> None:
    POS.append({"kind": kind, "text": text, "secrets": list(secrets)})


def one(kind: str, template: str, value: str) -> None:
    pos(kind, template.format(value), value)


def keys() -> None:
    """Private keys: whole blocks, blocks whose every line carries a kubelet
    timestamp (kubectl logs --timestamps), a pod-name prefix (stern), one
    line with escaped newlines (JSON), and blocks cut short."""
    for label in ("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
                  "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"):
        body = [b64(48) for _ in range(5)] + [b64(20)]
        block = "\n".join([f"-----BEGIN {label}-----", *body, f"-----END {label}-----"])
        pos("private-key", block, *body)
    for label in ("RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY"):
        body = [b64(48) for _ in range(6)] + [b64(10)]
        lines = [f"{ts()} -----BEGIN {label}-----", *(f"{ts()} {b}" for b in body), f"{ts()} -----END {label}-----"]
        pos("private-key-kubelet", "\n".join(lines), *body)
    body = [b64(48) for _ in range(4)] + [b64(7)]
    pod = "api-7d9f8c6b5-x2k4q"
    pos("private-key-stern", "\n".join([f"{pod} api -----BEGIN RSA PRIVATE KEY-----",
                                         *(f"{pod} api {b}" for b in body),
                                         f"{pod} api -----END RSA PRIVATE KEY-----"]), *body)
    body = [b64(48) for _ in range(4)]
    pos("private-key-json", json.dumps({"type": "service_account", "private_key_id": r(40, HEX),
                                        "private_key": "-----BEGIN PRIVATE KEY-----\n" + "\n".join(body)
                                        + "\n-----END PRIVATE KEY-----\n"}), *body)
    body = [b64(48) for _ in range(3)]
    pos("private-key-cut", "\n".join([f"{ts()} -----BEGIN RSA PRIVATE KEY-----", *(f"{ts()} {b}" for b in body),
                                      f"{ts()} level=error msg=\"log line truncated\""]), *body)
    body = [b64(48) for _ in range(4)]
    pos("private-key-encrypted-pem", "\n".join(["-----BEGIN RSA PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED",
                                                f"DEK-Info: AES-128-CBC,{r(32, HEX.upper())}", "", *body,
                                                "-----END RSA PRIVATE KEY-----"]), *body)


def providers() -> None:
    one("aws-access-key-id", "using access key {} for s3:GetObject", "AKIA" + r(16, B32))
    one("aws-access-key-id-sts", "assumed role, credentials {} expire at 11:00", "ASIA" + r(16, B32))
    one("aws-secret", "AWS_SECRET_ACCESS_KEY={}", r(40, B64))
    one("aws-secret-cfg", "aws_secret_access_key = {}", r(40, B64))
    one("aws-session-token", "aws_session_token={}", "FwoGZXIvYXdzE" + r(300, B64))
    one("github-pat", "git clone https://x-access-token:{}@github.com/acme/ops.git", "ghp_" + r(36))
    one("github-pat-env", "GITHUB_TOKEN={}", "ghp_" + r(36))
    one("github-oauth", "oauth token {} issued", "gho_" + r(36))
    one("github-app", "installation token {} created", "ghs_" + r(36))
    one("github-user-to-server", "user token {}", "ghu_" + r(36))
    one("github-refresh", "refresh_token {}", "ghr_" + r(36))
    one("github-fine-grained", "export GH_TOKEN={}", "github_pat_" + r(22) + "_" + r(59))
    one("gitlab-pat", "PRIVATE-TOKEN: {}", "glpat-" + r(20, URLSAFE))
    one("gitlab-pipeline-trigger", "trigger token {}", "glptt-" + r(40, HEX))
    one("gitlab-runner", "runner registered with {}", "glrt-" + r(20, URLSAFE))
    one("gitlab-deploy", "deploy token {}", "gldt-" + r(20, URLSAFE))
    one("slack-bot", "slack client init token={}", f"xoxb-{r(12, string.digits)}-{r(13, string.digits)}-{r(24)}")
    one("slack-user", "SLACK_USER_TOKEN {}",
        f"xoxp-{r(12, string.digits)}-{r(12, string.digits)}-{r(13, string.digits)}-{r(32, HEX)}")
    one("slack-app", "socket mode with {}", f"xapp-1-A{r(10, UP)}-{r(13, string.digits)}-{r(64, HEX)}")
    one("slack-webhook", "posting to {}", f"https://hooks.slack.com/services/T{r(8, UP)}/B{r(10, UP)}/{r(24)}")
    one("slack-webhook-workflow", "notify via {}",
        f"https://hooks.slack.com/workflows/T{r(8, UP)}/A{r(10, UP)}/{r(9, string.digits)}/{r(24)}")
    one("stripe-live", "charge failed with key {}", "sk_live_" + r(99))
    one("stripe-test", "STRIPE_SECRET_KEY={}", "sk_test_" + r(24))
    one("stripe-restricted", "restricted key {}", "rk_live_" + r(24))
    one("google-api-key", "GET https://maps.googleapis.com/maps/api/geocode/json?key={}", "AIza" + r(35, URLSAFE))
    one("google-api-key-firebase", '"apiKey": "{}",', "AIza" + r(35, URLSAFE))
    one("sendgrid", "SENDGRID_API_KEY={}", f"SG.{r(22, URLSAFE)}.{r(43, URLSAFE)}")
    one("sendgrid-log", "mail: using sendgrid key {}", f"SG.{r(22, URLSAFE)}.{r(43, URLSAFE)}")
    one("twilio-api-key", "twilio key {}", "SK" + r(32, HEX))
    one("mailgun", "MAILGUN_API_KEY={}", "key-" + r(32, HEX))
    one("mailchimp", "mailchimp_api_key = {}", r(32, HEX) + "-us12")
    one("npm", "//registry.npmjs.org/:_authToken={}", "npm_" + r(36))
    one("pypi", "password = {}", "pypi-AgEIcHlwaS5vcmc" + r(60, URLSAFE))
    one("docker-hub", "docker login -u bot --password-stdin <<< {}", "dckr_pat_" + r(27, URLSAFE))
    one("heroku-v2", "HEROKU_API_KEY={}", "HRKU-AA" + r(58, URLSAFE))
    one("digitalocean-pat", "doctl auth init -t {}", "dop_v1_" + r(64, HEX))
    one("digitalocean-oauth", "do token {}", "doo_v1_" + r(64, HEX))
    one("shopify-access", "X-Shopify-Access-Token: {}", "shpat_" + r(32, HEX))
    one("shopify-shared", "shopify secret {}", "shpss_" + r(32, HEX))
    one("atlassian", "JIRA_API_TOKEN={}", "ATATT3xFfGF0" + r(180, URLSAFE) + "=" + r(8, UP))
    one("azure-ad-client-secret", "client secret {} for app", r(3) + "8Q~" + r(34, URLSAFE + "."))
    one("azure-storage", "DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey={};EndpointSuffix=core.windows.net",
        b64(64))
    one("azure-servicebus", "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={}",
        b64(32))
    one("azure-sas", "GET https://acme.blob.core.windows.net/logs/a.gz?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-03-01&sig={}",
        r(43, AL) + "%3D")
    one("aws-presigned", "GET https://bucket.s3.amazonaws.com/a.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={}",
        r(64, HEX))
    one("openai-project", "OPENAI_API_KEY={}", "sk-proj-" + r(58, URLSAFE) + "T3BlbkFJ" + r(58, URLSAFE))
    one("openai-legacy", "openai key {}", "sk-" + r(20) + "T3BlbkFJ" + r(20))
    one("anthropic", "ANTHROPIC_API_KEY={}", "sk-ant-api03-" + r(93, URLSAFE) + "AA")
    one("huggingface", "HF_TOKEN={}", "hf_" + r(34, string.ascii_letters))
    one("databricks", "databricks token {}", "dapi" + r(32, HEX))
    one("datadog", "DD_API_KEY={}", r(32, HEX))
    one("new-relic-user", "NEW_RELIC_API_KEY={}", "NRAK-" + r(27, UP))
    one("new-relic-browser", "NEW_RELIC_BROWSER_TOKEN: {}", "NRJS-" + r(19, HEX))
    one("square", "square access token {}", "EAAA" + r(60, URLSAFE))
    one("telegram", "TELEGRAM_BOT_TOKEN={}", f"{r(9, string.digits)}:AA{r(33, URLSAFE)}")
    hook = f"{r(18, string.digits)}/{r(68, URLSAFE)}"
    pos("discord-webhook", f"notify https://discord.com/api/webhooks/{hook}", hook)
    hook = f"{uuid()}@{uuid()}/IncomingWebhook/{r(32, HEX)}/{uuid()}"
    pos("teams-webhook", f"teams hook https://acme.webhook.office.com/webhookb2/{hook}", hook)
    one("jwt", "id_token={}", jwt())
    one("jwt-header", "x-amzn-oidc-data: {}", jwt())
    one("vault-service", "VAULT_TOKEN={}", "hvs." + r(90, URLSAFE))
    one("vault-batch", "vault batch token {}", "hvb." + r(138, URLSAFE))
    one("terraform-cloud", "credentials app.terraform.io token {}", r(14) + ".atlasv1." + r(67, URLSAFE))
    one("pulumi", "PULUMI_ACCESS_TOKEN={}", "pul-" + r(40, HEX))
    one("grafana-cloud", "grafana token {}", "glc_" + r(60, AL + "+/") + "==")
    one("grafana-sa", "GF_TOKEN={}", "glsa_" + r(32) + "_" + r(8, HEX))
    one("linear", "LINEAR_API_KEY={}", "lin_api_" + r(40))
    one("notion", "NOTION_TOKEN={}", "ntn_" + r(46))
    one("postman", "postman {}", f"PMAK-{r(24, HEX)}-{r(34, HEX)}")
    one("cloudflare", "CLOUDFLARE_API_TOKEN={}", r(40, URLSAFE))
    one("okta", "OKTA_API_TOKEN={}", "00" + r(40, URLSAFE))
    one("algolia", "ALGOLIA_ADMIN_KEY={}", r(32, HEX))
    one("dynatrace", "dynatrace {}", f"dt0c01.{r(24, UP)}.{r(64, UP)}")
    one("doppler", "DOPPLER_TOKEN={}", "dp.pt." + r(43))
    one("age", "age key {}", "AGE-SECRET-KEY-1" + r(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"))
    one("alibaba", "alibaba access key {}", "LTAI" + r(20))
    one("shippo", "shippo {}", "shippo_live_" + r(40, HEX))
    one("mapbox", "MAPBOX_TOKEN={}", "sk.eyJ1Ijoi" + r(50) + "." + r(22))
    one("contentful", "CONTENTFUL_DELIVERY_TOKEN={}", r(43, URLSAFE))
    one("jfrog", "artifactory api key {}", "AKCp" + r(69))
    one("snyk", "SNYK_TOKEN={}", uuid())
    one("sonar", "SONAR_TOKEN={}", "squ_" + r(40, HEX))
    one("rubygems", "GEM_HOST_API_KEY={}", "rubygems_" + r(48, HEX))
    one("prefect", "PREFECT_API_KEY={}", "pnu_" + r(36))
    one("readme", "readme {}", "rdme_" + r(70, HEX))
    one("sourcegraph", "SRC_ACCESS_TOKEN={}", "sgp_" + r(16, HEX) + "_" + r(40, HEX))
    one("planetscale", "planetscale {}", "pscale_tkn_" + r(43, URLSAFE))
    one("duffel", "duffel {}", "duffel_live_" + r(43, URLSAFE))
    one("easypost", "easypost {}", "EZAK" + r(54))
    one("flutterwave", "flw {}", "FLWSECK_TEST-" + r(32, "abcdefgh0123456789") + "-X")
    one("typeform", "TYPEFORM_TOKEN={}", "tfp_" + r(59, URLSAFE))
    one("1password-sa", "OP_SERVICE_ACCOUNT_TOKEN={}", "ops_eyJ" + r(250, AL + "+/") + "=")
    one("fly", "FLY_API_TOKEN={}", "fo1_" + r(43, URLSAFE))
    one("sentry-user", "SENTRY_AUTH_TOKEN={}", "sntryu_" + r(64, HEX))
    one("hubspot", "HUBSPOT_API_KEY={}", uuid())
    one("kubernetes-sa-token", "token: {}", jwt())


def contextual() -> None:
    """The shapes of logs and HTTP exchanges: headers, DSNs, key=value."""
    one("authorization-bearer", "Authorization: Bearer {}", r(40, URLSAFE))
    one("authorization-basic", "authorization: Basic {}", base64.b64encode(f"deploy:{r(16)}".encode()).decode())
    one("authorization-token", '"Authorization": "token {}"', r(40, HEX))
    one("proxy-authorization", "Proxy-Authorization: Basic {}", base64.b64encode(f"proxy:{r(12)}".encode()).decode())
    one("authorization-go-map", "headers map[Authorization:[Bearer {}] Accept:[*/*]]", r(32))
    one("bearer-in-text", "retrying with bearer {} after 401", r(32, URLSAFE))
    one("cookie", "Cookie: {}", f"_ga=GA1.2.{r(10, string.digits)}; session={r(32, HEX)}; csrftoken={r(32)}")
    one("set-cookie", "Set-Cookie: {}", f"sessionid={r(32)}; Path=/; HttpOnly; Secure")
    one("cookie-json", '"cookie": "{}"', f"JSESSIONID={r(32, HEX.upper())}")
    one("postgres-url", "dial postgres://orders:{}@db.internal:5432/orders failed", r(18))
    one("mysql-url", "DATABASE_URL=mysql://app:{}@mysql-primary:3306/shop", r(16))
    one("mongodb-srv", "connecting to mongodb+srv://svc:{}@cluster0.ab12c.mongodb.net/prod", r(20))
    one("redis-url", "redis: connect redis://:{}@cache:6379/0", r(24))
    one("amqp-url", "amqp://events:{}@rabbitmq:5672/", r(20))
    one("ldap-url", "ldaps://cn=admin:{}@ldap.corp:636", r(14))
    one("go-mysql-dsn", "dsn=app:{}@tcp(db:3306)/shop?parseTime=true", r(14))
    one("mysql-p", "mysql -h db -u root -p{} shop < dump.sql", r(14))
    one("mysqldump-p", "mysqldump -uroot -p'{}' --all-databases", r(12))
    one("password-eq", "password={} user=bob", r(14))
    one("password-colon", "PASSWD: {}", r(12) + "!")
    one("db-pass", "db_pass: {}", r(16))
    one("db-password-env", "DB_PASSWORD={}", r(20))
    one("pgpassword", "PGPASSWORD={} psql -h db", r(16))
    one("mysql-root-password", "MYSQL_ROOT_PASSWORD={}", r(16))
    one("redis-password", "REDIS_PASSWORD: {}", r(24))
    one("password-json", '{{"username": "svc", "password": "{}"}}', r(16))
    one("password-yaml", "    password: {}", r(18))
    one("passphrase", "ssh key passphrase={}", r(20))
    one("client-secret", "client_secret = '{}'", r(32))
    one("api-key-env", "API_KEY={}", r(32, HEX))
    one("x-api-key", "x-api-key: {}", r(40))
    one("access-token-query", "GET /v1/orders?access_token={}&page=2", r(32))
    one("secret-key-base", "SECRET_KEY_BASE={}", r(128, HEX))
    one("django-secret", "SECRET_KEY = 'django-insecure-{}'", r(50, AL + "!@#%^&*(-_=+)"))
    one("webhook-secret", "STRIPE_WEBHOOK_SECRET=whsec_{}", r(32))
    one("private-key-id", '"private_key_id": "{}",', r(40, HEX))
    one("client-key-data", "    client-key-data: {}", b64(120))
    one("curl-user", "curl -u deploy:{} https://ci.example.com/api", r(16))
    one("curl-header", "curl -H 'Authorization: Bearer {}' https://api.example.com", r(40))


HEADER = ("Fake secrets in real formats, base64-encoded so that secret scanners (GitHub push protection, "
          "gitleaks) do not stop a push of this repository; decode text_b64 and secrets_b64. Written by "
          "make_corpus.py.")


def _enc(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def make_positives() -> None:
    keys()
    providers()
    contextual()
    with (HERE / "positives.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"about": HEADER}) + "\n")
        for case in POS:
            fh.write(json.dumps({"kind": case["kind"], "text_b64": _enc(case["text"]),
                                 "secrets_b64": [_enc(s) for s in case["secrets"]]}) + "\n")


# -- negatives ------------------------------------------------------------------------

PATHS = ["/api/v1/orders", "/api/v1/orders/{id}", "/healthz", "/metrics", "/api/v2/cart", "/login", "/logout",
         "/static/app.{h}.js", "/api/v1/users/{id}/tokens", "/oauth/authorize", "/api/v1/keys", "/password/reset"]
AGENTS = ["curl/8.5.0", "kube-probe/1.29", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
          "Prometheus/2.53.0", "python-httpx/0.27.0", "Go-http-client/2.0"]
SERVICES = ["api", "checkout", "orders", "payments", "auth", "search", "gateway", "worker"]
WORDS = [
    "token bucket refilled ({n} tokens available)",
    "rate limiter: {n} tokens left for client {id}",
    "password reset email sent to user {n}",
    "user {n} changed their password",
    "invalid password for user {n} (attempt {m} of 5)",
    "api key missing from request {id}",
    "api key rotated for service account {svc}",
    "secret/{svc}-tls mounted at /etc/tls",
    "MountVolume.SetUp succeeded for volume \"{svc}-secret\"",
    "authentication failed: token expired",
    "auth: refreshing token for {svc} (expires in {n}s)",
    "cache key user:{n}:profile evicted",
    "primary key violation on orders_pkey for id {n}",
    "keyboard-interactive authentication disabled",
    "secret rotation scheduled for {svc} in {n} days",
    "could not parse token: unexpected end of JSON input",
    "tokenizer loaded {n} tokens in {m} ms",
    "max_tokens={n} temperature=0.2 model=llama",
    "sshd[{n}]: Accepted publickey for deploy from 10.0.{m}.4 port 51522",
    "sshd[{n}]: Failed password for invalid user admin from 10.0.{m}.9 port 2222 ssh2",
    "vault: lease renewed for database/creds/{svc} ({n}s)",
    "passed {n} of {m} checks",
    "sha256 {h64} verified",
    "pulled image registry.example.com/{svc}@sha256:{h64}",
    "commit {h40} deployed to production",
    "trace_id={h32} span_id={h16} duration={m}ms",
    "request_id={uuid} status=200",
    "ETag: \"{h32}\"",
    "x-request-id: {uuid}",
    "payload base64={b64}",
    "session started for user {n} (session {h8})",
    "Certificate fingerprint SHA256:{b43}",
    "key_id={n} kms decrypt ok",
    "jwt validation failed: signature is invalid",
    "secret_count={n} config_count={m}",
    "tokens_used={n} tokens_limit={m}",
    "public key fingerprint {h32}",
    "password policy: minimum length 12",
    "TLS handshake complete: TLS_AES_128_GCM_SHA256",
    "using credentials from /var/run/secrets/kubernetes.io/serviceaccount",
    "cookie consent banner shown to {n} visitors",
    "set-cookie header missing SameSite attribute on /login",
    "bearer auth disabled for /metrics",
    "mysql: connection pool size {n}",
    "connecting to postgres://db.internal:5432/orders",
    "redirect to https://example.com/callback?state={h16}&code_challenge_method=S256",
    "Authorization header missing",
    "checked {n} private keys in /etc/ssl/private: permissions ok",
    "keystore /etc/{svc}/keystore.jks loaded ({m} entries)",
    "token refresh succeeded",
]

PG_MESSAGES = ['duplicate key value violates unique constraint "orders_pkey"', "remaining connection slots are reserved",
               'password authentication failed for user "app"', "canceling statement due to statement timeout",
               "checkpoint complete: wrote {m} buffers"]


def neg_line(i: int) -> str:
    n, m = rng.randrange(1, 99999), rng.randrange(1, 999)
    svc = rng.choice(SERVICES)
    fill = {"n": n, "m": m, "svc": svc, "id": uuid(), "uuid": uuid(), "h64": r(64, HEX), "h40": r(40, HEX),
            "h32": r(32, HEX), "h16": r(16, HEX), "h8": r(8, HEX), "b64": b64(24), "b43": r(43, AL + "+/")}
    kind = i % 10
    t = ts()
    if kind == 0:
        path = rng.choice(PATHS).format(id=n, h=r(8, HEX))
        return (f'10.0.{m % 256}.{n % 256} - - [09/Feb/2025:10:{i % 60:02d}:{n % 60:02d} +0000] "GET {path} HTTP/1.1" '
                f'{rng.choice([200, 200, 304, 404, 500, 502])} {n} "-" "{rng.choice(AGENTS)}"')
    if kind == 1:
        return f"{t} level={rng.choice(['info', 'warn', 'error'])} service={svc} msg=\"{rng.choice(WORDS).format(**fill)}\""
    if kind == 2:
        return json.dumps({"ts": t, "level": rng.choice(["INFO", "WARN", "ERROR"]), "logger": f"{svc}.http",
                           "msg": rng.choice(WORDS).format(**fill), "trace_id": r(32, HEX)})
    if kind == 3:
        return (f"{t} {rng.choice(['Normal', 'Warning'])} {rng.choice(['Pulled', 'Created', 'Started', 'BackOff', 'Killing', 'Unhealthy'])} "
                f"pod/{svc}-{r(9, HEX)}-{r(5, string.ascii_lowercase + string.digits)} "
                f"{rng.choice(['Container image already present on machine', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'Back-off restarting failed container', 'Stopping container ' + svc])}")
    if kind == 4:
        return (f"2025-02-09 10:{i % 60:02d}:{n % 60:02d}.{m:03d} ERROR [{svc}-worker-{m % 8}] "
                f"c.e.{svc}.Service - {rng.choice(WORDS).format(**fill)}")
    if kind == 5:
        return f"\tat com.example.{svc}.{rng.choice(['OrderService', 'TokenValidator', 'KeyStore', 'PasswordEncoder'])}.{rng.choice(['handle', 'validate', 'load', 'encode'])}(Service.java:{m})"
    if kind == 6:
        said = rng.choice(PG_MESSAGES).format(m=m)
        return f"2025-02-09 10:{i % 60:02d}:{n % 60:02d} UTC [{n}] {rng.choice(['LOG', 'ERROR', 'FATAL'])}:  {said}"
    if kind == 7:
        return f"I0209 10:{i % 60:02d}:{n % 60:02d}.{r(6, string.digits)}    {m} {svc}.go:{m}] {rng.choice(WORDS).format(**fill)}"
    if kind == 8:
        return f"{t} stdout F {rng.choice(WORDS).format(**fill)}"
    return (f"[{t}] \"{rng.choice(['GET', 'POST'])} {rng.choice(PATHS).format(id=n, h=r(8, HEX))} HTTP/2\" "
            f"{rng.choice([200, 503, 504])} - via_upstream - \"-\" 0 {n} {m} {m} \"-\" \"{rng.choice(AGENTS)}\" "
            f"\"{uuid()}\" \"{svc}.prod.svc.cluster.local\" \"10.1.{m % 256}.{n % 256}:8080\"")


def make_negatives(count: int = 1500) -> None:
    lines = [neg_line(i) for i in range(count)]
    (HERE / "negatives.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    make_positives()
    make_negatives()
    print(f"{len(POS)} positives, negatives.log written")
