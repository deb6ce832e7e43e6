#!/usr/bin/env python3
"""Writes dashboards/*.json, the bundled Grafana dashboards, from the definitions below.

The JSON files are generated, committed, and checked in sync by tests/e2e/test_bundle.py; edit this file and run
`python3 scripts/gen_dashboards.py` rather than editing JSON (`--check` exits 1 when a file is out of date).
Every panel: a description, a unit, queries on the `datasource` variable, `$__rate_interval` in every rate.

Histograms are read as the recording rules read them (alerts/recording-rules.yml): the classic series first
(`_bucket`, `_count`, `_sum`, bucket bounds matched as `le=~"1|1\\.0"` since Prometheus 3 writes `le="1.0"`), then,
`or`, the native histogram, so that every panel shows data with classic buckets, native histograms or both.
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


# The classic bucket of the 1 s thresholds, as Prometheus 2 (`1`) and 3 (`1.0`) write it.
LE1 = 'le=~"1|1\\\\.0"'


def _sum(by, inner):
    return ("sum by (%s) (%s)" % (by, inner)) if by else ("sum(%s)" % inner)


def _with(selector, extra):
    return selector[:-1] + ", " + extra + "}"


def h_count(metric, selector, by=""):
    """Observations per second: the classic `_count`, else the native histogram's count."""
    return "%s or %s" % (_sum(by, "rate(%s_count%s[%s])" % (metric, selector, RI)),
                         _sum(by, "histogram_count(rate(%s%s[%s]))" % (metric, selector, RI)))


def h_sum(metric, selector, by=""):
    """Sum of observations per second: the classic `_sum`, else the native histogram's sum."""
    return "%s or %s" % (_sum(by, "rate(%s_sum%s[%s])" % (metric, selector, RI)),
                         _sum(by, "histogram_sum(rate(%s%s[%s]))" % (metric, selector, RI)))


def h_quantile(q, metric, selector, by=""):
    """A quantile from the classic buckets, else from the native histogram."""
    return "histogram_quantile(%s, %s) or histogram_quantile(%s, %s)" % (
        q, _sum(by + ", le" if by else "le", "rate(%s_bucket%s[%s])" % (metric, selector, RI)),
        q, _sum(by, "rate(%s%s[%s])" % (metric, selector, RI)))


def h_within_1s(metric, selector, by=""):
    """Share of observations at or below 1 s: the classic le="1" bucket over the count, else histogram_fraction."""
    return "%s / %s or histogram_fraction(0, 1, %s)" % (
        _sum(by, "rate(%s_bucket%s[%s])" % (metric, _with(selector, LE1), RI)),
        _sum(by, "rate(%s_count%s[%s])" % (metric, selector, RI)),
        _sum(by, "rate(%s%s[%s])" % (metric, selector, RI)))


def target(expr, legend, ref, fmt=None):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": True}
    if fmt:
        t["format"] = fmt
    return t


def panel(kind, title, description, unit, queries, thresholds=None, mappings=None, decimals=None, base="green"):
    """`thresholds`: (value, colour) steps above the `base` colour, e.g. base "red" and (0.8, "green") for a ratio
    that is bad when low."""
    steps = [{"color": base, "value": None}]
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


def heatmap(title, description, metric, selector):
    """Request count per latency bucket over time: classic buckets (format heatmap, one row per `le`), else the
    native histogram, which Grafana draws with its own buckets."""
    expr = "%s or on () %s" % (_sum("le", "rate(%s_bucket%s[%s])" % (metric, selector, RI)),
                               _sum("", "rate(%s%s[%s])" % (metric, selector, RI)))
    return {"type": "heatmap", "title": title, "description": description, "datasource": DS,
            "fieldConfig": {"defaults": {"unit": "reqps", "custom": {"scaleDistribution": {"type": "linear"}}},
                            "overrides": []},
            "targets": [target(expr, "{{le}}", "A", fmt="heatmap")],
            "options": {"calculate": False, "cellGap": 1, "color": {"mode": "scheme", "scheme": "Oranges",
                                                                    "fill": "dark-orange", "scale": "exponential",
                                                                    "exponent": 0.5, "steps": 64, "reverse": False},
                        "filterValues": {"le": 1e-09}, "rowsFrame": {"layout": "auto"}, "showValue": "never",
                        "yAxis": {"unit": "s", "axisPlacement": "left", "reverse": False},
                        "legend": {"show": True}, "tooltip": {"show": True, "yHistogram": True},
                        "exemplars": {"color": "rgba(255,0,255,0.7)"}}}


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def query_var(name, label, query, include_all=True):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
            "refresh": 2, "includeAll": include_all, "multi": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1, "regex": "",
            "options": [], "hide": 0}


