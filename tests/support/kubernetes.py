"""A loopback Kubernetes API server for tests: HTTPS with a CA made on the
spot, a bearer token required, and the real REST shapes the `kubernetes`
client reads (deployments, pods by label selector, pod logs with
sinceTime/timestamps/previous/container, events, ReplicaSets,
HorizontalPodAutoscalers, nodes and node events, Status errors).

Shapes from the Kubernetes API reference,
https://kubernetes.io/docs/reference/kubernetes-api/: Pod v1 (spec.nodeName,
status.containerStatuses), Event v1 (involvedObject, first/lastTimestamp,
eventTime, count; node events live in namespace "default" and are listed
with fieldSelector=involvedObject.kind=Node), ReplicaSet v1,
HorizontalPodAutoscaler autoscaling/v2 (spec.scaleTargetRef,
status.lastScaleTime / desiredReplicas / conditions), Node v1
(status.conditions with lastTransitionTime), Status for errors.

    with FakeCluster(state) as cluster:
        cluster.write_kubeconfig(path)   # a real kubeconfig for the real client

Tests get it through the `fake_cluster` fixture (a started server, stopped
after the test) and the replayed incident through `kube_incident`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import ipaddress
import json
import re
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pmtui.sample import at

TOKEN = "k8s-test-token-6f1d2c"


def rfc3339nano(when: dt.datetime) -> str:
    """Go's time.RFC3339Nano, as the kubelet writes it: trailing zeros of
    the fraction trimmed, no fraction at all on a whole second."""
    when = when.astimezone(dt.UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += "." + f"{when.microsecond:06d}".rstrip("0")
    return text + "Z"


def rfc3339(when: dt.datetime | None) -> str | None:
    return None if when is None else when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Container:
    name: str
    logs: list[tuple[dt.datetime, bytes]] = field(default_factory=list)
    previous: list[tuple[dt.datetime, bytes]] | None = None  # None: no previous instance kept
    restarts: int = 0
    last_terminated: dict | None = None  # {"reason", "exitCode", "startedAt", "finishedAt"}
    state: dict = field(default_factory=lambda: {"running": {"startedAt": "2025-02-09T09:00:00Z"}})


@dataclass
class Pod:
    name: str
    labels: dict[str, str]
    containers: list[Container]
    start: dt.datetime
    phase: str = "Running"
    node: str = ""  # spec.nodeName


@dataclass
class Event:
    name: str
    reason: str
    message: str
    kind: str  # involved object kind
    obj: str  # involved object name
    first: dt.datetime | None
    last: dt.datetime | None
    count: int = 1
    type: str = "Normal"
    event_time: dt.datetime | None = None


@dataclass
class ClusterState:
    namespace: str = "shop"
    deployments: dict[str, dict] = field(default_factory=dict)  # name -> spec.selector
    pods: list[Pod] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)  # path prefixes answered 403
    # ReplicaSets as the API returns them (apps/v1 ReplicaSet JSON: metadata
    # with the deployment.kubernetes.io/revision annotation, ownerReferences,
    # spec.template), from https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/replica-set-v1/
    replicasets: list[dict] = field(default_factory=list)
    # HorizontalPodAutoscaler JSON (autoscaling/v2), served as the namespace's list.
    autoscalers: list[dict] = field(default_factory=list)
    # Node name -> its status.conditions (Node v1), and the node events
    # (namespace "default", involvedObject kind Node).
    nodes: dict[str, list[dict]] = field(default_factory=dict)
    node_events: list[Event] = field(default_factory=list)


def make_certs(directory: Path) -> tuple[bytes, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pmtui test CA")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_cert.public_bytes(serialization.Encoding.PEM), cert_path, key_path


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def _selector_matches(selector: str, labels: dict[str, str]) -> bool:
    """Label selector syntax: k=v, k==v, k!=v, k in (a,b), k notin (a), k, !k."""
    if not selector:
        return True
    for term in re.split(r",(?![^()]*\))", selector):
        term = term.strip()
        if m := re.fullmatch(r"([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)", term):
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if (labels.get(key) in values) != (op == "in"):
                return False
        elif m := re.fullmatch(r"([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)", term):
            key, op, value = m.groups()
            if (labels.get(key) == value) != (op != "!="):
                return False
        elif m := re.fullmatch(r"(!?)([\w./-]+)", term):
            if (m.group(2) in labels) == bool(m.group(1)):
                return False
        else:
            raise ValueError(f"bad selector term {term!r}")
    return True


def _fields_match(selector: str, e: Event) -> bool:
    """Field selectors on events: involvedObject.kind=X, involvedObject.name=Y (comma-joined)."""
    fields = {"involvedObject.kind": e.kind, "involvedObject.name": e.obj, "reason": e.reason, "type": e.type}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        key, _, value = term.partition("=")
        if fields.get(key) != value:
            return False
    return True


class FakeCluster:
    def __init__(self, state: ClusterState, *, token: str = TOKEN) -> None:
        self.state = state
        self.token = token  # the bearer token every request must carry
        self.requests: list[tuple[str, dict[str, list[str]]]] = []  # (path, query)
        self._tmp = tempfile.TemporaryDirectory(prefix="pmtui-k8s-")
        self.ca_pem, cert, key = make_certs(Path(self._tmp.name))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCluster:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._tmp.cleanup()

    def write_kubeconfig(self, path: Path, *, token: str | None = None, namespace: str | None = None) -> Path:
        """A real kubeconfig (JSON is YAML) with the CA inline and a token
        user (the server's own token unless told otherwise)."""
        ctx: dict = {"cluster": "loopback", "user": "tester"}
        if namespace:
            ctx["namespace"] = namespace
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "loopback",
            "clusters": [{"name": "loopback", "cluster": {
                "server": self.url,
                "certificate-authority-data": base64.b64encode(self.ca_pem).decode()}}],
            "users": [{"name": "tester", "user": {"token": token or self.token}}],
            "contexts": [{"name": "loopback", "context": ctx}],
        }
        path.write_text(json.dumps(config, indent=1))
        return path

    # -- the API ------------------------------------------------------------------

    def _handler(self):
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, code: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, code: int, obj: dict) -> None:
                self._send(code, json.dumps(obj).encode())

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                cluster.requests.append((parts.path, query))
                if self.headers.get("Authorization") != f"Bearer {cluster.token}":
                    return self._json(401, _status(401, "Unauthorized", "Unauthorized"))
                for prefix in cluster.state.forbidden:
                    if parts.path.startswith(prefix):
                        return self._json(403, _status(403, "Forbidden", (
                            f'pods is forbidden: User "tester" cannot list resource "pods" in API group "" '
                            f'in the namespace "{cluster.state.namespace}"')))
                with contextlib.suppress(BrokenPipeError):
                    cluster._route(self, parts.path, query)

        return Handler

    def _route(self, h, path: str, query: dict[str, list[str]]) -> None:
        st = self.state
        ns = st.namespace

        def one(name: str) -> str:
            return (query.get(name) or [""])[0]

        if m := re.fullmatch(r"/apis/apps/v1/namespaces/([^/]+)/deployments/([^/]+)", path):
            if m.group(1) != ns or m.group(2) not in st.deployments:
                return h._json(404, _status(404, "NotFound", f'deployments.apps "{m.group(2)}" not found'))
            return h._json(200, self._deployment(m.group(2)))
        if m := re.fullmatch(r"/apis/apps/v1/namespaces/([^/]+)/replicasets", path):
            items = [rs for rs in st.replicasets if m.group(1) == ns and _selector_matches(
                one("labelSelector"), (rs.get("metadata") or {}).get("labels") or {})]
            return h._json(200, {"kind": "ReplicaSetList", "apiVersion": "apps/v1",
                                 "metadata": {"resourceVersion": "1"}, "items": items})
        if m := re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods", path):
            pods = [p for p in st.pods if m.group(1) == ns and _selector_matches(one("labelSelector"), p.labels)]
            return h._json(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                                 "items": [self._pod(p) for p in pods]})
        if m := re.fullmatch(r"/api/v1/namespaces/([^/]+)/pods/([^/]+)(/log)?", path):
            pod = next((p for p in st.pods if p.name == m.group(2) and m.group(1) == ns), None)
            if pod is None:
                return h._json(404, _status(404, "NotFound", f'pods "{m.group(2)}" not found'))
            if not m.group(3):
                return h._json(200, self._pod(pod))
            return self._log(h, pod, one)
        if m := re.fullmatch(r"/apis/autoscaling/v2/namespaces/([^/]+)/horizontalpodautoscalers", path):
            items = st.autoscalers if m.group(1) == ns else []
            return h._json(200, {"kind": "HorizontalPodAutoscalerList", "apiVersion": "autoscaling/v2",
                                 "metadata": {"resourceVersion": "1"}, "items": items})
        if m := re.fullmatch(r"/api/v1/nodes/([^/]+)", path):
            if m.group(1) not in st.nodes:
                return h._json(404, _status(404, "NotFound", f'nodes "{m.group(1)}" not found'))
            return h._json(200, self._node(m.group(1)))
        if m := re.fullmatch(r"/api/v1/namespaces/([^/]+)/events", path):
            if m.group(1) == "default" and ns != "default":
                events = [e for e in st.node_events if _fields_match(one("fieldSelector"), e)]
                items = [self._event(e, namespace="default") for e in events]
            else:
                items = [self._event(e) for e in st.events] if m.group(1) == ns else []
            return h._json(200, {"kind": "EventList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                                 "items": items})
        h._json(404, _status(404, "NotFound", "the server could not find the requested resource"))

    def _log(self, h, pod: Pod, one) -> None:
        name = one("container")
        if not name:
            if len(pod.containers) != 1:
                names = " ".join(c.name for c in pod.containers)
                return h._json(400, _status(400, "BadRequest", (
                    f"a container name must be specified for pod {pod.name}, choose one of: [{names}]")))
            name = pod.containers[0].name
        container = next((c for c in pod.containers if c.name == name), None)
        if container is None:
            return h._json(400, _status(400, "BadRequest", f"container {name} is not valid for pod {pod.name}"))
        lines = container.logs
        if one("previous") == "true":
            if container.previous is None:
                return h._json(400, _status(400, "BadRequest", (
                    f'previous terminated container "{name}" in pod "{pod.name}" not found')))
            lines = container.previous
        since = one("sinceTime")
        if since:
            since_dt = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
            lines = [(t, text) for t, text in lines if t >= since_dt]
        stamp = one("timestamps") == "true"
        body = b"".join((rfc3339nano(t).encode() + b" " if stamp else b"") + text + b"\n" for t, text in lines)
        h._send(200, body, "text/plain")

    def _deployment(self, name: str) -> dict:
        return {"kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": name, "namespace": self.state.namespace, "uid": f"uid-{name}"},
                "spec": {"replicas": 2, "selector": self.state.deployments[name],
                         "template": {"metadata": {"labels": self.state.deployments[name].get("matchLabels", {})},
                                      "spec": {"containers": [{"name": "api", "image": "shop/api:1.4.2"}]}}},
                "status": {"replicas": 2}}

    def _pod(self, pod: Pod) -> dict:
        statuses = []
        for c in pod.containers:
            s = {"name": c.name, "ready": True, "restartCount": c.restarts, "image": "shop/api:1.4.2",
                 "imageID": "", "state": c.state, "lastState": {}}
            if c.last_terminated:
                s["lastState"] = {"terminated": c.last_terminated}
            statuses.append(s)
        return {"kind": "Pod", "apiVersion": "v1",
                "metadata": {"name": pod.name, "namespace": self.state.namespace, "labels": pod.labels,
                             "uid": f"uid-{pod.name}"},
                "spec": {"containers": [{"name": c.name, "image": "shop/api:1.4.2"} for c in pod.containers],
                         **({"nodeName": pod.node} if pod.node else {})},
                "status": {"phase": pod.phase, "startTime": rfc3339(pod.start), "containerStatuses": statuses}}

    def _node(self, name: str) -> dict:
        return {"kind": "Node", "apiVersion": "v1", "metadata": {"name": name, "uid": f"uid-{name}"},
                "spec": {"podCIDR": "10.244.1.0/24"},
                "status": {"conditions": self.state.nodes[name],
                           "nodeInfo": {"architecture": "amd64", "bootID": f"boot-{name}", "machineID": f"m-{name}",
                                        "systemUUID": f"uuid-{name}", "containerRuntimeVersion": "containerd://1.7.22",
                                        "kernelVersion": "6.1.0-26-amd64", "kubeProxyVersion": "v1.31.2",
                                        "kubeletVersion": "v1.31.2", "operatingSystem": "linux",
                                        "osImage": "Debian GNU/Linux 12 (bookworm)"}}}

    def _event(self, e: Event, namespace: str | None = None) -> dict:
        ns = namespace or self.state.namespace
        obj_ns = "" if e.kind == "Node" else ns
        return {"kind": "Event", "apiVersion": "v1",
                "metadata": {"name": e.name, "namespace": ns},
                "involvedObject": {"kind": e.kind, "name": e.obj, "namespace": obj_ns},
                "reason": e.reason, "message": e.message, "type": e.type, "count": e.count,
                "firstTimestamp": rfc3339(e.first), "lastTimestamp": rfc3339(e.last),
                "eventTime": None if e.event_time is None else e.event_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "source": {"component": "kubelet"}, "reportingComponent": "", "reportingInstance": ""}


# -- the incident the tests replay: an OOM-killed API pod, a pool exhausted,
# hostile log lines and planted secrets; the tests collect over 10:00-11:00,
# and some of it lies on purpose before and after that window -----------------------

GH = "ghp_" + "Zq8Lm2Xv9Kp4Rt7Ws1Ny6Bc3Hd5Fg0Jk2Ea"
AWS_ID = "AKIAQ3EGUSLKX7ZT4P2N"
AWS_SECRET = "kW9mZp3Lr7Xq2Tv8Bn4Hc6Fd1Gs5Jy0Ua3Ee9Oi"
BEARER = "vXk3Pq9ZrT2mLw8NbY5cJd7FhG4sA1eQ"
DB_PASS = "S3cretPassw0rd"
PLAIN_PASS = "hunter2-Secret!"
JWT = ("eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ."
       "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDphcGkifQ."
       "Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHlfMTIzNDU2Nzg5MA")
SECRETS = [GH, AWS_ID, AWS_SECRET, BEARER, DB_PASS, PLAIN_PASS, JWT]

HOSTILE = [
    b"level=info msg=\"\x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07 \x1b]0;pwned title\x07\"",
    b"level=info msg=\"[bold red]not markup[/] and an unbalanced [/]\"",
    b"level=info msg=\"nul \x00 bel \x07 bs \x08 rlo \xe2\x80\xae evil\"",
    b"level=info msg=\"invalid utf-8 \xff\xfe\xc3\x28 here\"",
    b"level=info msg=\"" + b"A" * 100_000 + b"\"",
]


def api_log() -> list[tuple[dt.datetime, bytes]]:
    lines: list[tuple[dt.datetime, bytes]] = []
    t = at("09:50:00")
    while t < at("11:10:00"):  # steady info traffic, before, in and after the window
        lines.append((t, b'level=info msg="handled request" path=/api/v1/orders/123 status=200 dur=3.2ms'))
        t += dt.timedelta(seconds=20)
    lines.append((at("09:55:00"), b'level=error msg="early failure" code=7'))  # before the window
    t = at("10:15:02.5")
    while t <= at("10:33:59"):
        lines.append((t, b'level=error msg="connection pool exhausted" pool=orders waited=523ms active=64'))
        t += dt.timedelta(seconds=5)
    lines.append((at("10:33:59"), b'level=error msg="connection pool exhausted" pool=orders waited=999ms active=64'))
    lines.append((at("11:05:00"), b'level=error msg="late failure" code=9'))  # after the window
    for i, text in enumerate(HOSTILE):
        lines.append((at("10:10:00") + dt.timedelta(seconds=i), text))
    secret_lines = [
        b"level=error msg=\"db connect failed\" dsn=postgres://orders:" + DB_PASS.encode() + b"@db:5432/orders",
        b"ERROR upstream said 401 for Authorization: Bearer " + BEARER.encode(),
        b"level=error msg=\"push failed\" token=" + GH.encode(),
        b"level=error msg=\"s3 failed\" key=" + AWS_ID.encode() + b" aws_secret_access_key=" + AWS_SECRET.encode(),
        b"level=error msg=\"login failed\" password=" + PLAIN_PASS.encode() + b" \x1b[31m[bold]x[/]\x00",
        b"level=error msg=\"bad jwt\" jwt=" + JWT.encode(),
    ]
    for i, text in enumerate(secret_lines):
        lines.append((at("10:12:00") + dt.timedelta(seconds=i), text))
    lines.sort(key=lambda item: item[0])
    return lines


def incident_state() -> ClusterState:
    pod1 = Pod(
        name="api-7d9f8b6c5-x2x4z", labels={"app": "api", "tier": "backend"}, start=at("09:00:00"),
        containers=[
            Container("api", logs=api_log(), restarts=1,
                      previous=[(at("10:20:00"), b'level=fatal msg="out of memory" heap=2048MiB'),
                                (at("10:21:06"), b"panic: runtime error: index out of range [3] with length 3")],
                      last_terminated={"reason": "OOMKilled", "exitCode": 137, "startedAt": "2025-02-09T09:00:05Z",
                                       "finishedAt": "2025-02-09T10:21:07Z"}),
            Container("sidecar", logs=[(at("10:30:00"), b"INFO proxy ready"),
                                       (at("10:31:00"), b"ERROR upstream reset by peer 10.0.3.4:8080")]),
        ])
    pod2 = Pod(name="api-7d9f8b6c5-k8p2q", labels={"app": "api", "tier": "backend"}, start=at("09:00:00"),
               containers=[Container("api", logs=[(at("10:05:00"), b"level=info msg=started")], restarts=2,
                                     previous=None)])
    other = Pod(name="worker-1", labels={"app": "worker"}, start=at("09:00:00"),
                containers=[Container("worker", logs=[(at("10:05:00"), b"level=error msg=\"not ours\"")])])
    canary = Pod(name="api-canary", labels={"app": "api", "tier": "frontend"}, start=at("09:00:00"),
                 containers=[Container("api", logs=[(at("10:06:00"), b"level=error msg=\"canary, not selected\"")])])
    events = [
        Event("e1", "BackOff", "Back-off restarting failed container api in pod api-7d9f8b6c5-x2x4z", "Pod",
              "api-7d9f8b6c5-x2x4z", at("10:21:10"), at("10:25:00"), count=5, type="Warning"),
        Event("e2", "ScalingReplicaSet", "Scaled up replica set api-7d9f8b6c5 to 4", "Deployment", "api",
              at("10:40:00"), at("10:40:00")),
        Event("e3", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "Pod",
              "api-7d9f8b6c5-x2x4z", at("09:30:00"), at("09:31:00"), count=2, type="Warning"),
        Event("e4", "Pulled", "Container image already present on machine", "Pod", "api-7d9f8b6c5-x2x4z",
              at("10:21:08"), at("10:21:08")),
        Event("e5", "Killing", "Stopping container api", "Pod", "api-7d9f8b6c5-gone1", at("10:20:00"), at("10:20:00")),
        Event("e6", "Failed", "worker failed", "Pod", "worker-1", at("10:22:00"), at("10:22:00"), type="Warning"),
        Event("e7", "OOMKilling", "Memory cgroup out of memory: Killed process 4242 (api) " + "token=" + GH,
              "Pod", "api-7d9f8b6c5-x2x4z", None, None, type="Warning", event_time=at("10:21:05.250000")),
    ]
    return ClusterState(
        namespace="shop",
        deployments={"api": {"matchLabels": {"app": "api"},
                             "matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend"]}]}},
        pods=[pod1, pod2, other, canary], events=events)


class KubeIncident:
    """What the `kube_incident` fixture hands a test: the incident above
    (a fresh ClusterState each call, the api container's log), the secrets
    planted in it, and the types to build another state with."""

    SECRETS = SECRETS
    state = staticmethod(incident_state)
    api_log = staticmethod(api_log)
    ClusterState = ClusterState
    Pod = Pod
    Container = Container
    Event = Event
