"""The Node.js client (clients/node) end to end: the real `tributary` with deploy/mapping.yml and the JSON feed
socket, the example service (examples/node-service) with several cluster workers, a bounded load loop against it
on 127.0.0.1, and Debian's Prometheus scraping Tributary with alerts/ loaded.

Asserts: request counts summed over workers equal what the load loop sent (per route and status code); gauges of
different workers stay apart (worker label); every query of the bundled service, runtime and dependencies
dashboards returns series; the heap and event-loop alert rules (and their recording rules) evaluate without error
on the real data; `help` and `unit` given in JavaScript reach OpenMetrics and protobuf (and Prometheus's metadata).
Loopback only, bounded in count and time; stops only the processes it starts, by PID.
"""
import collections
import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest
import yaml

import promparse
from conftest import ROOT, PrometheusServer, Tributary, free_port, http_get, terminate

ALERTS = os.path.join(ROOT, "alerts")
DASHBOARDS = os.path.join(ROOT, "dashboards")
SERVICE = os.path.join(ROOT, "examples", "node-service", "server.js")
MAPPING = os.path.join(ROOT, "deploy", "mapping.yml")
OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
PROTOBUF = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
WORKERS = 3
REQUESTS = 1200
# What the load loop asks for, in turn: (method, path, route label the service reports).
PLAN = [("GET", "/api/users", "/api/users"), ("GET", "/api/users/%d", "/api/users/:id"),
        ("POST", "/api/orders", "/api/orders"), ("GET", "/api/checkout", "/api/checkout"),
        ("GET", "/api/users/%d", "/api/users/:id"), ("GET", "/nowhere", "unmatched")]
# Help and unit given in examples/node-service/server.js for a family no mapping rule names (so the JS help wins).
JS_FAMILY, JS_HELP, JS_UNIT = "http_response_size_bytes", "Size of HTTP response bodies in bytes, by route.", "bytes"


def node_binary():
    path = shutil.which("node") or shutil.which("nodejs")
    if not path:
        pytest.fail("node not installed (apt-get install nodejs; .ci/run does)")
    return path