def dashboard(uid, title, description, tags, job_metric, items, extra_vars=()):
    """`job_metric`: a metric name or a `{…}` selector whose series list the jobs and instances."""
    by_job = _with(job_metric, 'job=~"$job"') if job_metric.startswith("{") else job_metric + '{job=~"$job"}'
    variables = [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1, "regex": ""},
        query_var("job", "Job", "label_values(%s, job)" % job_metric),
        query_var("instance", "Instance", "label_values(%s, instance)" % by_job),
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
            w = 6 if item["type"] == "stat" else 24 if item["type"] == "heatmap" else 12
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
# Series of the HTTP histogram whichever way it is stored: classic (`_count`) or native (the bare name).
H_SERIES = '{__name__=~"%s(_count)?"}' % H


def service():
    r = sel('route=~"$route"')
    r5 = sel('route=~"$route", status_code=~"5.."')
    items = [
        row("Service level"),
        stat("Requests/s", "All requests per second (histogram count).", "reqps",
             [(h_count(H, r), "requests/s")]),
        stat("Error ratio", "Share of requests answered with a 5xx status.", "percentunit",
             [("(%s or vector(0)) / (%s)" % (h_count(H, r5), h_count(H, r)), "errors")],
             thresholds=[(0.01, "orange"), (0.05, "red")]),
        stat("Error budget burn (1h)", "Error ratio over 1 h divided by the 1 % budget: 1 spends the budget in "
             "exactly 30 days, 14.4 pages.", "none",
             [('job:http_request_errors_per_requests:ratio_rate1h{job=~"$job"} / 0.01', "{{job}}")],
             thresholds=[(1, "orange"), (14.4, "red")], decimals=2),
        stat("Error budget left (30d)", "Share of the 30-day error budget (1 % of requests) not yet spent: 1 minus "
             "the 30-day error ratio over 1 %. Red once spent.", "percentunit",
             [('1 - job:http_request_errors_per_requests:ratio_rate30d{job=~"$job"} / 0.01', "{{job}}")],
             thresholds=[(0, "orange"), (0.25, "green")], base="red"),
        row("Rate and errors"),
        ts("Requests by route", "Requests per second by route and method.", "reqps",
           [(h_count(H, r, "route, method"), "{{method}} {{route}}")]),
        ts("Requests by status code", "Requests per second by status code.", "reqps",
           [(h_count(H, r, "status_code"), "{{status_code}}")]),
        ts("Error ratio by route", "Share of 5xx responses per route (1 % is the error budget).", "percentunit",
           [("(%s) / (%s)" % (h_count(H, r5, "route, method"), h_count(H, r, "route, method")),
             "{{method}} {{route}}")], thresholds=[(0.01, "red")]),
        ts("Error budget burn rate", "Error ratio over the 1 % budget on the alerting windows.", "none",
           [('job:http_request_errors_per_requests:ratio_rate5m{job=~"$job"} / 0.01', "5m {{job}}"),
            ('job:http_request_errors_per_requests:ratio_rate1h{job=~"$job"} / 0.01', "1h {{job}}"),
            ('job:http_request_errors_per_requests:ratio_rate6h{job=~"$job"} / 0.01', "6h {{job}}")],
           thresholds=[(6, "orange"), (14.4, "red")]),
        row("Latency"),
        heatmap("Latency distribution", "Requests per second in each latency bucket over time (darker: more "
                "requests); the 1 s SLO bound is a bucket boundary.", H, r),
        ts("Latency percentiles", "p50, p90 and p99 of request duration over all routes.", "s",
           [(h_quantile(q, H, r), "p%s" % int(q * 100)) for q in (0.5, 0.9, 0.99)], thresholds=[(1, "red")]),
        ts("Latency percentiles by route", "p50, p90 and p99 of request duration per route and method.", "s",
           [(h_quantile(q, H, r, "route, method"), "p%d {{method}} {{route}}" % int(q * 100))
            for q in (0.5, 0.9, 0.99)], thresholds=[(1, "red")]),
        ts("Average latency", "Mean request duration (sum / count); the cause alert fires above 50 ms.", "s",
           [("(%s) / (%s)" % (h_sum(H, r), h_count(H, r)), "average")], thresholds=[(0.05, "orange")]),
        ts("Requests slower than 1 s", "Share of requests above the 1 s latency SLO (bucket le=\"1\", written "
           "le=\"1.0\" by Prometheus 3; histogram_fraction for native histograms); the budget is 1 %.",
           "percentunit", [("1 - (%s)" % h_within_1s(H, r), "slow")], thresholds=[(0.01, "red")]),
        ts("Latency budget burn rate", "Share of requests slower than 1 s over the 1 % budget on the alerting "
           "windows (the latency SLO alert pages at 14.4 over 1 h and 6 over 6 h).", "none",
           [('job:http_request_slow_per_requests:ratio_rate5m{job=~"$job"} / 0.01', "5m {{job}}"),
            ('job:http_request_slow_per_requests:ratio_rate1h{job=~"$job"} / 0.01', "1h {{job}}"),
            ('job:http_request_slow_per_requests:ratio_rate6h{job=~"$job"} / 0.01', "6h {{job}}")],
           thresholds=[(6, "orange"), (14.4, "red")]),
    ]
    route = query_var("route", "Route", "label_values(%s, route)" % _with(H_SERIES, 'job=~"$job", instance=~"$instance"'))
    return dashboard("tributary-service", "Service overview (RED)",
                     "Rate, errors and duration per route, and the error and latency budgets, from "
                     "http_request_duration_seconds (classic or native histogram).",
                     ["service", "red"], H_SERIES, items, [route])


