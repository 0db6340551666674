# ruff: noqa: E501  (log lines written out in full read better than wrapped)
"""Writes corpus.jsonl: log lines in 15 real formats, each labelled with its
true template (the text a person would call "the same message", every
variable written <*>).

Each format's lines follow the shape its program really writes (nginx's
`combined` log_format, Envoy's default access-log format, Go's log/slog
JSONHandler and zap's production encoder, logfmt as go-kit and logrus
write it, logback's default pattern with stack traces, Python's logging
`%(asctime)s %(levelname)s %(name)s: %(message)s`, PostgreSQL's
`log_line_prefix = '%m [%p] '`, klog (kubelet), Redis, RFC 3164 syslog,
`kubectl get events` messages, HAProxy's HTTP log format, Apache's error
log). The variables are the ones that break naive maskers: paths, user and
host names and weekday names without digits, signed ids (`blk_-123`),
UUIDs glued to words, ids of any length (`3` and `188978561024`), and
messages that differ in one word only (started/stopped, in/out), which
must stay apart.

The labels are part of this file, next to the lines they describe; run
`python tests/data/logcorpus/generate.py` to rewrite corpus.jsonl (seeded:
the same bytes every time).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

R = random.Random(20250209)
T0 = datetime(2025, 2, 9, 9, 40, 0, tzinfo=UTC)

USERS = ["alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hana", "ivan", "julia", "kenji", "lena",
         "mateo", "nora", "oskar", "priya"]
HOSTS = ["db-primary.shop.svc.cluster.local", "cache-a", "web-eu-west", "payments.internal", "auth-gateway",
         "search-b.prod.example.com", "orders-db", "ledger"]
CONTAINERS = ["api", "worker", "sidecar", "envoy", "migrate", "scheduler", "frontend"]
TABLES = ["orders", "customers", "line_items", "inventory", "payments", "sessions", "invoices"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PATHS = ["/api/orders", "/api/cart/items", "/healthz", "/static/app.css", "/login", "/api/users/me",
         "/api/search", "/checkout", "/api/v1/orders/{n}", "/api/v2/customers/{n}/invoices", "/metrics",
         "/api/products/{n}/reviews"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
          "curl/8.5.0", "kube-probe/1.29", "Go-http-client/1.1", "python-requests/2.31.0"]
QUEUES = ["emails", "invoices", "webhooks", "thumbnails", "exports"]
JOBS = ["reconcile", "nightly-export", "cleanup", "reindex", "billing-run"]
SERVICES = ["orders", "payments", "inventory", "auth", "search"]
NODES = ["ip-10-0-3-17.ec2.internal", "gke-prod-pool-1-a1b2c3d4-x9z8", "node-7", "worker-az2-3"]


def ip() -> str:
    return f"10.{R.randint(0, 3)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


def rid() -> str:
    return f"{R.getrandbits(64):016x}"


def uid() -> str:
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def num() -> str:
    # Ids of any length: the same field holds 3 and 188978561024.
    return str(R.choice([R.randint(1, 9), R.randint(10, 999), R.randint(1000, 99999), R.randint(10**11, 10**12)]))


def path() -> str:
    return R.choice(PATHS).replace("{n}", num())


def dur_ms() -> str:
    return f"{R.uniform(0.2, 900):.1f}ms"


def pod(app: str = "") -> str:
    app = app or R.choice(["api", "worker", "checkout", "orders"])
    return f"{app}-{R.getrandbits(36):09x}"[:len(app) + 10] + "-" + "".join(R.choice("bcdfghjklmnpqrstvwxz2456789")
                                                                            for _ in range(5))


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def tick(self) -> datetime:
        self.t += timedelta(milliseconds=R.randint(5, 4000))
        return self.t


Line = tuple[str, str]  # (template, line)
Maker = Callable[[Clock], list[Line]]


def weighted(makers: list[tuple[int, Callable[[Clock], list[Line]]]], n: int, clock: Clock) -> list[Line]:
    out: list[Line] = []
    weights = [w for w, _ in makers]
    fns = [f for _, f in makers]
    while len(out) < n:
        out += R.choices(fns, weights)[0](clock)
    return out


# -- nginx (log_format combined) ---------------------------------------------------

NGINX_ACCESS = '<*> - <*> [<*>] "<*>" <*> <*> "<*>" "<*>"'


def nginx(clock: Clock) -> list[Line]:
    def access(c: Clock) -> list[Line]:
        t = c.tick().strftime("%d/%b/%Y:%H:%M:%S +0000")
        user = R.choice(["-", "-", "-", R.choice(USERS)])
        ref = R.choice(["-", "https://shop.example.com/", f"https://shop.example.com{path()}"])
        line = (f'{ip()} - {user} [{t}] "{R.choice(METHODS)} {path()} HTTP/1.1" '
                f'{R.choice([200, 200, 200, 201, 204, 301, 304, 404, 499, 500, 502])} {R.randint(0, 48213)} '
                f'"{ref}" "{R.choice(AGENTS)}"')
        return [(NGINX_ACCESS, line)]

    def err_upstream(c: Clock) -> list[Line]:
        t = c.tick().strftime("%Y/%m/%d %H:%M:%S")
        line = (f"{t} [error] {R.randint(20, 40)}#{R.randint(20, 40)}: *{R.randint(1, 999999)} upstream timed out "
                f"(110: Connection timed out) while reading response header from upstream, client: {ip()}, "
                f'server: shop.example.com, request: "{R.choice(METHODS)} {path()} HTTP/1.1", '
                f'upstream: "http://{ip()}:8080{path()}", host: "shop.example.com"')
        tpl = ("<*> [error] <*> <*> upstream timed out (<*> Connection timed out) while reading response header "
               'from upstream, client: <*> server: shop.example.com, request: "<*>" upstream: "<*>" host: "<*>"')
        return [(tpl, line)]

    def err_open(c: Clock) -> list[Line]:
        t = c.tick().strftime("%Y/%m/%d %H:%M:%S")
        f = R.choice(["/usr/share/nginx/html/favicon.ico", "/usr/share/nginx/html/robots.txt",
                      "/usr/share/nginx/html/wp-login.php", "/usr/share/nginx/html/.env"])
        line = (f'{t} [error] {R.randint(20, 40)}#{R.randint(20, 40)}: *{R.randint(1, 999999)} open() "{f}" failed '
                f'(2: No such file or directory), client: {ip()}, server: shop.example.com, '
                f'request: "GET {f.removeprefix("/usr/share/nginx/html")} HTTP/1.1", host: "shop.example.com"')
        tpl = ('<*> [error] <*> <*> open() "<*>" failed (<*> No such file or directory), client: <*> '
               'server: shop.example.com, request: "<*>" host: "<*>"')
        return [(tpl, line)]

    def warn_buffer(c: Clock) -> list[Line]:
        t = c.tick().strftime("%Y/%m/%d %H:%M:%S")
        line = (f"{t} [warn] {R.randint(20, 40)}#{R.randint(20, 40)}: *{R.randint(1, 999999)} an upstream response "
                f"is buffered to a temporary file /var/cache/nginx/proxy_temp/{R.randint(1, 9)}/{R.randint(10, 99)}/"
                f'{R.randint(10**9, 10**10)} while reading upstream, client: {ip()}, server: shop.example.com, '
                f'request: "GET {path()} HTTP/1.1", upstream: "http://{ip()}:8080{path()}", host: "shop.example.com"')
        tpl = ("<*> [warn] <*> <*> an upstream response is buffered to a temporary file <*> while reading upstream, "
               'client: <*> server: shop.example.com, request: "<*>" upstream: "<*>" host: "<*>"')
        return [(tpl, line)]

    return weighted([(80, access), (6, err_upstream), (5, err_open), (3, warn_buffer)], 190, clock)


# -- Envoy default access log ----------------------------------------------------

ENVOY = '[<*>] "<*>" <*> <*> <*> <*> <*> <*> "<*>" "<*>" "<*>" "<*>" "<*>"'


def envoy(clock: Clock) -> list[Line]:
    def access(c: Clock) -> list[Line]:
        t = c.tick().strftime("%Y-%m-%dT%H:%M:%S.") + f"{R.randint(0, 999):03d}Z"
        code = R.choice([200, 200, 200, 503, 504, 404, 0])
        flags = {503: R.choice(["UF,URX", "UH", "UO", "URX", "UC"]), 504: R.choice(["UT", "UT,URX"]),
                 0: R.choice(["DC", "DI", "SI"]), 404: R.choice(["-", "NR"])}.get(code, "-")
        line = (f'[{t}] "{R.choice(METHODS)} {path()} HTTP/{R.choice(["1.1", "2"])}" {code} {flags} '
                f'{R.randint(0, 900)} {R.randint(0, 90000)} {R.randint(1, 3000)} {R.choice(["-", str(R.randint(1, 2999))])} '
                f'"{ip()}" "{R.choice(AGENTS)}" "{uid()}" "{R.choice(SERVICES)}.shop.svc" "{ip()}:8080"')
        return [(ENVOY, line)]

    def cfg(c: Clock) -> list[Line]:
        t = c.tick().strftime("%Y-%m-%d %H:%M:%S.") + f"{R.randint(0, 999):03d}"
        cluster = f"outbound|8080||{R.choice(SERVICES)}.shop.svc.cluster.local"
        line = f"[{t}][{R.randint(1, 30)}][info][upstream] [source/common/upstream/cds_api_helper.cc:32] cds: add {R.randint(1, 40)} cluster(s), remove {R.randint(0, 5)} cluster(s)"
        tpl = "[<*>][<*>][info][upstream] [<*>] cds: add <*> cluster(s), remove <*> cluster(s)"
        out = [(tpl, line)]
        if R.random() < 0.5:
            line2 = (f"[{t}][{R.randint(1, 30)}][warning][config] [source/common/config/grpc_stream.h:191] "
                     f"StreamAggregatedResources gRPC config stream to xds-grpc closed since {R.randint(30, 3000)}s ago: "
                     f"14, connection error: desc = \"transport: Error while dialing: dial tcp {ip()}:15012: "
                     f"connect: connection refused\" cluster={cluster}")
            tpl2 = ("[<*>][<*>][warning][config] [<*>] StreamAggregatedResources gRPC config stream to xds-grpc "
                    "closed since <*> ago: <*> connection error: desc = \"<*>\" cluster=<*>")
            out.append((tpl2, line2))
        return out

    return weighted([(85, access), (10, cfg)], 160, clock)


# -- Go log/slog JSONHandler and zap production ----------------------------------------


def slog_json(clock: Clock) -> list[Line]:
    def t(c: Clock) -> str:
        return c.tick().strftime("%Y-%m-%dT%H:%M:%S.") + f"{R.randint(0, 999999999):09d}Z"

    def handled(c: Clock) -> list[Line]:
        obj = {"time": t(c), "level": "INFO", "msg": "request handled", "method": R.choice(METHODS),
               "path": path(), "status": R.choice([200, 201, 204, 404]), "duration": dur_ms(), "user": R.choice(USERS)}
        return [('{"time":<*>,"level":"INFO","msg":"request handled","method":<*>,"path":<*>,"status":<*>,'
                 '"duration":<*>,"user":<*>}', json.dumps(obj, separators=(",", ":")))]

    def slow(c: Clock) -> list[Line]:
        obj = {"time": t(c), "level": "WARN", "msg": "slow query", "table": R.choice(TABLES),
               "elapsed": f"{R.uniform(1, 9):.3f}s", "rows": int(num())}
        return [('{"time":<*>,"level":"WARN","msg":"slow query","table":<*>,"elapsed":<*>,"rows":<*>}',
                 json.dumps(obj, separators=(",", ":")))]

    def pool(c: Clock) -> list[Line]:
        obj = {"time": t(c), "level": "ERROR", "msg": "acquire connection", "err": "context deadline exceeded",
               "pool": R.choice(["primary", "replica"]), "waited": dur_ms(), "request_id": "req-" + uid()}
        return [('{"time":<*>,"level":"ERROR","msg":"acquire connection","err":<*>,"pool":<*>,"waited":<*>,'
                 '"request_id":<*>}', json.dumps(obj, separators=(",", ":")))]

    def login(c: Clock) -> list[Line]:
        what = R.choice(["logged in", "logged out"])
        obj = {"time": t(c), "level": "INFO", "msg": f"user {what}", "user": R.choice(USERS),
               "session": "sess_" + rid()}
        return [('{"time":<*>,"level":"INFO","msg":"user ' + what + '","user":<*>,"session":<*>}',
                 json.dumps(obj, separators=(",", ":")))]

    def cache(c: Clock) -> list[Line]:
        obj = {"time": t(c), "level": "DEBUG", "msg": f"cache miss for {R.choice(TABLES)}:{num()}",
               "ttl": f"{R.randint(1, 600)}s"}
        return [('{"time":<*>,"level":"DEBUG","msg":"cache miss for <*>","ttl":<*>}',
                 json.dumps(obj, separators=(",", ":")))]

    return weighted([(50, handled), (12, slow), (8, pool), (14, login), (10, cache)], 170, clock)


def zap_json(clock: Clock) -> list[Line]:
    def base(c: Clock, level: str, caller: str, msg: str) -> dict:
        return {"level": level, "ts": round(c.tick().timestamp() + R.random(), 6), "caller": caller, "msg": msg}

    def publish(c: Clock) -> list[Line]:
        obj = base(c, "info", "queue/publisher.go:88", "published message")
        obj |= {"queue": R.choice(QUEUES), "message_id": uid(), "bytes": R.randint(10, 90000)}
        return [('{"level":"info","ts":<*>,"caller":<*>,"msg":"published message","queue":<*>,"message_id":<*>,'
                 '"bytes":<*>}', json.dumps(obj, separators=(",", ":")))]

    def retry(c: Clock) -> list[Line]:
        obj = base(c, "warn", "queue/consumer.go:141", "retrying delivery")
        obj |= {"queue": R.choice(QUEUES), "attempt": R.randint(1, 5), "backoff": f"{R.randint(1, 30)}s",
                "error": f"dial tcp {ip()}:5672: i/o timeout"}
        return [('{"level":"warn","ts":<*>,"caller":<*>,"msg":"retrying delivery","queue":<*>,"attempt":<*>,'
                 '"backoff":<*>,"error":<*>}', json.dumps(obj, separators=(",", ":")))]

    def failed(c: Clock) -> list[Line]:
        obj = base(c, "error", "queue/consumer.go:160", "giving up on message")
        obj |= {"queue": R.choice(QUEUES), "message_id": uid(),
                "stacktrace": "main.(*Consumer).handle\n\t/src/queue/consumer.go:160\nmain.main\n\t/src/main.go:42"}
        return [('{"level":"error","ts":<*>,"caller":<*>,"msg":"giving up on message","queue":<*>,'
                 '"message_id":<*>,"stacktrace":<*>}', json.dumps(obj, separators=(",", ":")))]

    def job(c: Clock) -> list[Line]:
        state = R.choice(["started", "finished", "failed"])
        obj = base(c, "info" if state != "failed" else "error", "jobs/runner.go:55", f"job {state}")
        obj |= {"job": R.choice(JOBS), "run": "run-" + rid()[:8], "weekday": R.choice(DAYS)}
        return [('{"level":' + ('"info"' if state != "failed" else '"error"') + ',"ts":<*>,"caller":<*>,"msg":"job '
                 + state + '","job":<*>,"run":<*>,"weekday":<*>}', json.dumps(obj, separators=(",", ":")))]

    return weighted([(40, publish), (14, retry), (6, failed), (20, job)], 160, clock)


# -- logfmt (go-kit / logrus text) -----------------------------------------------------


def logfmt(clock: Clock) -> list[Line]:
    def t(c: Clock) -> str:
        return c.tick().strftime("%Y-%m-%dT%H:%M:%S.") + f"{R.randint(0, 999):03d}Z"

    def req(c: Clock) -> list[Line]:
        line = (f'ts={t(c)} level=info caller=http.go:{R.choice([77, 78])} msg="handled request" '
                f"method={R.choice(METHODS)} path={path()} status={R.choice([200, 200, 304, 404])} dur={dur_ms()} "
                f"remote={ip()}:{R.randint(1024, 65535)}")
        return [('ts=<*> level=info caller=<*> msg="handled request" method=<*> path=<*> status=<*> dur=<*> '
                 'remote=<*>', line)]

    def pool(c: Clock) -> list[Line]:
        line = (f'ts={t(c)} level=error caller=db.go:214 msg="connection pool exhausted" pool={R.choice(TABLES)} '
                f"waited={R.randint(1, 999)}ms active={R.randint(1, 64)} req={rid()}")
        return [('ts=<*> level=error caller=<*> msg="connection pool exhausted" pool=<*> waited=<*> active=<*> '
                 'req=<*>', line)]

    def upstream(c: Clock) -> list[Line]:
        line = (f'ts={t(c)} level=warn caller=client.go:58 msg="upstream slow" host={R.choice(HOSTS)} '
                f"after={R.uniform(0.5, 9):.2f}s")
        return [('ts=<*> level=warn caller=<*> msg="upstream slow" host=<*> after=<*>', line)]

    def flag(c: Clock) -> list[Line]:
        state = R.choice(["enabled", "disabled"])
        line = f'ts={t(c)} level=info caller=flags.go:31 msg="feature flag {state}" flag={R.choice(["orders.history_cache", "checkout.v2", "search.fuzzy"])} by={R.choice(USERS)}'
        return [(f'ts=<*> level=info caller=<*> msg="feature flag {state}" flag=<*> by=<*>', line)]

    def panic(c: Clock) -> list[Line]:
        line = (f'ts={t(c)} level=error caller=worker.go:99 msg="recovered panic" err="runtime error: invalid memory '
                f'address or nil pointer dereference" goroutine={R.randint(1, 9000)}')
        return [('ts=<*> level=error caller=<*> msg="recovered panic" err=<*> goroutine=<*>', line)]

    return weighted([(50, req), (10, pool), (10, upstream), (8, flag), (4, panic)], 170, clock)


# -- Java / logback with stack traces ------------------------------------------------------

FRAMES = [
    "com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
    "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)",
    "org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159)",
    "com.example.shop.orders.OrderRepository.findHistory(OrderRepository.java:88)",
    "com.example.shop.orders.OrderService.history(OrderService.java:142)",
    "java.base/java.lang.Thread.run(Thread.java:1583)",
]


def logback(clock: Clock) -> list[Line]:
    def head(c: Clock, level: str, thread: str, logger: str) -> str:
        return f"{c.tick().strftime('%Y-%m-%d %H:%M:%S.')}{R.randint(0, 999):03d} [{thread}] {level:<5} {logger} - "

    def started(c: Clock) -> list[Line]:
        line = head(c, "INFO", "main", "com.example.shop.Application") + \
            f"Started Application in {R.uniform(3, 20):.3f} seconds (process running for {R.uniform(4, 25):.3f})"
        return [("<*> [main] INFO com.example.shop.Application - Started Application in <*> seconds "
                 "(process running for <*>)", line)]

    def order(c: Clock) -> list[Line]:
        thread = f"http-nio-8080-exec-{R.randint(1, 200)}"
        line = head(c, "INFO", thread, "c.e.shop.orders.OrderController") + \
            f"Order {num()} placed by {R.choice(USERS)} total={R.randint(1, 900)}.{R.randint(0, 99):02d} EUR"
        return [("<*> [<*>] INFO c.e.shop.orders.OrderController - Order <*> placed by <*> total=<*> EUR", line)]

    def timeout(c: Clock) -> list[Line]:
        thread = f"http-nio-8080-exec-{R.randint(1, 200)}"
        out = [("<*> [<*>] ERROR o.a.c.c.C.[.[.[/].[dispatcherServlet] - Servlet.service() for servlet "
                "[dispatcherServlet] in context with path [] threw exception",
                head(c, "ERROR", thread, "o.a.c.c.C.[.[.[/].[dispatcherServlet]")
                + "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception"),
               ("java.sql.SQLTransientConnectionException: HikariPool-<*> - Connection is not available, request "
                "timed out after <*>",
                f"java.sql.SQLTransientConnectionException: HikariPool-{R.randint(1, 2)} - Connection is not "
                f"available, request timed out after {R.choice([30000, 30001, 30004])}ms.")]
        for frame in FRAMES[: R.randint(3, len(FRAMES))]:
            out.append(("\tat <*>", f"\tat {frame}"))
        if R.random() < 0.5:
            out.append(("\t... <*> common frames omitted", f"\t... {R.randint(10, 90)} common frames omitted"))
        return out

    def npe(c: Clock) -> list[Line]:
        thread = f"scheduling-{R.randint(1, 4)}"
        out = [("<*> [<*>] WARN c.e.shop.sync.InventorySync - Sync of warehouse <*> skipped on <*>",
                head(c, "WARN", thread, "c.e.shop.sync.InventorySync")
                + f"Sync of warehouse {R.choice(['berlin', 'lyon', 'porto', 'gdansk', 'turin', 'ghent'])} "
                  f"skipped on {R.choice(DAYS)}")]
        return out

    return weighted([(4, started), (40, order), (9, timeout), (12, npe)], 170, clock)


# -- Python logging -----------------------------------------------------------------


TRACEBACK = [("/app/api/views.py", 51, "checkout"), ("/app/api/cart.py", 120, "total"),
             ("/usr/lib/python3.12/site-packages/flask/app.py", 880, "full_dispatch_request"),
             ("/usr/lib/python3.12/site-packages/flask/app.py", 865, "dispatch_request"),
             ("/app/api/pricing.py", 33, "apply_coupon"), ("/app/api/tax.py", 17, "rate_for"),
             ("/app/api/inventory.py", 204, "reserve"), ("/app/api/auth.py", 61, "current_user")]


def python_logging(clock: Clock) -> list[Line]:
    def head(c: Clock, level: str, name: str) -> str:
        return f"{c.tick().strftime('%Y-%m-%d %H:%M:%S,')}{R.randint(0, 999):03d} {level} {name}: "

    def task(c: Clock) -> list[Line]:
        state = R.choice(["received", "succeeded"])
        line = head(c, "INFO", "celery.worker.strategy") + \
            f"Task billing.tasks.charge[{uid()}] {state}" + (f" in {R.uniform(0.01, 9):.4f}s: None"
                                                              if state == "succeeded" else "")
        tpl = "<*> INFO celery.worker.strategy: Task billing.tasks.charge[<*>] " + (
            "succeeded in <*> None" if state == "succeeded" else "received")
        return [(tpl, line)]

    def keyerr(c: Clock) -> list[Line]:
        out = [("<*> ERROR app.api: Unhandled exception on <*> <*>",
                head(c, "ERROR", "app.api") + f"Unhandled exception on {R.choice(METHODS)} {path()}"),
               ("Traceback (most recent call last):", "Traceback (most recent call last):")]
        for f, ln, fn in R.sample(TRACEBACK, R.randint(2, 5)):
            out.append(('  File "<*>", line <*>, in <*>', f'  File "{f}", line {ln}, in {fn}'))
        out.append(("KeyError: <*>", f"KeyError: '{R.choice(['sku', 'currency', 'customer_id', 'coupon'])}'"))
        return out

    def login(c: Clock) -> list[Line]:
        line = head(c, "WARNING", "app.auth") + f"Failed login for user {R.choice(USERS)} from {ip()}"
        return [("<*> WARNING app.auth: Failed login for user <*> from <*>", line)]

    def report(c: Clock) -> list[Line]:
        line = head(c, "INFO", "app.reports") + \
            f"Weekly report for {R.choice(DAYS)} written to s3://reports/{R.choice(SERVICES)}/week-{R.randint(1, 52)}.csv"
        return [("<*> INFO app.reports: Weekly report for <*> written to <*>", line)]

    return weighted([(40, task), (7, keyerr), (14, login), (10, report)], 170, clock)


# -- PostgreSQL (log_line_prefix = '%m [%p] ') ------------------------------------------


def postgres(clock: Clock) -> list[Line]:
    def head(c: Clock) -> str:
        return f"{c.tick().strftime('%Y-%m-%d %H:%M:%S.')}{R.randint(0, 999):03d} UTC [{R.randint(100, 99999)}] "

    def ckpt(c: Clock) -> list[Line]:
        line = head(c) + (f"LOG:  checkpoint complete: wrote {R.randint(1, 9000)} buffers ({R.uniform(0, 9):.1f}%); "
                          f"0 WAL file(s) added, {R.randint(0, 3)} removed, {R.randint(0, 9)} recycled; "
                          f"write={R.uniform(0, 300):.3f} s, sync={R.uniform(0, 1):.3f} s, total={R.uniform(0, 300):.3f} s")
        return [("<*> UTC [<*>] LOG: checkpoint complete: wrote <*> buffers (<*>); <*> WAL file(s) added, <*> "
                 "removed, <*> recycled; write=<*> s, sync=<*> s, total=<*> s", line)]

    def slow(c: Clock) -> list[Line]:
        line = head(c) + (f"LOG:  duration: {R.uniform(500, 9000):.3f} ms  statement: SELECT * FROM "
                          f"{R.choice(TABLES)} WHERE customer_id = {num()} ORDER BY created_at DESC")
        return [("<*> UTC [<*>] LOG: duration: <*> ms statement: SELECT * FROM <*> WHERE customer_id = <*> "
                 "ORDER BY created_at DESC", line)]

    def dup(c: Clock) -> list[Line]:
        table = R.choice(TABLES)
        out = [("<*> UTC [<*>] ERROR: duplicate key value violates unique constraint <*>",
                head(c) + f'ERROR:  duplicate key value violates unique constraint "{table}_pkey"'),
               ("<*> UTC [<*>] DETAIL: Key (id)=(<*>) already exists.",
                head(c) + f"DETAIL:  Key (id)=({num()}) already exists.")]
        return out

    def auth(c: Clock) -> list[Line]:
        line = head(c) + f'FATAL:  password authentication failed for user "{R.choice(USERS)}"'
        return [("<*> UTC [<*>] FATAL: password authentication failed for user <*>", line)]

    def conn(c: Clock) -> list[Line]:
        line = head(c) + (f"LOG:  connection authorized: user={R.choice(USERS)} database={R.choice(['shop', 'ledger'])} "
                          f"application_name={R.choice(['api', 'psql', 'pgbouncer'])}")
        return [("<*> UTC [<*>] LOG: connection authorized: user=<*> database=<*> application_name=<*>", line)]

    def relation(c: Clock) -> list[Line]:
        line = head(c) + f'ERROR:  relation "{R.choice(TABLES)}_archive" does not exist at character {R.randint(10, 99)}'
        return [("<*> UTC [<*>] ERROR: relation <*> does not exist at character <*>", line)]

    return weighted([(6, ckpt), (18, slow), (8, dup), (8, auth), (30, conn), (6, relation)], 160, clock)


# -- kubelet (klog) ---------------------------------------------------------------------


def kubelet(clock: Clock) -> list[Line]:
    def head(c: Clock, sev: str, src: str) -> str:
        t = c.tick()
        return f"{sev}{t:%m%d} {t:%H:%M:%S}.{R.randint(0, 999999):06d}    {R.randint(800, 2000)} {src}] "

    def probe(c: Clock) -> list[Line]:
        p = pod()
        line = head(c, "I", "prober.go:107") + (f'"Probe failed" probeType="Readiness" pod="shop/{p}" '
                                                 f'podUID="{uid()}" containerName="{R.choice(CONTAINERS)}" '
                                                 f'probeResult="failure" output="HTTP probe failed with statuscode: 503"')
        return [('<*> <*> <*> <*> "Probe failed" probeType=<*> pod=<*> podUID=<*> containerName=<*> '
                 "probeResult=<*> output=<*>", line)]

    def backoff(c: Clock) -> list[Line]:
        p = pod()
        c_name = R.choice(CONTAINERS)
        line = head(c, "E", "pod_workers.go:1298") + (f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" '
                                                       f'for \\"{c_name}\\" with CrashLoopBackOff: \\"back-off 5m0s '
                                                       f'restarting failed container={c_name} pod={p}_shop({uid()})\\"" '
                                                       f'pod="shop/{p}" podUID="{uid()}"')
        return [('<*> <*> <*> <*> "Error syncing pod, skipping" err=<*> pod=<*> podUID=<*>', line)]

    def oom(c: Clock) -> list[Line]:
        line = head(c, "I", "manager.go:1116") + f'"OOM killed process" pid={R.randint(100, 99999)} container="{R.choice(CONTAINERS)}"'
        return [('<*> <*> <*> <*> "OOM killed process" pid=<*> container=<*>', line)]

    def volume(c: Clock) -> list[Line]:
        line = head(c, "I", "reconciler_common.go:258") + (
            f'"operationExecutor.VerifyControllerAttachedVolume started for volume \\"kube-api-access-'
            f'{"".join(R.choice("abcdefghjkmnpqrstvwxz") for _ in range(5))}\\"" pod="shop/{pod()}"')
        return [('<*> <*> <*> <*> "operationExecutor.VerifyControllerAttachedVolume started for volume <*>" pod=<*>',
                 line)]

    return weighted([(20, probe), (10, backoff), (6, oom), (12, volume)], 160, clock)


# -- Redis --------------------------------------------------------------------------------


def redis(clock: Clock) -> list[Line]:
    def head(c: Clock, role: str, mark: str) -> str:
        return f"{R.randint(1, 99)}:{role} {c.tick().strftime('%d %b %Y %H:%M:%S.')}{R.randint(0, 999):03d} {mark} "

    def changes(c: Clock) -> list[Line]:
        n, s = R.choice([(1, 900), (100, 300), (10000, 60)])
        return [("<*> <*> <*> <*> <*> * <*> changes in <*> seconds. Saving...",
                 head(c, "M", "*") + f"{n} changes in {s} seconds. Saving...")]

    def bg(c: Clock) -> list[Line]:
        return [("<*> <*> <*> <*> <*> * Background saving started by pid <*>",
                 head(c, "M", "*") + f"Background saving started by pid {R.randint(10, 99999)}"),
                ("<*> <*> <*> <*> <*> * Background saving terminated with success",
                 head(c, "M", "*") + "Background saving terminated with success")]

    def client(c: Clock) -> list[Line]:
        return [("<*> <*> <*> <*> <*> # Client id=<*> addr=<*> laddr=<*> fd=<*> name=<*> age=<*> idle=<*> "
                 "flags=<*> closed for overcoming of output buffer limits.",
                 head(c, "M", "#") + f"Client id={num()} addr={ip()}:{R.randint(1024, 65535)} laddr={ip()}:6379 "
                 f"fd={R.randint(5, 900)} name={R.choice(['', 'sidekiq', 'api'])} age={R.randint(0, 9999)} "
                 f"idle={R.randint(0, 99)} flags=N closed for overcoming of output buffer limits.")]

    def replica(c: Clock) -> list[Line]:
        return [("<*> <*> <*> <*> <*> * Connecting to MASTER <*>",
                 head(c, "S", "*") + f"Connecting to MASTER {R.choice(HOSTS)}:6379"),
                ("<*> <*> <*> <*> <*> # Error condition on socket for SYNC: Connection refused",
                 head(c, "S", "#") + "Error condition on socket for SYNC: Connection refused")]

    def lat(c: Clock) -> list[Line]:
        return [("<*> <*> <*> <*> <*> # WARNING: latency monitor: event <*> took <*> milliseconds",
                 head(c, "M", "#") + f"WARNING: latency monitor: event {R.choice(['command', 'fast-command', 'expire-cycle', 'eviction-cycle', 'aof-write-pending-fsync', 'fork'])} "
                 f"took {R.randint(100, 999)} milliseconds")]

    return weighted([(20, changes), (12, bg), (10, client), (10, replica), (8, lat)], 160, clock)


# -- syslog (RFC 3164) -------------------------------------------------------------------------


def syslog(clock: Clock) -> list[Line]:
    def head(c: Clock, host: str, prog: str) -> str:
        t = c.tick()
        return f"{t:%b} {t.day:>2} {t:%H:%M:%S} {host} {prog}[{R.randint(100, 99999)}]: "

    host = "bastion"

    def accepted(c: Clock) -> list[Line]:
        how = R.choice(["publickey", "password"])
        return [(f"<*> <*> <*> bastion <*> Accepted {how} for <*> from <*> port <*> ssh2",
                 head(c, host, "sshd") + f"Accepted {how} for {R.choice(USERS)} from {ip()} port {R.randint(1024, 65535)} ssh2")]

    def invalid(c: Clock) -> list[Line]:
        return [("<*> <*> <*> bastion <*> Invalid user <*> from <*> port <*>",
                 head(c, host, "sshd") + f"Invalid user {R.choice(['admin', 'oracle', 'test', 'ubnt', 'postgres', 'git', 'deploy'])} from {ip()} port {R.randint(1024, 65535)}")]

    def session(c: Clock) -> list[Line]:
        state = R.choice(["opened", "closed"])
        user = R.choice(USERS)
        line = head(c, host, "sshd") + f"pam_unix(sshd:session): session {state} for user {user}" + (
            f"(uid={R.randint(1000, 1999)}) by (uid=0)" if state == "opened" else "")
        tpl = f"<*> <*> <*> bastion <*> pam_unix(sshd:session): session {state} for user <*>" + (
            " by (uid=<*>)" if state == "opened" else "")
        return [(tpl, line)]

    def cron(c: Clock) -> list[Line]:
        return [("<*> <*> <*> bastion <*> (<*>) CMD (<*>)",
                 head(c, host, "CRON") + f"({R.choice(['root', *USERS[:3]])}) CMD (/usr/local/bin/{R.choice(['backup', 'rotate-logs', 'sync-keys'])}.sh)")]

    def systemd(c: Clock) -> list[Line]:
        state = R.choice(["Started", "Stopped"])
        unit = R.choice(["nginx.service", "docker.service", "node-exporter.service", "Daily apt upgrade and clean activities"])
        return [(f"<*> <*> <*> bastion <*> {state} <*>", head(c, host, "systemd") + f"{state} {unit}.")]

    return weighted([(14, accepted), (12, invalid), (16, session), (10, cron), (8, systemd)], 170, clock)


# -- Kubernetes events (kubectl get events -o custom-columns=...) --------------------------


def k8s_events(clock: Clock) -> list[Line]:
    def head(c: Clock, typ: str, reason: str, obj: str) -> str:
        return f"{c.tick():%Y-%m-%dT%H:%M:%SZ} {typ} {reason} {obj} "

    def sched(c: Clock) -> list[Line]:
        p = pod()
        return [("<*> Normal Scheduled <*> Successfully assigned <*> to <*>",
                 head(c, "Normal", "Scheduled", f"pod/{p}") + f"Successfully assigned shop/{p} to {R.choice(NODES)}")]

    def pulled(c: Clock) -> list[Line]:
        p = pod()
        return [("<*> Normal Pulled <*> Container image <*> already present on machine",
                 head(c, "Normal", "Pulled", f"pod/{p}") + f'Container image "shop/{R.choice(SERVICES)}:v2.{R.randint(0, 9)}.{R.randint(0, 20)}" already present on machine')]

    def backoff(c: Clock) -> list[Line]:
        p = pod()
        return [("<*> Warning BackOff <*> Back-off restarting failed container <*> in pod <*>",
                 head(c, "Warning", "BackOff", f"pod/{p}") + f"Back-off restarting failed container {R.choice(CONTAINERS)} in pod {p}_shop({uid()})")]

    def unhealthy(c: Clock) -> list[Line]:
        p = pod()
        kind = R.choice(["Readiness", "Liveness"])
        return [(f"<*> Warning Unhealthy <*> {kind} probe failed: HTTP probe failed with statuscode: <*>",
                 head(c, "Warning", "Unhealthy", f"pod/{p}") + f"{kind} probe failed: HTTP probe failed with statuscode: {R.choice([500, 503])}")]

    def scaling(c: Clock) -> list[Line]:
        dep = R.choice(SERVICES)
        way = R.choice(["up", "down"])
        return [(f"<*> Normal ScalingReplicaSet <*> Scaled {way} replica set <*> to <*>",
                 head(c, "Normal", "ScalingReplicaSet", f"deployment/{dep}")
                 + f"Scaled {way} replica set {dep}-{R.getrandbits(36):09x} to {R.randint(0, 12)}")]

    def killing(c: Clock) -> list[Line]:
        p = pod()
        return [("<*> Normal Killing <*> Stopping container <*>",
                 head(c, "Normal", "Killing", f"pod/{p}") + f"Stopping container {R.choice(CONTAINERS)}")]

    return weighted([(12, sched), (12, pulled), (8, backoff), (8, unhealthy), (6, scaling), (6, killing)], 160, clock)


# -- HAProxy (option httplog) -------------------------------------------------------------------

HAPROXY = ("<*> haproxy[<*>]: <*> [<*>] <*> <*> <*> <*> <*> <*> <*> <*> <*> <*> <*> <*> \"<*>\"")


def haproxy(clock: Clock) -> list[Line]:
    def http(c: Clock) -> list[Line]:
        t = c.tick()
        be = R.choice(SERVICES)
        line = (f"{t:%b} {t.day:>2} {t:%H:%M:%S} lb-1 haproxy[{R.randint(100, 9999)}]: {ip()}:{R.randint(1024, 65535)} "
                f"[{t:%d/%b/%Y:%H:%M:%S}.{R.randint(0, 999):03d}] fe_https~ be_{be}/{be}-{R.randint(1, 4)} "
                f"{R.randint(0, 20)}/{R.randint(0, 5)}/{R.randint(0, 5)}/{R.randint(1, 900)}/{R.randint(1, 999)} "
                f"{R.choice([200, 200, 503, 404])} {R.randint(100, 90000)} - - {R.choice(['----', '----', 'sH--', 'SC--', 'CD--', 'cD--', 'PH--', 'CR--'])} "
                f"{R.randint(1, 900)}/{R.randint(1, 900)}/{R.randint(0, 50)}/{R.randint(0, 9)}/0 0/0 "
                f'"{R.choice(METHODS)} {path()} HTTP/1.1"')
        tpl = "<*> lb-1 haproxy[<*>]: <*> [<*>] fe_https~ <*> <*> <*> <*> - - <*> <*> <*> \"<*>\""
        return [(tpl, line)]

    def down(c: Clock) -> list[Line]:
        t = c.tick()
        be = R.choice(SERVICES)
        state = R.choice(["DOWN", "UP"])
        reason = ("Layer4 connection problem, info: \"Connection refused\"" if state == "DOWN"
                  else "Layer7 check passed, code: 200")
        line = (f"{t:%b} {t.day:>2} {t:%H:%M:%S} lb-1 haproxy[{R.randint(100, 9999)}]: Server be_{be}/{be}-{R.randint(1, 4)} "
                f"is {state}, reason: {reason}, check duration: {R.randint(0, 9)}ms. {R.randint(0, 4)} active and 0 backup "
                f"servers left. {R.randint(0, 9)} sessions active, 0 requeued, 0 remaining in queue.")
        tpl = (f"<*> lb-1 haproxy[<*>]: Server <*> is {state}, reason: "
               + ("Layer4 connection problem, info: <*>" if state == "DOWN" else "Layer7 check passed, code: <*>")
               + ", check duration: <*> <*> active and <*> backup servers left. <*> sessions active, <*> requeued, "
                 "<*> remaining in queue.")
        return [(tpl, line)]

    return weighted([(60, http), (10, down)], 150, clock)


# -- Apache httpd error log ---------------------------------------------------------------------


def apache_error(clock: Clock) -> list[Line]:
    def head(c: Clock, mod: str, level: str) -> str:
        t = c.tick()
        return f"[{t:%a %b %d %H:%M:%S}.{R.randint(0, 999999):06d} {t:%Y}] [{mod}:{level}] [pid {R.randint(100, 99999)}:tid {R.randint(10**14, 10**15)}] "

    def denied(c: Clock) -> list[Line]:
        return [("[<*>] [authz_core:error] [pid <*>] [client <*>] AH01630: client denied by server configuration: <*>",
                 head(c, "authz_core", "error") + f"[client {ip()}:{R.randint(1024, 65535)}] AH01630: client denied by server configuration: /var/www/html/{R.choice(['admin', 'private', 'server-status', '.git'])}")]

    def proxy(c: Clock) -> list[Line]:
        return [("[<*>] [proxy:error] [pid <*>] (<*>)Connection refused: AH00957: HTTP: attempt to connect to <*> (<*>) failed",
                 head(c, "proxy", "error") + f"(111)Connection refused: AH00957: HTTP: attempt to connect to {ip()}:8080 ({R.choice(HOSTS)}) failed")]

    def notice(c: Clock) -> list[Line]:
        return [("[<*>] [mpm_event:notice] [pid <*>] AH00489: Apache/<*> (Debian) configured -- resuming normal operations",
                 head(c, "mpm_event", "notice") + "AH00489: Apache/2.4.62 (Debian) configured -- resuming normal operations")]

    def php(c: Clock) -> list[Line]:
        return [("[<*>] [php:warn] [pid <*>] [client <*>] PHP Warning: Undefined array key <*> in <*> on line <*>",
                 head(c, "php", "warn") + f"[client {ip()}:{R.randint(1024, 65535)}] PHP Warning:  Undefined array key \"{R.choice(['user', 'id', 'lang', 'redirect'])}\" in /var/www/html/{R.choice(['index', 'cart', 'login'])}.php on line {R.randint(3, 300)}")]

    return weighted([(14, denied), (10, proxy), (3, notice), (14, php)], 150, clock)


# -- HDFS-style signed block ids (the Loghub classic) ------------------------------------------


def hdfs(clock: Clock) -> list[Line]:
    def head(c: Clock, level: str, cls: str) -> str:
        t = c.tick()
        return f"{t:%y%m%d} {t:%H%M%S} {R.randint(10, 9999)} {level} {cls}: "

    def blk() -> str:
        return f"blk_{R.choice(['-', ''])}{R.randint(10**17, 10**19)}"

    def recv(c: Clock) -> list[Line]:
        return [("<*> <*> <*> INFO dfs.DataNode$DataXceiver: Receiving block <*> src: <*> dest: <*>",
                 head(c, "INFO", "dfs.DataNode$DataXceiver") + f"Receiving block {blk()} src: /{ip()}:{R.randint(1024, 65535)} dest: /{ip()}:50010")]

    def served(c: Clock) -> list[Line]:
        return [("<*> <*> <*> INFO dfs.DataNode$DataXceiver: <*> Served block <*> to <*>",
                 head(c, "INFO", "dfs.DataNode$DataXceiver") + f"{ip()}:50010 Served block {blk()} to /{ip()}")]

    def delete(c: Clock) -> list[Line]:
        return [("<*> <*> <*> INFO dfs.FSDataset: Deleting block <*> file <*>",
                 head(c, "INFO", "dfs.FSDataset") + f"Deleting block {blk()} file /mnt/hadoop/dfs/data/current/subdir{R.randint(1, 60)}/{blk()}")]

    def exc(c: Clock) -> list[Line]:
        return [("<*> <*> <*> WARN dfs.DataNode$DataXceiver: <*> Got exception while serving <*> to <*>",
                 head(c, "WARN", "dfs.DataNode$DataXceiver") + f"{ip()}:50010:Got exception while serving {blk()} to /{ip()}:")]

    return weighted([(20, recv), (15, served), (10, delete), (6, exc)], 150, clock)


FORMATS: dict[str, Maker] = {
    "nginx": nginx, "envoy": envoy, "slog-json": slog_json, "zap-json": zap_json, "logfmt": logfmt,
    "logback": logback, "python": python_logging, "postgresql": postgres, "kubelet": kubelet, "redis": redis,
    "syslog": syslog, "k8s-events": k8s_events, "haproxy": haproxy, "apache-error": apache_error, "hdfs": hdfs,
}


def main() -> None:
    out = Path(__file__).with_name("corpus.jsonl")
    rows = []
    for name, make in FORMATS.items():
        for template, line in make(Clock()):
            rows.append(json.dumps({"format": name, "template": template, "line": line}, ensure_ascii=False))
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} lines in {len(FORMATS)} formats -> {out}")


if __name__ == "__main__":
    main()
