#!/usr/bin/env python3
"""Writes dashboards/*.json, the bundled Grafana dashboards, from the definitions below.

The JSON files are generated, committed, and checked in sync by tests/e2e/test_bundle.py; edit this file and run
`python3 scripts/gen_dashboards.py` rather than editing JSON (`--check` exits 1 when a file is out of date).
Every panel: a description, a unit, queries on the `datasource` variable, `$__rate_interval` in every rate.
"""
import json
import os
import sys

from generated_files import write_or_check

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "dashboards")
DS = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 41
RI = "$__rate_interval"


def sel(extra=""):
    """The job/instance selector every app query uses, plus `extra` matchers."""
    base = 'job=~"$job", instance=~"$instance"'
    return "{" + base + (", " + extra if extra else "") + "}"


def target(expr, legend, ref):
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": True}


def panel(kind, title, description, unit, queries, thresholds=None, mappings=None, decimals=None):
    steps = [{"color": "green", "value": None}]
    for value, color in thresholds or []:
        steps.append({"color": color, "value": value})
    defaults = {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}, "mappings": mappings or []}
    if decimals is not None:
        defaults["decimals"] = decimals
    if kind == "timeseries":
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
                              "spanNulls": False,
                              "thresholdsStyle": {"mode": "dashed" if thresholds else "off"}}
    p = {"type": kind, "title": title, "description": description, "datasource": DS,
         "fieldConfig": {"defaults": defaults, "overrides": []},
         "targets": [target(e, l, chr(ord("A") + i)) for i, (e, l) in enumerate(queries)]}
    if kind == "timeseries":
        p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}}
    else:
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area", "textMode": "auto", "justifyMode": "auto",
                        "orientation": "auto"}
    return p


def ts(*args, **kwargs):
    return panel("timeseries", *args, **kwargs)


def stat(*args, **kwargs):
    return panel("stat", *args, **kwargs)


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def query_var(name, label, query, include_all=True):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
            "refresh": 2, "includeAll": include_all, "multi": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1, "regex": "",
            "options": [], "hide": 0}