def runtime():
    s = sel()
    app = sel('process="app"')
    lag = "nodejs_eventloop_lag_seconds"
    items = [
        row("Event loop"),
        ts("Event-loop lag p99", "99th percentile of event-loop lag (prom-client gauge, or the StatsD histogram); "
           "the alert fires above 100 ms.", "s",
           [("max by (instance) (nodejs_eventloop_lag_p99_seconds%s) or %s" % (s, h_quantile(0.99, lag, s, "instance")),
             "{{instance}}")], thresholds=[(0.1, "red")]),
        ts("Event-loop utilisation", "Share of time the event loop was busy (0-1, from "
           "performance.eventLoopUtilization()); near 1 the process is CPU-bound on one thread.", "percentunit",
           [("max by (instance) (nodejs_eventloop_utilization%s)" % s, "{{instance}}")],
           thresholds=[(0.7, "orange"), (0.9, "red")]),
        ts("GC time", "Share of wall-clock time spent in garbage collection, by kind.", "percentunit",
           [(h_sum("nodejs_gc_duration_seconds", s, "instance, kind"), "{{instance}} {{kind}}")]),
        ts("GC pause p99", "99th percentile of GC pause duration by kind.", "s",
           [(h_quantile(0.99, "nodejs_gc_duration_seconds", s, "kind"), "{{kind}}")]),
        row("Memory and CPU"),
        ts("Heap used against its limit", "V8 heap used, allocated and its limit.", "bytes",
           [("nodejs_heap_size_used_bytes%s" % s, "used {{instance}}"),
            ("nodejs_heap_size_total_bytes%s" % s, "allocated {{instance}}"),
            ("nodejs_heap_size_limit_bytes%s" % s, "limit {{instance}}")]),
        ts("Heap used / limit", "Heap used over the heap size limit; warning at 70 %, critical at 95 %.",
           "percentunit",
           [("nodejs_heap_size_used_bytes%s / nodejs_heap_size_limit_bytes%s" % (s, s), "{{instance}}")],
           thresholds=[(0.7, "orange"), (0.95, "red")]),
        ts("Resident memory", "Resident set size of the application process (process=\"app\").", "bytes",
           [("process_resident_memory_bytes%s" % app, "{{instance}}")]),
        ts("CPU", "CPU time of the application process per second (process=\"app\"): 1 is one core busy.",
           "percentunit", [("sum by (instance) (rate(process_cpu_seconds_total%s[%s]))" % (app, RI), "{{instance}}")]),
    ]
    return dashboard("tributary-runtime", "Runtime (Node.js)",
                     "Event-loop lag and utilisation, GC, heap against its limit, memory and CPU (prom-client names).",
                     ["runtime", "nodejs"], "nodejs_heap_size_used_bytes", items)