class Process:
    """A child process we started, logging to a file; stopped by PID."""

    def __init__(self, args, log_dir, name, env=None):
        self.log_path = os.path.join(log_dir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def tail(self):
        self.log.flush()
        return open(self.log_path, "rb").read().decode(errors="replace")[-3000:]

    def stop(self):
        terminate(self.proc)
        self.log.close()


class NodeService(Process):
    def __init__(self, log_dir, socket_path, workers, extra_env=None):
        self.port = free_port()
        env = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1", WORKERS=str(workers),
                   TRIBUTARY_FEED_SOCKET=socket_path, TRIBUTARY_FEED_INTERVAL_MS="1000", RATE_LIMIT="100000")
        env.update(extra_env or {})
        super().__init__([node_binary(), SERVICE], log_dir, "node-service", env=env)
        self.workers = workers

    def request(self, method, path, timeout=5):
        """One request on a fresh connection (so the cluster spreads them over workers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=b"{}" if method == "POST" else None)
            r = conn.getresponse()
            r.read()
            return r.status, r.getheader("x-worker")
        finally:
            conn.close()

    def wait_ready(self, timeout=30):
        """Until /healthz answers from every worker."""
        deadline = time.time() + timeout
        seen = set()
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("node service exited: " + self.tail())
            try:
                status, worker = self.request("GET", "/healthz", timeout=1)
                if status == 200:
                    seen.add(worker)
                    if len(seen) >= self.workers:
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("workers ready: %s of %d\n%s" % (sorted(seen), self.workers, self.tail()))


class LoadLoop:
    """A bounded load loop on 127.0.0.1: `count` requests over `threads` threads (or until `seconds`)."""

    def __init__(self, service, count, threads=4, pause=0.0, plan=PLAN, seconds=None):
        self.service, self.count, self.pause, self.plan, self.seconds = service, count, pause, plan, seconds
        self.lock = threading.Lock()
        self.next = 0
        self.sent = collections.Counter()  # (route, status) -> answered requests
        self.workers = collections.Counter()
        self.errors = []
        self.latencies = []  # (start time, seconds, status)
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def start(self):
        self.started = time.time()
        for t in self.threads:
            t.start()
        return self

    def run(self):
        while True:
            with self.lock:
                i = self.next
                if i >= self.count or (self.seconds and time.time() - self.started > self.seconds):
                    return
                self.next += 1
            method, path, route = self.plan[i % len(self.plan)]
            if "%d" in path:
                path = path % (i % 50 + 1)
            t0 = time.time()
            try:
                status, worker = self.service.request(method, path)
            except Exception as e:  # noqa: BLE001 - every failure is a test failure, recorded with its request
                with self.lock:
                    self.errors.append("%s %s: %r" % (method, path, e))
                continue
            with self.lock:
                self.sent[(route, method, str(status))] += 1
                self.workers[worker] += 1
                self.latencies.append((t0, time.time() - t0, status))
            if self.pause:
                time.sleep(self.pause)

    def join(self, timeout=120):
        for t in self.threads:
            t.join(timeout)
        assert not any(t.is_alive() for t in self.threads), "load loop did not finish"
        return self


def read_varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def protobuf_families(data):
    """Decodes delimited io.prometheus.client.MetricFamily messages: {name: {"help", "unit", "type"}} (the fields
    1 name, 2 help, 3 type, 5 unit of client_model's metrics.proto; metrics themselves are skipped)."""
    families, i = {}, 0
    while i < len(data):
        length, i = read_varint(data, i)
        end, fam = i + length, {}
        while i < end:
            key, i = read_varint(data, i)
            field, wire = key >> 3, key & 7
            if wire == 0:
                value, i = read_varint(data, i)
            elif wire == 2:
                n, i = read_varint(data, i)
                value, i = data[i:i + n], i + n
            elif wire == 1:
                value, i = data[i:i + 8], i + 8
            elif wire == 5:
                value, i = data[i:i + 4], i + 4
            else:
                raise ValueError("unexpected wire type %d" % wire)
            if field in (1, 2, 5) and wire == 2:
                fam[{1: "name", 2: "help", 5: "unit"}[field]] = value.decode()
            elif field == 3 and wire == 0:
                fam["type"] = value
        families[fam.get("name")] = fam
    return families


def panels(dashboard):
    for p in dashboard["panels"]:
        yield p
        for inner in p.get("panels", []):
            yield inner


def substitute(expr):
    for var, value in (("$__rate_interval", "1m"), ("$__interval", "15s"), ("$__range", "1h"),
                       ("$datasource", "prometheus"), ("$instance", ".*"), ("$route", ".*"), ("$job", ".*")):
        expr = expr.replace(var, value)
    return expr


def dashboard_queries(names):
    queries = []
    for name in names:
        d = json.load(open(os.path.join(DASHBOARDS, name + ".json")))
        for panel in panels(d):
            for t in panel.get("targets", []):
                queries.append((name, panel["title"], t["expr"]))
        for v in d["templating"]["list"]:
            if v["type"] == "query":
                metric = re.match(r"label_values\((.+),\s*\w+\)$", v["query"]["query"]).group(1)
                queries.append((name, "variable " + v["name"], metric))
    return queries


class Stack:
    """Tributary (mapping, JSON feed, OpenMetrics on) + the example service + Prometheus with alerts/."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="node-client-e2e-")
        self.started = []
        self.socket = os.path.join(self.tmp, "feed.sock")
        # As deploy/ runs it: text and protobuf. (With --web.enable-openmetrics, Prometheus 2.x reads bucket bounds
        # as written in OpenMetrics, le="1.0", and the dashboards' le="1" selectors find nothing.)
        self.tributary = Tributary(extra_args=["--statsd.mapping-config=" + MAPPING, "--json.listen-unix=" + self.socket],
                                   udp=False, tcp=False)
        self.started.append(self.tributary)
        self.tributary.wait_ready()
        self.service = NodeService(self.tmp, self.socket, WORKERS)
        self.started.append(self.service)
        self.service.wait_ready()
        port = free_port()
        config = os.path.join(self.tmp, "prometheus.yml")
        with open(config, "w") as f:
            yaml.safe_dump({"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                            "rule_files": [os.path.join(ALERTS, "*.yml")],
                            "scrape_configs": [{"job_name": "tributary", "static_configs": [
                                {"targets": ["127.0.0.1:%d" % self.tributary.http_port]}]}]}, f)
        prometheus = shutil.which("prometheus")
        if not prometheus:
            pytest.fail("prometheus not installed (apt-get install prometheus; .ci/run does)")
        self.prometheus = Process([prometheus, "--config.file=" + config,
                                   "--storage.tsdb.path=" + os.path.join(self.tmp, "data"),
                                   "--web.listen-address=127.0.0.1:%d" % port], self.tmp, "prometheus")
        self.started.append(self.prometheus)
        self.api = "http://127.0.0.1:%d/api/v1/" % port

    def get(self, path):
        try:
            status, _, body = http_get(self.api + path, timeout=5)
        except OSError:
            return None
        return json.loads(body) if status in (200, 400, 422) else None

    def query(self, expr):
        answer = self.get("query?query=" + urllib.parse.quote(expr))
        if answer is None:
            return None
        assert answer["status"] == "success", (expr, answer)
        return answer["data"]["result"]

    def stop(self):
        for p in reversed(self.started):
            p.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    try:
        s.load = LoadLoop(s.service, REQUESTS, threads=4).start().join()
        yield s
    finally:
        s.stop()


def tributary_counts(samples):
    """Requests per (route, method, status code) in Tributary, without the readiness probes' /healthz."""
    counts = collections.Counter()
    for (name, labels), value in samples.items():
        if name == "http_request_duration_seconds_count" and dict(labels)["route"] != "/healthz":
            d = dict(labels)
            counts[(d["route"], d["method"], d["status_code"])] += value
    return counts


def test_request_counts_summed_over_workers_equal_what_was_sent(stack):
    load = stack.load
    assert not load.errors, load.errors[:5]
    assert sum(load.sent.values()) == REQUESTS
    assert len(load.workers) == WORKERS, load.workers  # every worker answered part of the load
    sent = {k: float(v) for k, v in load.sent.items()}
    samples = stack.tributary.wait_for(lambda s: tributary_counts(s) == sent, timeout=30)
    # The histogram has no worker label: Tributary adds the workers' observations into one series per route.
    assert tributary_counts(samples) == sent
    # Through Prometheus too (the last scrape after the load).
    deadline, total = time.time() + 30, None
    while time.time() < deadline:
        result = stack.query('sum(http_request_duration_seconds_count{job="tributary", route!="/healthz"})')
        total = float(result[0]["value"][1]) if result else None
        if total == REQUESTS:
            break
        time.sleep(0.5)
    assert total == REQUESTS, total
    # Nothing was dropped by the clients, nothing rejected by Tributary.
    assert sum(v for (n, _), v in samples.items() if n == "feed_client_dropped_samples_total") == 0
    assert sum(v for (n, _), v in samples.items() if n == "tributary_json_errors_total") == 0
    assert samples[promparse.key("tributary_json_samples_total")] > REQUESTS


def test_gauges_of_different_workers_stay_apart(stack):
    samples = stack.tributary.samples()
    for name in ("nodejs_heap_size_used_bytes", "nodejs_heap_size_limit_bytes", "db_pool_max_connections"):
        workers = {dict(labels).get("worker") for (n, labels), _ in samples.items() if n == name}
        assert workers == {str(i) for i in range(WORKERS)}, (name, workers)
    rss = {dict(labels)["worker"]: v for (n, labels), v in samples.items()
           if n == "process_resident_memory_bytes" and dict(labels).get("process") == "app"}
    assert len(rss) == WORKERS and all(v > 10e6 for v in rss.values()), rss
    # prom-client's label sets: version info, heap spaces, GC kinds, handles by type.
    version = [dict(labels) for (n, labels), _ in samples.items() if n == "nodejs_version_info"]
    assert version and {"version", "major", "minor", "patch", "worker"} == set(version[0]), version
    spaces = {dict(labels)["space"] for (n, labels), _ in samples.items() if n == "nodejs_heap_space_size_used_bytes"}
    assert {"new", "old", "code"} <= spaces, spaces
    assert any(n == "nodejs_active_handles" and "type" in dict(labels) for (n, labels), _ in samples.items())


def test_every_dashboard_query_returns_series(stack):
    queries = dashboard_queries(["service", "runtime", "dependencies"])
    assert len(queries) > 30
    empty, deadline = queries, time.time() + 60
    while time.time() < deadline:
        empty = [(d, title, expr) for d, title, expr in empty if not stack.query(substitute(expr))]
        if not empty:
            break
        time.sleep(1)
    assert not empty, "dashboard queries without series: %s" % json.dumps(empty, indent=1)


def test_heap_and_event_loop_alert_rules_evaluate_on_the_real_data(stack):
    wanted = {"NodejsHeapNearLimit", "NodejsEventLoopLagHigh", "instance:nodejs_heap_size_used_per_limit:ratio",
              "instance:nodejs_eventloop_lag_seconds:p99_rate5m", "instance:nodejs_gc_duration_seconds:rate5m"}
    deadline, rules = time.time() + 60, {}
    while time.time() < deadline:
        data = stack.get("rules")
        rules = {}
        if data:
            for g in data["data"]["groups"]:
                for r in g["rules"]:
                    if r["name"] in wanted:
                        rules.setdefault(r["name"], []).append(r)
        done = set(rules) == wanted and all(r["health"] == "ok" and r.get("lastEvaluation", "").startswith("20")
                                            for rs in rules.values() for r in rs)
        if done and stack.query("instance:nodejs_heap_size_used_per_limit:ratio") and \
                stack.query("instance:nodejs_eventloop_lag_seconds:p99_rate5m"):
            break
        time.sleep(1)
    assert set(rules) == wanted, sorted(rules)
    for rs in rules.values():
        for r in rs:
            assert r["health"] == "ok" and not r.get("lastError"), r
    # The recording rules have values from the real data, and sane ones.
    ratio = stack.query("instance:nodejs_heap_size_used_per_limit:ratio")
    assert ratio and all(0 < float(r["value"][1]) < 0.7 for r in ratio), ratio  # a healthy service: no alert
    lag = stack.query("instance:nodejs_eventloop_lag_seconds:p99_rate5m")
    assert lag and all(0 <= float(r["value"][1]) < 1 for r in lag), lag
    # The alert expressions themselves evaluate. The heap is far from its limit, so that alert is silent; the lag
    # alert depends on how busy the machine is, so it only has to agree with its recording rule.
    for rule in rules["NodejsHeapNearLimit"]:
        assert stack.query(rule["query"]) == [] and rule["state"] == "inactive", rule
    for rule in rules["NodejsEventLoopLagHigh"]:
        assert all(float(r["value"][1]) > 0.1 for r in stack.query(rule["query"])), rule


# A metric declared in JavaScript with help and unit, written by the client from a plain Node.js process into a
# Tributary with OpenMetrics on (no mapping rule names these families, so the JS help is the family's help).
JS_SCRIPT = r"""
const t = require(process.argv[1]);
const client = new t.Client({ socketPath: process.argv[2], worker: null });
const size = new t.Histogram({ name: 'upload_size_bytes', help: 'Size of uploads in bytes.', unit: 'bytes',
  labelNames: ['kind'], buckets: [1024, 65536, 1048576], client, enableExemplars: true });
const jobs = new t.Counter({ name: 'jobs_processed_total', help: 'Jobs processed, by queue.', labelNames: ['queue'],
  client });
const temp = new t.Gauge({ name: 'room_temperature_celsius', help: 'Room temperature.', unit: 'celsius', client });
size.observe({ kind: 'image' }, 2048, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
size.observe({ kind: 'image' }, 100);
jobs.inc({ queue: 'mail' }, 3, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
temp.set(21.5);
client.close(3000).then(() => console.log(JSON.stringify(client.stats())));
"""
JS_METRICS = {"upload_size_bytes": ("Size of uploads in bytes.", "bytes"),
              "room_temperature_celsius": ("Room temperature.", "celsius")}


@pytest.fixture(scope="module")
def openmetrics_feed(tributary_factory_module):
    tmp = tempfile.mkdtemp(prefix="node-client-om-")
    sock = os.path.join(tmp, "feed.sock")
    t = tributary_factory_module(extra_args=["--json.listen-unix=" + sock, "--web.enable-openmetrics"])
    r = subprocess.run([node_binary(), "-e", JS_SCRIPT, os.path.join(ROOT, "clients", "node"), sock],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    stats = json.loads(r.stdout.strip().splitlines()[-1])
    assert stats["droppedTotal"] == 0 and stats["sentSamples"] == 4, stats
    t.wait_for(lambda s: s.get(promparse.key("room_temperature_celsius")) == 21.5)
    yield t
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def tributary_factory_module():
    started = []

    def start(extra_args):
        t = Tributary(extra_args=extra_args, udp=False, tcp=False)
        started.append(t)
        t.wait_ready()
        return t

    yield start
    for t in started:
        t.stop()


def openmetrics_text(t):
    status, hdrs, body = http_get(t.base + "/metrics", headers={"Accept": OPENMETRICS})
    assert status == 200 and hdrs["Content-Type"].startswith("application/openmetrics-text"), hdrs
    return body.decode()


def protobuf_scrape(t):
    status, hdrs, body = http_get(t.base + "/metrics", headers={"Accept": PROTOBUF})
    assert status == 200 and hdrs["Content-Type"].startswith("application/vnd.google.protobuf"), hdrs
    return protobuf_families(body)


def prometheus_metadata(api, metric, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _, body = http_get(api + "metadata?metric=" + metric, timeout=2)
            if status == 200:
                entries = json.loads(body)["data"].get(metric)
                if entries:
                    return entries[0]
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("no metadata for %s in Prometheus" % metric)


def test_help_given_in_javascript_reaches_openmetrics_protobuf_and_prometheus(stack, openmetrics_feed):
    text = openmetrics_text(openmetrics_feed)
    for family, (help_, _) in JS_METRICS.items():
        assert "# HELP %s %s\n" % (family, help_) in text, family
    assert "# HELP jobs_processed Jobs processed, by queue.\n# TYPE jobs_processed counter\n" in text or \
        "# TYPE jobs_processed counter\n# HELP jobs_processed Jobs processed, by queue.\n" in text
    # Exemplars given as { traceId, spanId } in JS, on a counter and on a histogram bucket.
    assert 'jobs_processed_total{queue="mail"} 3 # {trace_id="0af7651916cd43dd8448eb211c80319c",' \
           'span_id="b7ad6b7169203331"} 3 ' in text
    assert 'upload_size_bytes_bucket{kind="image",le="65536.0"} 2 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} ' \
           '2048' in text or 'upload_size_bytes_bucket{kind="image",le="65536"} 2 # {trace_id=' \
           '"4bf92f3577b34da6a3ce929d0e0e4736"} 2048' in text, \
        [line for line in text.splitlines() if line.startswith("upload_size_bytes_bucket")]
    for family, (help_, _) in JS_METRICS.items():
        assert protobuf_scrape(openmetrics_feed)[family]["help"] == help_, family
    # The example service's families (text and protobuf scrapes of the cluster's Tributary) ...
    assert protobuf_scrape(stack.tributary)[JS_FAMILY]["help"] == JS_HELP
    assert "# HELP %s %s\n" % (JS_FAMILY, JS_HELP) in stack.tributary.scrape()
    # ... reach Prometheus: from its text scrape ...
    assert prometheus_metadata(stack.api, JS_FAMILY)["help"] == JS_HELP
    # ... and from a protobuf scrape (Prometheus asks for protobuf with native histograms on, as in
    # test_exposition.py).
    server = PrometheusServer(["127.0.0.1:%d" % stack.tributary.http_port], features=("native-histograms",))
    try:
        assert prometheus_metadata(server.api, JS_FAMILY)["help"] == JS_HELP
    finally:
        server.__exit__(None, None, None)


def test_unit_given_in_javascript_reaches_openmetrics_and_protobuf(openmetrics_feed):
    text = openmetrics_text(openmetrics_feed)
    families = protobuf_scrape(openmetrics_feed)
    for family, (_, unit) in JS_METRICS.items():
        assert "# UNIT %s %s\n" % (family, unit) in text, \
            [line for line in text.splitlines() if family in line and line.startswith("#")]
        assert families[family].get("unit") == unit, families.get(family)
