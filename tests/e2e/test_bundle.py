"""The bundle (alerts/, dashboards/, deploy/) checked statically and proven against a real Prometheus.

Static: promtool check/test rules, runbook entries, dashboards' structure and a grafana-foundation-sdk round trip,
generated files in sync, manifests parse, bucket matchers that hold on Prometheus 3, a job per service, pinned
images, expiring gauges, the sample limit in step with its alert. Live: Tributary with deploy/mapping.yml +
`tributary demo` (normal on two pods, slow, errors, memory), scraped as the PodMonitor implies (a job per service,
the Operator's target labels) by two Debian `prometheus` servers on loopback with alerts/ loaded, one storing
classic histograms, one with native histograms on (2.42 then keeps only the native histogram): on each, every rule
healthy, every dashboard query returns series, each bad scenario drives its alerts pending or firing while the
normal service stays quiet. Bounded; stops only what it starts.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import socket
import tempfile
import threading
import time
import urllib.parse

import pytest
import yaml

from conftest import ROOT, Tributary, binary_path, free_port, http_get, terminate

ALERTS = os.path.join(ROOT, "alerts")
DASHBOARDS = os.path.join(ROOT, "dashboards")
DEPLOY = os.path.join(ROOT, "deploy")
RULE_FILES = sorted(glob.glob(os.path.join(ALERTS, "*.yml")))
DASHBOARD_FILES = sorted(glob.glob(os.path.join(DASHBOARDS, "*.json")))


def require(tool):
    path = shutil.which(tool)
    if not path:
        pytest.fail("%s not installed (apt-get install prometheus)" % tool)
    return path


def alert_rules():
    for path in RULE_FILES:
        for group in yaml.safe_load(open(path))["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    yield rule


def panels(dashboard):
    for p in dashboard["panels"]:
        yield p
        for inner in p.get("panels", []):
            yield inner


# --- alerts/ -------------------------------------------------------------------------------------------------------

def test_promtool_check_rules_is_clean():
    r = subprocess.run([require("promtool"), "check", "rules"] + RULE_FILES, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING" not in (r.stdout + r.stderr).upper(), r.stdout + r.stderr


def test_promtool_test_rules_passes():
    tests = sorted(glob.glob(os.path.join(ALERTS, "tests", "*.yml")))
    r = subprocess.run([require("promtool"), "test", "rules"] + tests, capture_output=True, text=True,
                       timeout=120, cwd=os.path.join(ALERTS, "tests"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_alert_is_documented_and_unit_tested():
    runbook = open(os.path.join(ALERTS, "runbook.md")).read()
    headings = {line[3:].strip().lower() for line in runbook.splitlines() if line.startswith("## ")}
    fires, silent = {}, set()
    for path in glob.glob(os.path.join(ALERTS, "tests", "*.yml")):
        for case in yaml.safe_load(open(path))["tests"]:
            for t in case.get("alert_rule_test", []):
                if t.get("exp_alerts"):
                    for a in t["exp_alerts"]:
                        fires.setdefault(t["alertname"], set()).add(a["exp_labels"]["severity"])
                else:
                    silent.add(t["alertname"])
    names = set()
    for rule in alert_rules():
        name = rule["alert"]
        names.add(name)
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", name), name
        assert "for" in rule, name
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), name
        ann = rule["annotations"]
        for key in ("summary", "description", "runbook_url"):
            assert ann.get(key), (name, key)
        assert "{{" not in ann["summary"], "summary must be static: %s" % name
        assert "{{" in ann["description"], "description should be templated: %s" % name
        anchor = ann["runbook_url"].split("#")[1]
        assert anchor == name.lower() and anchor in headings, (name, anchor)
        assert rule["labels"]["severity"] in fires.get(name, set()), "no firing test for %s %s" % (
            name, rule["labels"]["severity"])
        assert name in silent, "no silent test for %s" % name
    assert headings == {n.lower() for n in names}, "runbook entries without an alert: %s" % (
        headings - {n.lower() for n in names})


def test_recording_rules_follow_level_metric_operation():
    for path in RULE_FILES:
        for group in yaml.safe_load(open(path))["groups"]:
            for rule in group["rules"]:
                if "record" in rule:
                    assert re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", rule["record"]), rule["record"]


# --- dashboards/ ---------------------------------------------------------------------------------------------------

def test_dashboards_are_generated_and_in_sync():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_dashboards.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_dashboards_structure():
    assert len(DASHBOARD_FILES) == 4
    uids = set()
    for path in DASHBOARD_FILES:
        d = json.load(open(path))
        assert re.fullmatch(r"[a-z0-9-]{1,40}", d["uid"]) and d["uid"] not in uids, path
        uids.add(d["uid"])
        assert d["schemaVersion"] >= 39 and d["title"] and d["description"]
        variables = {v["name"]: v for v in d["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
        assert {"job", "instance"} <= set(variables)
        ids = set()
        for p in panels(d):
            assert p["id"] not in ids
            ids.add(p["id"])
            if p["type"] == "row":
                continue
            where = "%s: %s" % (os.path.basename(path), p.get("title"))
            assert p.get("title") and p.get("description"), where
            assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, where
            assert p["fieldConfig"]["defaults"].get("unit"), where
            assert p.get("targets"), "panel without a query: " + where
            for t in p["targets"]:
                expr = t["expr"]
                assert expr.strip() and t["datasource"]["uid"] == "${datasource}", where
                for window in re.findall(r"\brate\([^\[]*\[([^\]]+)\]", expr) + \
                        re.findall(r"\bincrease\([^\[]*\[([^\]]+)\]", expr):
                    assert window == "$__rate_interval", (where, expr)
                if not re.match(r"^1? ?-? ?[a-z_]+:[a-z0-9_]+:", expr.strip()):
                    assert '$job' in expr and '$instance' in expr, (where, expr)
    for uid in ("tributary-service", "tributary-runtime", "tributary-dependencies", "tributary-health"):
        assert uid in uids


def test_dashboards_round_trip_through_grafana_foundation_sdk():
    try:
        from grafana_foundation_sdk.cog.encoder import JSONEncoder
        from grafana_foundation_sdk.models.dashboard import Dashboard
    except ImportError:
        pytest.fail("grafana-foundation-sdk not installed (pip install grafana-foundation-sdk; .ci/run does)")

    def keys(o, prefix=""):
        found = set()
        if isinstance(o, dict):
            for k, v in o.items():
                found.add(prefix + "/" + k)
                found |= keys(v, prefix + "/" + k)
        elif isinstance(o, list):
            for v in o:
                found |= keys(v, prefix + "[]")
        return found

    for path in DASHBOARD_FILES:
        original = json.load(open(path))
        model = Dashboard.from_json(original)
        again = json.loads(json.dumps(model, cls=JSONEncoder))
        dropped = keys(original) - keys(again)
        assert not dropped, "%s: keys the SDK does not know (misspelt?): %s" % (path, sorted(dropped))
        assert again["uid"] == original["uid"] and len(again["panels"]) == len(original["panels"])


def test_grafana_provisioning_points_at_the_dashboards():
    prov = os.path.join(DASHBOARDS, "provisioning")
    ds = yaml.safe_load(open(os.path.join(prov, "datasources", "prometheus.yml")))
    assert ds["apiVersion"] == 1 and ds["datasources"][0]["type"] == "prometheus"
    dash = yaml.safe_load(open(os.path.join(prov, "dashboards", "tributary.yml")))
    assert dash["providers"][0]["type"] == "file" and dash["providers"][0]["options"]["path"]


# --- deploy/ -------------------------------------------------------------------------------------------------------

def test_prometheusrule_is_generated_from_alerts_and_in_sync():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_kubernetes.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    rule = yaml.safe_load(open(os.path.join(DEPLOY, "kubernetes", "prometheusrule.yml")))
    assert rule["kind"] == "PrometheusRule"
    expected = [g["name"] for p in RULE_FILES for g in yaml.safe_load(open(p))["groups"]]
    assert [g["name"] for g in rule["spec"]["groups"]] == expected


def test_manifests_parse_and_are_hardened():
    docs = []
    for path in glob.glob(os.path.join(DEPLOY, "**", "*.y*ml"), recursive=True):
        docs.extend((path, d) for d in yaml.safe_load_all(open(path)) if d is not None)
    kinds = {d.get("kind") for _, d in docs}
    assert {"Deployment", "ConfigMap", "PodMonitor", "PrometheusRule"} <= kinds, kinds
    deployments = [(p, d) for p, d in docs if d.get("kind") == "Deployment"]
    assert len(deployments) == 2  # native sidecar and plain container
    native = 0
    for path, d in deployments:
        spec = d["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, path
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", path
        sidecars = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == "tributary"]
        assert len(sidecars) == 1, path
        c = sidecars[0]
        native += c.get("restartPolicy") == "Always"
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"], path
        assert sc["capabilities"]["drop"] == ["ALL"], path
        assert c["livenessProbe"]["httpGet"]["path"] == "/-/healthy", path
        assert c["readinessProbe"]["httpGet"]["path"] == "/-/ready", path
        assert c["resources"]["requests"] and c["resources"]["limits"], path
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes["metrics-socket"], path
        # --storage.path is a mounted emptyDir (writable under readOnlyRootFilesystem; kept over container restarts).
        storage = [a.split("=", 1)[1] for a in c["args"] if a.startswith("--storage.path=")]
        assert len(storage) == 1, path
        mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
        assert "emptyDir" in volumes[mounts[storage[0]]], path
        for container in spec.get("initContainers", []) + spec["containers"]:
            assert any(m["name"] == "metrics-socket" for m in container["volumeMounts"]), (path, container["name"])
    assert native == 1


def test_compose_and_dockerfile_reference_existing_files():
    compose = yaml.safe_load(open(os.path.join(DEPLOY, "compose", "compose.yml")))
    services = compose["services"]
    assert {"demo", "tributary", "prometheus", "alertmanager", "grafana"} <= set(services)
    base = os.path.join(DEPLOY, "compose")
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert os.path.exists(os.path.normpath(os.path.join(base, source))), (name, source)
        build = service.get("build")
        if build:
            context = os.path.normpath(os.path.join(base, build["context"]))
            assert os.path.exists(os.path.join(context, build["dockerfile"])), (name, build)
    prom = yaml.safe_load(open(os.path.join(base, "prometheus.yml")))
    assert prom["rule_files"] and prom["scrape_configs"]
    docker = open(os.path.join(DEPLOY, "Dockerfile")).read()
    assert docker.count("FROM ") >= 2 and "--static-swift-stdlib" in docker and "USER " in docker
    for line in docker.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for src in line.split()[1:-1]:
                if not src.startswith("--"):
                    assert glob.glob(os.path.join(ROOT, src)), src
    unit = open(os.path.join(DEPLOY, "systemd", "tributary.service")).read()
    assert "ExecStart=" in unit and "DynamicUser=yes" in unit


def test_recommended_mapping_is_valid():
    r = subprocess.run([binary_path(), "--statsd.mapping-config=" + os.path.join(DEPLOY, "mapping.yml"),
                        "--check-config"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


def rule_exprs():
    for path in RULE_FILES:
        for group in yaml.safe_load(open(path))["groups"]:
            for rule in group["rules"]:
                yield rule.get("record") or rule.get("alert"), rule["expr"]


def dashboard_exprs():
    for path in DASHBOARD_FILES:
        for p in panels(json.load(open(path))):
            for t in p.get("targets", []):
                yield "%s: %s" % (os.path.basename(path), p["title"]), t["expr"]


def test_bucket_matchers_hold_on_prometheus_3():
    """Prometheus 3 stores classic bucket bounds as floats (le="1.0"): an exact le matcher matches nothing there."""
    for where, expr in list(rule_exprs()) + list(dashboard_exprs()):
        exact = re.findall(r'\ble\s*=\s*"([^"]*)"', expr)
        assert not exact, "exact le matcher %s in %s (use le=~\"1|1\\\\.0\")" % (exact, where)
        for bound in re.findall(r'\ble\s*=~\s*"([^"]*)"', expr):
            pattern = re.compile(bound.replace("\\\\", "\\"))
            assert pattern.fullmatch("1") and pattern.fullmatch("1.0") and not pattern.fullmatch("100"), (where, bound)


def test_every_histogram_read_has_a_native_fallback():
    """A rule or panel on _bucket/_count/_sum also reads the native histogram, which is all Prometheus keeps when
    native histograms are on and classic buckets are not kept."""
    for where, expr in list(rule_exprs()) + list(dashboard_exprs()):
        for metric in set(re.findall(r"\b(\w+_seconds)_(?:bucket|count|sum)\b", expr)):
            # the bare name is the native histogram, read after an `or`
            assert re.search(r"\sor\b.*\b%s[{\[]" % metric, expr, re.S), (where, metric, expr)


def kubernetes_docs():
    docs = []
    for path in glob.glob(os.path.join(DEPLOY, "kubernetes", "*.yml")):
        docs.extend(d for d in yaml.safe_load_all(open(path)) if d)
    return docs


def test_podmonitor_gives_each_service_its_job():
    docs = kubernetes_docs()
    [pm] = [d for d in docs if d["kind"] == "PodMonitor"]
    job_label = pm["spec"].get("jobLabel")
    assert job_label, "without jobLabel every pod's job is <namespace>/%s and services merge" % pm["metadata"]["name"]
    assert pm["spec"].get("scrapeClassicHistograms") is True
    selector = pm["spec"]["selector"]["matchLabels"]
    jobs = []
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        labels = d["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), d["metadata"]["name"]
        assert labels.get(job_label), "%s: pods lack %s, their job would be empty" % (d["metadata"]["name"], job_label)
        jobs.append(labels[job_label])
    assert len(jobs) == len(set(jobs)) == 2, jobs
    # The self alerts select what the Operator sets: container = the port's container, which is Tributary's.
    for d in docs:
        if d["kind"] == "Deployment":
            spec = d["spec"]["template"]["spec"]
            owners = [c["name"] for c in spec.get("initContainers", []) + spec["containers"]
                      for port in c.get("ports", []) if port["name"] == pm["spec"]["podMetricsEndpoints"][0]["port"]]
            assert owners == ["tributary"], owners
    selectors = open(os.path.join(ALERTS, "tributary-alerts.yml")).read()
    assert 'up{container="tributary"}' in selectors and 'up{job="tributary"}' in selectors


def test_sample_limit_alert_matches_the_shipped_limits():
    [pm] = [d for d in kubernetes_docs() if d["kind"] == "PodMonitor"]
    compose = yaml.safe_load(open(os.path.join(DEPLOY, "compose", "prometheus.yml")))
    [app_job] = [j for j in compose["scrape_configs"] if j["job_name"] != "prometheus"]
    alert = [r for r in alert_rules() if r["alert"] == "TributaryNearSampleLimit"][0]
    limit = int(re.search(r"scrape_samples_scraped / (\d+)", alert["expr"]).group(1))
    assert pm["spec"]["sampleLimit"] == app_job["sample_limit"] == limit
    # The job is the application's, the target is marked as Tributary's; classic buckets are kept.
    assert app_job["job_name"] != "tributary"
    assert all(c["labels"]["container"] == "tributary" for c in app_job["static_configs"])
    assert app_job["always_scrape_classic_histograms"] is True


def test_tributary_images_are_pinned_to_the_release():
    version = re.search(r'current = "([^"]+)"', open(os.path.join(
        ROOT, "Sources", "TributaryServer", "Lifecycle", "TributaryVersion.swift")).read()).group(1)
    images = []
    for d in kubernetes_docs():
        if d["kind"] == "Deployment":
            spec = d["spec"]["template"]["spec"]
            images += [c["image"] for c in spec.get("initContainers", []) + spec["containers"]
                       if c["name"] == "tributary"]
        if d["kind"] == "Kustomization":
            [entry] = [i for i in d["images"] if i["name"] == "ghcr.io/tributary/tributary"]
            assert entry["newTag"] == version, entry
    assert images and all(i == "ghcr.io/tributary/tributary:" + version for i in images), images
    for path in glob.glob(os.path.join(DEPLOY, "**", "*.y*ml"), recursive=True):
        assert ":latest" not in open(path).read(), path


def test_gauges_expire():
    """A gauge the application stops sending must disappear, not freeze at its last value."""
    mapping = yaml.safe_load(open(os.path.join(DEPLOY, "mapping.yml")))
    gauges = [r for r in mapping["mappings"] if r.get("match_metric_type") == "gauge"]
    assert gauges and all(r.get("ttl") not in (None, "0s", "0", 0) for r in gauges), \
        [r["match"] for r in gauges if r.get("ttl") in (None, "0s", "0", 0)]
    # Both spellings of a gauge (StatsD and the JSON feed's Prometheus name) expire, as Tributary reads the file.
    lines = ["nodejs.heap.size.used.bytes:1|g", "nodejs_heap_size_used_bytes:1|g", "db.pool.active:1|g|#pool:p",
             "db_pool_pending_requests:1|g|#pool:p", "circuitbreaker.state:1|g|#breaker:b", "circuitbreaker_state:1|g"]
    r = subprocess.run([binary_path(), "explain", "--json", "--statsd.mapping-config",
                        os.path.join(DEPLOY, "mapping.yml")] + lines, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    ttls = [m["ttl_seconds"] for line in json.loads(r.stdout) for m in line["results"] for m in [m["mapping"]]]
    assert len(ttls) == len(lines) and all(t > 0 for t in ttls), ttls


# Keys of deploy/compose/prometheus.yml (Prometheus 3) that Debian's Prometheus 2.42 does not know.
PROM3_ONLY_KEYS = {"always_scrape_classic_histograms"}


def without_prom3_only_keys(config):
    return {**config, "scrape_configs": [{k: v for k, v in job.items() if k not in PROM3_ONLY_KEYS}
                                         for job in config["scrape_configs"]]}


def test_compose_prometheus_config_is_valid_except_prometheus_3_keys(tmp_path):
    """The compose file runs Prometheus 3; Debian's 2.42 rejects its always_scrape_classic_histograms (named
    scrape_classic_histograms in 2.45-2.55, absent before), and only that: without it the config is valid."""
    promtool = require("promtool")
    config = yaml.safe_load(open(os.path.join(DEPLOY, "compose", "prometheus.yml")))
    full, stripped = tmp_path / "full.yml", tmp_path / "stripped.yml"
    full.write_text(yaml.safe_dump(config))
    stripped.write_text(yaml.safe_dump(without_prom3_only_keys(config)))
    r = subprocess.run([promtool, "check", "config", str(full)], capture_output=True, text=True, timeout=30)
    version = subprocess.run([promtool, "--version"], capture_output=True, text=True).stdout
    if r.returncode != 0:
        errors = re.findall(r"field (\w+) not found", r.stdout + r.stderr)
        assert errors and set(errors) <= PROM3_ONLY_KEYS, r.stdout + r.stderr
    else:  # only Prometheus 3 knows the key; then the live test's native server could keep classic buckets too
        assert version.startswith("promtool, version 3."), version
    r = subprocess.run([promtool, "check", "config", str(stripped)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


# --- the real Prometheus -------------------------------------------------------------------------------------------

class Process:
    """A child process on loopback, stopped by PID."""

    def __init__(self, args, log_dir, name):
        self.log_path = os.path.join(log_dir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    def tail(self):
        self.log.flush()
        return open(self.log_path, "rb").read().decode(errors="replace")[-3000:]

    def stop(self):
        terminate(self.proc)
        self.log.close()


def substitute(expr):
    for var, value in (("$__rate_interval", "1m"), ("$__interval", "15s"), ("$__range", "1h"),
                       ("$datasource", "prometheus"), ("$instance", ".*"), ("$route", ".*"), ("$job", ".*")):
        expr = expr.replace(var, value)
    return expr


# The services of the live test: scenario and pods. "orders" is the healthy one, on two pods like the Deployments.
SERVICES = {"orders": ("normal", 2), "slow": ("slow", 1), "errors": ("errors", 1), "memory": ("memory", 1)}
# Lines the demo does not send but the naming convention has (and the dashboards show): event-loop utilisation,
# pool pending requests, application CPU. Sent by the test, as an application would.
EXTRA_LINES = [b"nodejs.eventloop.utilization:0.35|g", b"db.pool.pending:1|g|#pool:main", b"process.cpu.seconds:0.02|c"]


def scrape_configs_from_podmonitor(targets):
    """The scrape configuration the PodMonitor of deploy/kubernetes implies, for static targets: a job per service
    (jobLabel: the pod's app.kubernetes.io/name), the Operator's target labels, the PodMonitor's sample limit.
    scrapeClassicHistograms becomes Prometheus 3's always_scrape_classic_histograms, which Debian's 2.42 rejects
    (test_compose_prometheus_config_is_valid_except_prometheus_3_keys): it is left out deliberately, so that the
    native-histogram server keeps only native histograms and proves the rules' and panels' native fallback."""
    [pm] = [d for d in kubernetes_docs() if d["kind"] == "PodMonitor"]
    spec = pm["spec"]
    assert spec["jobLabel"] == "app.kubernetes.io/name" and spec["scrapeClassicHistograms"] is True
    endpoint = spec["podMetricsEndpoints"][0]
    return [{"job_name": service, "metrics_path": endpoint["path"], "sample_limit": spec["sampleLimit"],
             "static_configs": [{"targets": ["127.0.0.1:%d" % t.http_port],
                                 "labels": {"namespace": "e2e", "pod": "%s-%d" % (service, i),
                                            "container": "tributary", "endpoint": endpoint["port"]}}
                                for i, t in enumerate(pods)]}
            for service, pods in targets.items()]


class PrometheusUnderTest:
    """Debian's prometheus on loopback with alerts/ loaded; `features` for --enable-feature."""

    def __init__(self, name, targets, tmp, features=()):
        self.name = name
        port = free_port()
        config = os.path.join(tmp, name + ".yml")
        with open(config, "w") as f:
            yaml.safe_dump({"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                            "rule_files": [os.path.join(ALERTS, "*.yml")],
                            "scrape_configs": scrape_configs_from_podmonitor(targets)}, f)
        args = [require("prometheus"), "--config.file=" + config,
                "--storage.tsdb.path=" + os.path.join(tmp, name + "-data"), "--web.listen-address=127.0.0.1:%d" % port]
        if features:
            args.append("--enable-feature=" + ",".join(features))
        self.process = Process(args, tmp, name)
        self.api = "http://127.0.0.1:%d/api/v1/" % port

    def get(self, path):
        try:
            status, _, body = http_get(self.api + path, timeout=5)
        except OSError:
            return None
        return json.loads(body)["data"] if status == 200 else None

    def query(self, expr):
        data = self.get("query?query=" + urllib.parse.quote(expr))
        return data["result"] if data else None


@pytest.fixture(scope="module")
def bundle():
    """Tributary + demo per pod, the extra lines, and two Prometheus servers scraping them: "classic" (text
    exposition, classic histograms) and "native" (--enable-feature=native-histograms: protobuf, native only)."""
    require("prometheus")
    started, stop = [], threading.Event()
    tmp = tempfile.mkdtemp(prefix="bundle-e2e-")
    mapping = "--statsd.mapping-config=" + os.path.join(DEPLOY, "mapping.yml")
    sender = None
    try:
        targets = {}
        for service, (scenario, pods) in SERVICES.items():
            for i in range(pods):
                t = Tributary(extra_args=[mapping], tcp=False)
                started.append(t)
                t.wait_ready()
                targets.setdefault(service, []).append(t)
                rate = "250" if scenario == "normal" else "500" if scenario == "slow" else "200"
                started.append(Process([binary_path(), "demo", "--statsd.address", "127.0.0.1:%d" % t.udp_port,
                                        "--scenario", scenario, "--rate", rate, "--duration", "240"], tmp,
                                       "demo-%s-%d" % (service, i)))

        def send_extra_lines():
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            while not stop.wait(0.5):
                for pods in targets.values():
                    for t in pods:
                        for line in EXTRA_LINES:
                            sock.sendto(line, ("127.0.0.1", t.udp_port))
            sock.close()
        sender = threading.Thread(target=send_extra_lines, daemon=True)
        sender.start()
        servers = {"classic": PrometheusUnderTest("classic", targets, tmp),
                   "native": PrometheusUnderTest("native", targets, tmp, features=["native-histograms"])}
        started.extend(s.process for s in servers.values())
        yield servers, time.time()
    finally:
        stop.set()
        if sender:
            sender.join(5)
        for p in reversed(started):
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("mode", ["classic", "native"])
def test_bundle_against_real_prometheus(bundle, mode):
    servers, started_at = bundle
    prom = servers[mode]
    deadline = time.time() + 120

    # 0. The histograms are stored as this mode says: classic series only, or the native histogram only.
    H = "http_request_duration_seconds"
    stored = {}
    while time.time() < deadline:
        stored = {"classic": bool(prom.query(H + "_count")), "native": bool(prom.query(H))}
        if any(stored.values()):
            break
        time.sleep(0.5)
    assert stored == {"classic": mode == "classic", "native": mode == "native"}, (stored, prom.process.tail())
    if mode == "native":
        assert "histogram" in prom.query(H)[0] and not prom.query(H + "_bucket")

    # 1. Every rule group loads and every rule evaluates with health "ok".
    bad = ["prometheus not answering"]
    while time.time() < deadline:
        data = prom.get("rules")
        if data is not None:
            groups = data["groups"]
            bad = [(g["name"], r["name"], r["health"], r.get("lastError")) for g in groups for r in g["rules"]
                   if r["health"] != "ok"]
            loaded = {g["name"] for g in groups}
            expected = {g["name"] for p in RULE_FILES for g in yaml.safe_load(open(p))["groups"]}
            if loaded == expected and not bad:
                break
            bad = bad or ["groups loaded: %s" % sorted(loaded)]
        time.sleep(0.5)
    assert not bad, "%s\n%s" % (bad, prom.process.tail())

    # 2. Every dashboard query (variables substituted) returns at least one series.
    queries = [(os.path.basename(p), panel["title"], t["expr"]) for p in DASHBOARD_FILES
               for panel in panels(json.load(open(p))) for t in panel.get("targets", [])]
    for p in DASHBOARD_FILES:
        for v in json.load(open(p))["templating"]["list"]:
            if v["type"] == "query":
                metric = re.match(r"label_values\((.+),\s*\w+\)$", v["query"]["query"]).group(1)
                queries.append((os.path.basename(p), "variable " + v["name"], metric))
    empty = queries
    while time.time() < deadline:
        empty = [(d, title, expr) for d, title, expr in empty if not prom.query(substitute(expr))]
        if not empty:
            break
        time.sleep(1)
    assert not empty, "%s: dashboard queries without series: %s" % (mode, json.dumps(empty, indent=1))

    # 3. Each bad scenario drives its alerts pending or firing; the healthy service and Tributary itself stay quiet.
    # The slow demo's latency burns the budget ~2.6x: the slow-burn warning (1x over 3d and 6h) goes pending.
    wanted = {("HTTPLatencySLOBreach", "slow"), ("HTTPAverageLatencyHigh", "slow"),
              ("NodejsEventLoopLagHigh", "slow"), ("DatabaseSlowQueries", "slow"), ("HTTPErrorBudgetBurn", "errors"),
              ("CircuitBreakerOpen", "errors"), ("NodejsHeapNearLimit", "memory")}
    seen = {}
    while time.time() < deadline:
        alerts = (prom.get("alerts") or {}).get("alerts", [])
        seen = {(a["labels"]["alertname"], a["labels"].get("job")): a["state"] for a in alerts}
        if all(seen.get(key) in ("pending", "firing") for key in wanted):
            break
        time.sleep(1)
    assert all(seen.get(key) in ("pending", "firing") for key in wanted), (mode, sorted(wanted - set(seen)), seen)
    assert not [k for k in seen if k[1] == "orders"], seen
    self_alerts = {"TributaryDown", "TributaryTargetMissing", "ApplicationNotSending", "TributaryNearSampleLimit"}
    assert not [k for k in seen if k[0] in self_alerts], seen
    # Every target is up, one job per service (two pods for orders); the app's process series and Tributary's own
    # memory coexist.
    up = prom.query("up")
    assert sorted((r["metric"]["job"], r["value"][1]) for r in up) == sorted(
        (service, "1") for service, (_, pods) in SERVICES.items() for _ in range(pods)), up
    assert {r["metric"]["job"] for r in prom.query("job:http_requests:rate5m")} == set(SERVICES)
    assert prom.query('process_resident_memory_bytes{process="app"}') and \
        prom.query('tributary_process_resident_memory_bytes')
    print("%s: bundle proof at %.1fs; alerts seen: %s" % (mode, time.time() - started_at, sorted(seen.items())))