def dependencies():
    s = sel()
    db = "db_query_duration_seconds"
    items = [
        row("Cache"),
        ts("Cache hit ratio", "Hits over lookups per cache: red below 80 % (the alert's threshold), green above.",
           "percentunit",
           [("sum by (cache) (rate(cache_requests_total%s[%s])) / sum by (cache) (rate(cache_requests_total%s[%s]))"
             % (sel('result="hit"'), RI, s, RI), "{{cache}}")], thresholds=[(0.8, "green")], base="red"),
        ts("Cache lookups", "Lookups per second by cache and result.", "ops",
           [("sum by (cache, result) (rate(cache_requests_total%s[%s]))" % (s, RI), "{{cache}} {{result}}")]),
        row("Database"),
        ts("Query latency", "p50 and p99 of database query duration by operation.", "s",
           [(h_quantile(q, db, s, "operation"), "p%d {{operation}}" % int(q * 100)) for q in (0.5, 0.99)],
           thresholds=[(1, "red")]),
        ts("Slow queries", "Queries per second slower than 1 s, by operation (count minus the le=\"1\" bucket; "
           "count times the share above 1 s for native histograms).", "ops",
           [("%s - %s or histogram_count(%s) * (1 - histogram_fraction(0, 1, %s))"
             % (_sum("operation", "rate(%s_count%s[%s])" % (db, s, RI)),
                _sum("operation", "rate(%s_bucket%s[%s])" % (db, _with(s, LE1), RI)),
                _sum("operation", "rate(%s%s[%s])" % (db, s, RI)), _sum("operation", "rate(%s%s[%s])" % (db, s, RI))),
             "{{operation}}")]),
        ts("Pool connections per instance", "Active connections of each instance's pool against the maximum each "
           "instance may open (db.pool.max is a per-instance setting, so it is not summed).", "short",
           [("max by (instance, pool) (db_pool_active_connections%s)" % s, "active {{instance}} {{pool}}"),
            ("max by (pool) (db_pool_max_connections%s)" % s, "max per instance {{pool}}"),
            ("max by (pool) (db_pool_min_connections%s)" % s, "min per instance {{pool}}")]),
        ts("Pool utilisation", "Active over maximum connections per instance; the alert fires above 90 %.",
           "percentunit",
           [("max by (instance, pool) (db_pool_active_connections%s) / max by (instance, pool) "
             "(db_pool_max_connections%s)" % (s, s), "{{instance}} {{pool}}")], thresholds=[(0.9, "red")]),
        ts("Pool pending requests", "Callers waiting for a connection, per instance and pool: above 0 for long, "
           "the pool is the bottleneck.", "short",
           [("max by (instance, pool) (db_pool_pending_requests%s)" % s, "{{instance}} {{pool}}")],
           thresholds=[(1, "orange")]),
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
        ts("Lines and samples", "StatsD lines received, StatsD samples applied and JSON feed objects accepted per "
           "second; all at 0 while the target is up means the application went quiet.", "cps",
           [("sum by (instance) (rate(tributary_lines_total%s[%s]))" % (s, RI), "lines {{instance}}"),
            ("sum by (instance) (rate(tributary_samples_total%s[%s]))" % (s, RI), "samples {{instance}}"),
            ("sum by (instance) (rate(tributary_json_samples_total%s[%s]))" % (s, RI), "JSON {{instance}}")]),
        ts("Sample errors by reason", "Rejected samples per second by reason; the alert fires above 1 % of lines.",
           "cps", [("sum by (reason) (rate(tributary_sample_errors_total%s[%s]))" % (s, RI), "{{reason}}")]),
        ts("UDP packets and kernel drops", "Datagrams read per second and datagrams the kernel dropped.", "pps",
           [("sum by (instance) (rate(tributary_udp_packets_total%s[%s]))" % (s, RI), "read {{instance}}"),
            ("sum by (instance) (rate(tributary_udp_kernel_drops_total%s[%s]))" % (s, RI), "dropped {{instance}}")]),
        ts("Series by type", "Series held per metric type.", "short",
           [("sum by (type) (tributary_metrics%s)" % s, "{{type}}")]),
        ts("Samples per scrape", "Samples Prometheus read per scrape of each target; past the sample limit "
           "(100 000 as shipped) the whole scrape fails. A classic histogram series counts 3 + one per bucket.",
           "short", [("max by (instance) (scrape_samples_scraped%s)" % s, "{{instance}}")],
           thresholds=[(80000, "orange"), (100000, "red")]),
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
                     "The exporter itself: ingest, errors, kernel drops, series, samples per scrape, reloads, memory.",
                     ["exporter"], "tributary_build_info", items)


DASHBOARDS = {"service.json": service, "runtime.json": runtime, "dependencies.json": dependencies,
              "tributary-health.json": health}


def main():
    files = {name: (lambda build=build: json.dumps(build(), indent=2) + "\n") for name, build in DASHBOARDS.items()}
    return write_or_check(OUT, files, "gen_dashboards.py")


if __name__ == "__main__":
    sys.exit(main())