def dashboard(uid, title, description, tags, job_metric, items, extra_vars=()):
    variables = [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1, "regex": ""},
        query_var("job", "Job", "label_values(%s, job)" % job_metric),
        query_var("instance", "Instance", 'label_values(%s{job=~"$job"}, instance)' % job_metric),
    ] + list(extra_vars)
    panels, x, y, pid = [], 0, 0, 1
    for item in items:
        item = dict(item)
        item["id"] = pid
        pid += 1
        if item["type"] == "row":
            if x:
                x, y = 0, y + 8
            item["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
            y += 1
        else:
            w = 6 if item["type"] == "stat" else 12
            if x + w > 24:
                x, y = 0, y + 8
            item["gridPos"] = {"h": 8 if item["type"] != "stat" else 4, "w": w, "x": x, "y": y}
            x += w
        panels.append(item)
    links = [{"title": "Tributary dashboards", "type": "dashboards", "tags": ["tributary"], "asDropdown": True,
              "includeVars": True, "keepTime": True, "icon": "external link", "targetBlank": False,
              "tooltip": "", "url": ""}]
    return {
        "uid": uid, "title": title, "description": description, "tags": ["tributary"] + tags,
        "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": False, "graphTooltip": 1,
        "timezone": "browser", "refresh": "30s", "time": {"from": "now-1h", "to": "now"},
        "timepicker": {}, "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
        "annotations": {"list": []},
        "links": links, "templating": {"list": variables}, "panels": panels,
    }


H = "http_request_duration_seconds"


def service():
    r = sel('route=~"$route"')
    r5 = sel('route=~"$route", status_code=~"5.."')
    le1 = sel('route=~"$route", le="1"')
    items = [
        row("Service level"),
        stat("Requests/s", "All requests per second (histogram count).", "reqps",
             [("sum(rate(%s_count%s[%s]))" % (H, r, RI), "requests/s")]),
        stat("Error ratio", "Share of requests answered with a 5xx status.", "percentunit",
             [("(sum(rate(%s_count%s[%s])) or vector(0)) / sum(rate(%s_count%s[%s]))" % (H, r5, RI, H, r, RI),
               "errors")], thresholds=[(0.01, "orange"), (0.05, "red")]),
        stat("Error budget burn (1h)", "Error ratio over 1 h divided by the 1 % budget: 1 spends the budget in "
             "exactly 30 days, 14.4 pages.", "none",
             [('job:http_request_errors_per_requests:ratio_rate1h{job=~"$job"} / 0.01', "{{job}}")],
             thresholds=[(1, "orange"), (14.4, "red")], decimals=2),
        stat("Error budget left (3d)", "1 minus the 3-day error ratio over the 1 % budget.", "percentunit",
             [('1 - job:http_request_errors_per_requests:ratio_rate3d{job=~"$job"} / 0.01', "{{job}}")],
             thresholds=[]),
        row("Rate and errors"),
        ts("Requests by route", "Requests per second by route and method.", "reqps",
           [("sum by (route, method) (rate(%s_count%s[%s]))" % (H, r, RI), "{{method}} {{route}}")]),
        ts("Requests by status code", "Requests per second by status code.", "reqps",
           [("sum by (status_code) (rate(%s_count%s[%s]))" % (H, r, RI), "{{status_code}}")]),
        ts("Error ratio by route", "Share of 5xx responses per route (1 % is the error budget).", "percentunit",
           [("sum by (route, method) (rate(%s_count%s[%s])) / sum by (route, method) (rate(%s_count%s[%s]))"
             % (H, r5, RI, H, r, RI), "{{method}} {{route}}")], thresholds=[(0.01, "red")]),
        ts("Error budget burn rate", "Error ratio over the 1 % budget on the alerting windows.", "none",
           [('job:http_request_errors_per_requests:ratio_rate5m{job=~"$job"} / 0.01', "5m {{job}}"),
            ('job:http_request_errors_per_requests:ratio_rate1h{job=~"$job"} / 0.01', "1h {{job}}"),
            ('job:http_request_errors_per_requests:ratio_rate6h{job=~"$job"} / 0.01', "6h {{job}}")],
           thresholds=[(6, "orange"), (14.4, "red")]),
        row("Latency"),
        ts("Latency percentiles", "p50, p90 and p99 of request duration from the histogram buckets.", "s",
           [("histogram_quantile(%s, sum by (le) (rate(%s_bucket%s[%s])))" % (q, H, r, RI), "p%s" % int(q * 100))
            for q in (0.5, 0.9, 0.99)], thresholds=[(1, "red")]),
        ts("p99 latency by route", "99th percentile of request duration per route.", "s",
           [("histogram_quantile(0.99, sum by (route, method, le) (rate(%s_bucket%s[%s])))" % (H, r, RI),
             "{{method}} {{route}}")]),
        ts("Average latency", "Mean request duration (sum / count); the cause alert fires above 50 ms.", "s",
           [("sum(rate(%s_sum%s[%s])) / sum(rate(%s_count%s[%s]))" % (H, r, RI, H, r, RI), "average")],
           thresholds=[(0.05, "orange")]),
        ts("Requests slower than 1 s", "Share of requests above the 1 s latency SLO (bucket le=\"1\").",
           "percentunit",
           [("1 - sum(rate(%s_bucket%s[%s])) / sum(rate(%s_count%s[%s]))" % (H, le1, RI, H, r, RI), "slow")],
           thresholds=[(0.01, "red")]),
    ]
    route = query_var("route", "Route", 'label_values(%s_count{job=~"$job", instance=~"$instance"}, route)' % H)
    return dashboard("tributary-service", "Service overview (RED)",
                     "Rate, errors and duration per route, and the error budget, from http_request_duration_seconds.",
                     ["service", "red"], H + "_count", items, [route])


def runtime():
    s = sel()
    items = [
        row("Event loop"),
        ts("Event-loop lag p99", "99th percentile of event-loop lag (prom-client gauge, or the StatsD histogram); "
           "the alert fires above 100 ms.", "s",
           [("max by (instance) (nodejs_eventloop_lag_p99_seconds%s) or histogram_quantile(0.99, sum by (instance, le) "
             "(rate(nodejs_eventloop_lag_seconds_bucket%s[%s])))" % (s, s, RI), "{{instance}}")],
           thresholds=[(0.1, "red")]),
        ts("GC time", "Share of wall-clock time spent in garbage collection, by kind.", "percentunit",
           [("sum by (instance, kind) (rate(nodejs_gc_duration_seconds_sum%s[%s]))" % (s, RI),
             "{{instance}} {{kind}}")]),
        ts("GC pause p99", "99th percentile of GC pause duration by kind.", "s",
           [("histogram_quantile(0.99, sum by (kind, le) (rate(nodejs_gc_duration_seconds_bucket%s[%s])))" % (s, RI),
             "{{kind}}")]),
        row("Memory"),
        ts("Heap used against its limit", "V8 heap used, allocated and its limit.", "bytes",
           [("nodejs_heap_size_used_bytes%s" % s, "used {{instance}}"),
            ("nodejs_heap_size_total_bytes%s" % s, "allocated {{instance}}"),
            ("nodejs_heap_size_limit_bytes%s" % s, "limit {{instance}}")]),
        ts("Heap used / limit", "Heap used over the heap size limit; warning at 70 %, critical at 95 %.",
           "percentunit",
           [("nodejs_heap_size_used_bytes%s / nodejs_heap_size_limit_bytes%s" % (s, s), "{{instance}}")],
           thresholds=[(0.7, "orange"), (0.95, "red")]),
        ts("Resident memory", "Resident set size of the application process (process=\"app\").", "bytes",
           [("process_resident_memory_bytes%s" % sel('process="app"'), "{{instance}}")]),
    ]
    return dashboard("tributary-runtime", "Runtime (Node.js)",
                     "Event-loop lag, GC, heap against its limit and resident memory (prom-client names).",
                     ["runtime", "nodejs"], "nodejs_heap_size_used_bytes", items)


def dependencies():
    s = sel()
    items = [
        row("Cache"),
        ts("Cache hit ratio", "Hits over lookups per cache; the alert fires below 80 %.", "percentunit",
           [("sum by (cache) (rate(cache_requests_total%s[%s])) / sum by (cache) (rate(cache_requests_total%s[%s]))"
             % (sel('result="hit"'), RI, s, RI), "{{cache}}")], thresholds=[(0.8, "green")]),
        ts("Cache lookups", "Lookups per second by cache and result.", "ops",
           [("sum by (cache, result) (rate(cache_requests_total%s[%s]))" % (s, RI), "{{cache}} {{result}}")]),
        row("Database"),
        ts("Query latency", "p50 and p99 of database query duration by operation.", "s",
           [("histogram_quantile(%s, sum by (operation, le) (rate(db_query_duration_seconds_bucket%s[%s])))"
             % (q, s, RI), "p%d {{operation}}" % int(q * 100)) for q in (0.5, 0.99)], thresholds=[(1, "red")]),
        ts("Slow queries", "Queries per second slower than 1 s, by operation.", "ops",
           [("sum by (operation) (rate(db_query_duration_seconds_count%s[%s])) - sum by (operation) "
             "(rate(db_query_duration_seconds_bucket%s[%s]))" % (s, RI, sel('le="1"'), RI), "{{operation}}")]),
        ts("Pool connections", "Active connections against the pool's minimum and maximum.", "short",
           [("sum by (pool) (db_pool_active_connections%s)" % s, "active {{pool}}"),
            ("max by (pool) (db_pool_max_connections%s)" % s, "max {{pool}}"),
            ("max by (pool) (db_pool_min_connections%s)" % s, "min {{pool}}")]),
        ts("Pool utilisation", "Active over maximum connections; the alert fires above 90 %.", "percentunit",
           [("max by (instance, pool) (db_pool_active_connections%s) / max by (instance, pool) "
             "(db_pool_max_connections%s)" % (s, s), "{{instance}} {{pool}}")], thresholds=[(0.9, "red")]),
        row("Resilience"),
        ts("Rate-limiter rejections", "Requests rejected per second by limiter.", "reqps",
           [("sum by (limiter) (rate(ratelimiter_rejected_total%s[%s]))" % (s, RI), "{{limiter}}")]),
        ts("Circuit-breaker state", "0 closed, 0.5 half-open, 1 open.", "none",
           [("max by (instance, breaker) (circuitbreaker_state%s)" % s, "{{instance}} {{breaker}}")],
           thresholds=[(0.5, "orange"), (1, "red")],
           mappings=[{"type": "value", "options": {"0": {"text": "closed"}, "0.5": {"text": "half-open"},
                                                   "1": {"text": "open"}}}]),
    ]
    return dashboard("tributary-dependencies", "Dependencies",
                     "Caches, database queries and pools, rate limiters and circuit breakers.",
                     ["dependencies"], "db_pool_max_connections", items)


def health():
    s = sel()
    items = [
        row("Tributary"),
        stat("Up", "1 when Prometheus scrapes the target.", "none", [("up%s" % s, "{{instance}}")],
             thresholds=[], mappings=[{"type": "value", "options": {"0": {"text": "down", "color": "red"},
                                                                    "1": {"text": "up", "color": "green"}}}]),
        stat("Series", "Series held, all types.", "short", [("sum(tributary_metrics%s)" % s, "series")],
             thresholds=[(50000, "red")]),
        stat("Loaded mappings", "Mapping rules in the loaded configuration.", "short",
             [("max(tributary_loaded_mappings%s)" % s, "mappings")]),
        stat("Resident memory", "Tributary's own resident memory.", "bytes",
             [("max(tributary_process_resident_memory_bytes%s)" % s, "rss")]),
        ts("Lines and samples", "StatsD lines received and samples applied per second.", "cps",
           [("sum by (instance) (rate(tributary_lines_total%s[%s]))" % (s, RI), "lines {{instance}}"),
            ("sum by (instance) (rate(tributary_samples_total%s[%s]))" % (s, RI), "samples {{instance}}")]),
        ts("Sample errors by reason", "Rejected samples per second by reason; the alert fires above 1 % of lines.",
           "cps", [("sum by (reason) (rate(tributary_sample_errors_total%s[%s]))" % (s, RI), "{{reason}}")]),
        ts("UDP packets and kernel drops", "Datagrams read per second and datagrams the kernel dropped.", "pps",
           [("sum by (instance) (rate(tributary_udp_packets_total%s[%s]))" % (s, RI), "read {{instance}}"),
            ("sum by (instance) (rate(tributary_udp_kernel_drops_total%s[%s]))" % (s, RI), "dropped {{instance}}")]),
        ts("Series by type", "Series held per metric type.", "short",
           [("sum by (type) (tributary_metrics%s)" % s, "{{type}}")]),
        ts("Config reloads", "Mapping reloads by outcome over the interval.", "short",
           [("sum by (outcome) (increase(tributary_config_reloads_total%s[%s]))" % (s, RI), "{{outcome}}")]),
        ts("Scrapes", "HTTP requests per second by handler and code, and requests rejected before a handler "
                      "(malformed 400, header_too_large 431, cut off by a timeout) by reason.", "reqps",
           [("sum by (handler, code) (rate(tributary_http_requests_total%s[%s]))" % (s, RI),
             "{{handler}} {{code}}"),
            ("sum by (reason) (rate(tributary_http_request_errors_total%s[%s]))" % (s, RI),
             "rejected: {{reason}}")]),
    ]
    return dashboard("tributary-health", "Tributary health",
                     "The exporter itself: ingest, errors, kernel drops, series, reloads, memory.",
                     ["exporter"], "tributary_build_info", items)


DASHBOARDS = {"service.json": service, "runtime.json": runtime, "dependencies.json": dependencies,
              "tributary-health.json": health}


def main():
    files = {name: (lambda build=build: json.dumps(build(), indent=2) + "\n") for name, build in DASHBOARDS.items()}
    return write_or_check(OUT, files, "gen_dashboards.py")


if __name__ == "__main__":
    sys.exit(main())
