"""The bundle (alerts/, dashboards/, deploy/) checked statically and proven against a real Prometheus.

Static: promtool check/test rules, runbook entries, dashboards' structure and a grafana-foundation-sdk round trip,
generated files in sync, manifests parse. Live: Tributary with deploy/mapping.yml + `tributary demo` (normal and
slow) scraped by Debian's `prometheus` on loopback with alerts/ loaded: every rule healthy, every dashboard query
returns series, each bad demo scenario (slow, errors, memory) drives its alerts pending or firing while the normal
one stays quiet. Bounded; stops only what it starts.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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


def test_bundle_against_real_prometheus():
    prometheus = require("prometheus")
    started = []
    tmp = tempfile.mkdtemp(prefix="bundle-e2e-")
    mapping = "--statsd.mapping-config=" + os.path.join(DEPLOY, "mapping.yml")
    try:
        # One Tributary + demo per scenario, each its own scrape job; "tributary" is the healthy one.
        jobs = {"tributary": "normal", "slow": "slow", "errors": "errors", "memory": "memory"}
        targets = {}
        for job, scenario in jobs.items():
            t = Tributary(extra_args=[mapping], tcp=False)
            started.append(t)
            t.wait_ready()
            targets[job] = t
            rate = "500" if scenario in ("normal", "slow") else "200"
            started.append(Process([binary_path(), "demo", "--statsd.address", "127.0.0.1:%d" % t.udp_port,
                                    "--scenario", scenario, "--rate", rate, "--duration", "150"], tmp,
                                   "demo-" + scenario))
        port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            yaml.safe_dump({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [os.path.join(ALERTS, "*.yml")],
                "scrape_configs": [{"job_name": job, "static_configs": [{"targets": ["127.0.0.1:%d" % t.http_port]}]}
                                   for job, t in targets.items()]}, f)
        prom = Process([prometheus, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                        "--web.listen-address=127.0.0.1:%d" % port], tmp, "prometheus")
        started.append(prom)
        api = "http://127.0.0.1:%d/api/v1/" % port

        def get(path):
            try:
                status, _, body = http_get(api + path, timeout=5)
            except OSError:
                return None
            return json.loads(body)["data"] if status == 200 else None

        def query(expr):
            data = get("query?query=" + urllib.parse.quote(expr))
            return data["result"] if data else None

        started_at = time.time()
        deadline = started_at + 90

        # 1. Every rule group loads and every rule evaluates with health "ok".
        bad = ["prometheus not answering"]
        while time.time() < deadline:
            data = get("rules")
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
        assert not bad, "%s\n%s" % (bad, prom.tail())

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
            empty = [(d, title, expr) for d, title, expr in empty if not query(substitute(expr))]
            if not empty:
                break
            time.sleep(1)
        assert not empty, "dashboard queries without series: %s" % json.dumps(empty, indent=1)

        # 3. Each bad scenario drives its alerts pending or firing; the normal service stays quiet.
        wanted = {("HTTPLatencySLOBreach", "slow"), ("HTTPAverageLatencyHigh", "slow"),
                  ("NodejsEventLoopLagHigh", "slow"), ("HTTPErrorBudgetBurn", "errors"),
                  ("CircuitBreakerOpen", "errors"), ("NodejsHeapNearLimit", "memory")}
        seen = {}
        while time.time() < deadline:
            alerts = (get("alerts") or {}).get("alerts", [])
            seen = {(a["labels"]["alertname"], a["labels"].get("job")): a["state"] for a in alerts}
            if all(seen.get(key) in ("pending", "firing") for key in wanted):
                break
            time.sleep(1)
        assert all(seen.get(key) in ("pending", "firing") for key in wanted), (sorted(wanted - set(seen)), seen)
        assert not [k for k in seen if k[1] == "tributary"], seen
        # Every Tributary target is up; the app's process series and Tributary's own memory coexist.
        assert sorted(r["value"][1] for r in query("up")) == ["1"] * len(jobs)
        assert query('process_resident_memory_bytes{process="app"}') and \
            query('tributary_process_resident_memory_bytes')
        print("bundle proof took %.1fs; alerts seen: %s" % (time.time() - started_at, sorted(seen.items())))
    finally:
        for p in reversed(started):
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)
