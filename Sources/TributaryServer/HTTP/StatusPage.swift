/// The status page served on `/` (StatsD and the JSON feed): one self-contained HTML document (no external assets)
/// whose script polls `/api/v1/status`, `/api/v1/unmapped` and `/api/v1/cardinality` and calls `/api/v1/explain`.
///
/// Rates (lines/s, samples/s, packets/s) are the counter deltas between two polls divided by the `uptime_seconds`
/// delta. `/?explain=<percent-encoded line>` runs the explainer on load (a `+` stays a plus, as in the API), so a
/// headless browser's `--dump-dom` captures the answer. Data goes into the DOM only through `textContent`.
enum StatusPage {
    /// How often the page polls, in milliseconds.
    static let pollIntervalMilliseconds = 2000

    static func html(version: String, telemetryPath: String) -> String {
        let links = [
            (telemetryPath, "Metrics"), (HTTPRouter.healthyPath, "Health"), (HTTPRouter.readyPath, "Readiness"),
            ("/api/v1/status", "Status JSON"), ("/api/v1/unmapped", "Unmapped JSON"),
            ("/api/v1/cardinality", "Cardinality JSON"),
        ]
        .map { "<a href=\"\(escapeHTML($0.0))\">\(escapeHTML($0.1))</a>" }
        .joined(separator: " · ")
        return #"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Tributary</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 64em; margin: 1.5em auto; padding: 0 1em; }
            h1 { margin: 0; }
            h2 { font-size: 1.05em; margin: 1.4em 0 .4em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; }
            th, td { padding: 1px 14px 1px 0; text-align: left; vertical-align: top; }
            th { font-weight: 600; color: #555; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            .cols { display: flex; flex-wrap: wrap; gap: 0 3em; }
            .ok { color: #176f2c; } .bad { color: #b3261e; } .muted { color: #777; }
            code, pre, input { font-family: ui-monospace, monospace; }
            pre { background: #f5f5f5; padding: .6em; overflow-x: auto; }
            input[type=text] { width: min(36em, 70vw); }
            #explain-result div { white-space: pre-wrap; font-family: ui-monospace, monospace; }
            </style>
            </head>
            <body>
            <h1>Tributary</h1>
            <p>StatsD and JSON feed to Prometheus exporter, version <span id="version">\#(escapeHTML(version))</span>
            · up <span id="uptime">…</span> · <span id="ready">…</span></p>
            <p>\#(links)</p>
            <p id="poll-error" class="bad"></p>
            <div class="cols">
            <section><h2>Ingest</h2>
            <table><thead><tr><th></th><th>total</th><th>per second</th></tr></thead><tbody id="ingest"></tbody></table>
            </section>
            <section><h2>Series by type</h2><table><tbody id="series"></tbody></table></section>
            <section><h2>Listeners</h2><table><tbody id="listeners"></tbody></table></section>
            </div>
            <div class="cols">
            <section><h2>Mapping config</h2><table><tbody id="reload"></tbody></table></section>
            <section id="storage-section" hidden><h2>Persistence</h2><table><tbody id="storage"></tbody></table></section>
            <section><h2>Rejected by reason</h2><table><tbody id="errors"></tbody></table></section>
            </div>
            <section><h2>Cardinality</h2>
            <p id="cardinality-note" class="muted"></p>
            <table><thead><tr><th>metric</th><th>type</th><th>series</th><th>budget</th><th>limited samples</th>
            <th>labels by distinct values (examples)</th></tr></thead>
            <tbody id="cardinality"></tbody></table>
            </section>
            <section><h2>Explain a StatsD line</h2>
            <form id="explain-form">
            <input type="text" id="explain-line" placeholder="web.home.requests:1|c|#env:prod" autocomplete="off">
            <button type="submit">Explain</button>
            </form>
            <div id="explain-result"></div>
            <details><summary>JSON</summary><pre id="explain-json"></pre></details>
            </section>
            <section><h2>Unmapped names</h2>
            <p id="unmapped-note" class="muted"></p>
            <table><thead><tr><th>name</th><th>protocol</th><th>type</th><th>exported as</th><th>samples</th><th>first seen</th></tr></thead>
            <tbody id="unmapped"></tbody></table>
            </section>
            <script>
            "use strict";
            const byId = (id) => document.getElementById(id);
            const fmt = (n, digits = 0) => Number(n).toLocaleString("en-US", { maximumFractionDigits: digits });

            // Replaces tbody's rows; each cell is text or [text, className].
            function fill(tbody, rows) {
              tbody.replaceChildren();
              for (const row of rows) {
                const tr = tbody.insertRow();
                for (const cell of row) {
                  const td = tr.insertCell();
                  const [text, cls] = Array.isArray(cell) ? cell : [cell, ""];
                  td.textContent = String(text);
                  if (cls) td.className = cls;
                }
              }
            }

            function duration(seconds) {
              const s = Math.floor(seconds), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
              const m = Math.floor(s % 3600 / 60);
              return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
            }

            async function getJSON(url) {
              const response = await fetch(url, { cache: "no-store" });
              return response.json();
            }

            let previous = null;
            const protocols = { statsd: "StatsD", json: "JSON feed", http: "HTTP" };

            // What a listener received: datagrams, or connections (open now, closed over the limit).
            function received(l) {
              const count = (n, noun) => `${fmt(n)} ${noun}${n === 1 ? "" : "s"}`;
              if (l.packets != null) return count(l.packets, "packet");
              if (l.connections == null) return "";
              return `${count(l.connections, "connection")}, ${fmt(l.open_connections)} open` +
                (l.rejected_connections ? `, ${fmt(l.rejected_connections)} rejected` : "");
            }

            function renderStatus(s) {
              byId("uptime").textContent = duration(s.uptime_seconds);
              byId("ready").textContent = s.ready ? "ready" : "not ready";
              byId("ready").className = s.ready ? "ok" : "bad";
              const dt = previous ? s.uptime_seconds - previous.uptime_seconds : 0;
              const rate = (key) => dt > 0 ? fmt((s.counters[key] - previous.counters[key]) / dt, 1) : "…";
              const ingest = [["StatsD lines", "lines"], ["StatsD samples", "samples"],
                              ["StatsD packets (UDP, unixgram)", "packets"], ["StatsD tag errors", "tag_errors"],
                              ["StatsD unmapped", "unmapped"], ["JSON feed lines", "json_lines"],
                              ["JSON feed samples", "json_samples"], ["JSON feed errors", "json_errors"],
                              ["JSON feed unmapped", "json_unmapped"], ["dropped by rules", "dropped"],
                              ["type conflicts", "conflicts"]];
              fill(byId("ingest"), ingest.map(([label, key]) => [label, [fmt(s.counters[key]), "n"], [rate(key), "n"]]));
              fill(byId("series"), Object.entries(s.series).map(([kind, n]) => [kind, [fmt(n), "n"]]));
              fill(byId("listeners"), s.listeners.map((l) => [
                protocols[l.protocol] ?? l.protocol, l.kind, l.address + (l.port != null ? ` (port ${l.port})` : ""),
                l.problem ? [l.problem, "bad"] : l.bound ? ["bound", "ok"] : ["not bound", "bad"], received(l)]));
              const r = s.reload, rows = [["file", r.path ?? "(none: every name unmapped)"], ["rules", fmt(r.rules)]];
              if (r.last_outcome) {
                rows.push(["last load", [`${r.last_outcome} at ${new Date(r.last_time * 1000).toLocaleString()}`,
                                         r.last_outcome === "success" ? "ok" : "bad"]]);
              }
              if (r.last_error) rows.push(["error", [r.last_error + " (previous mapping kept)", "bad"]]);
              rows.push(["reloads", `${fmt(r.successes)} ok, ${fmt(r.failures)} failed`]);
              fill(byId("reload"), rows);
              if (s.storage) {
                const st = s.storage, srows = [["directory", st.path]];
                srows.push(["last snapshot", st.last_write_time != null
                  ? [`${new Date(st.last_write_time * 1000).toLocaleString()} (${fmt(st.last_series)} series, ${fmt(st.last_size_bytes)} bytes, ${fmt(st.last_duration_seconds * 1000, 1)} ms)`, "ok"]
                  : ["none written yet", "muted"]]);
                if (st.last_error) srows.push(["error", [`${st.last_error} (${fmt(st.write_failures)} failed writes)`, "bad"]]);
                const dropped = Object.entries(st.restore_dropped).map(([reason, n]) => `${fmt(n)} ${reason}`);
                srows.push(["restored at start", `${fmt(st.restored_series)} series` + (dropped.length ? `; dropped ${dropped.join(", ")}` : "")]);
                fill(byId("storage"), srows);
                byId("storage-section").hidden = false;
              }
              const errors = [["StatsD", "errors"], ["JSON feed", "json_errors"]].flatMap(([protocol, key]) =>
                Object.entries(s[key]).filter(([, n]) => n > 0).map(([reason, n]) => {
                  const rate = dt > 0 ? fmt((n - previous[key][reason]) / dt, 1) + "/s" : "";
                  return [protocol, reason, [fmt(n), "n"], [rate, "n"]];
                }));
              fill(byId("errors"), errors.length ? errors : [[["none", "muted"]]]);
              previous = s;
            }

            function renderUnmapped(u) {
              byId("unmapped-note").textContent = u.names.length
                ? `${u.names.length} of at most ${u.limit} names, first seen first` + (u.overflow ? `; ${fmt(u.overflow)} more not recorded` : "")
                : "Every name seen so far matched a rule.";
              fill(byId("unmapped"), u.names.map((e) => [e.name, protocols[e.protocol] ?? e.protocol, e.statsd_type,
                                                          e.prometheus_name, [fmt(e.samples), "n"],
                                                          duration(e.first_seen_seconds_ago) + " ago"]));
            }

            function renderCardinality(c) {
              const total = `${fmt(c.total_series)} series in ${fmt(c.metric_names)} metric names`;
              byId("cardinality-note").textContent = total
                + (c.max_series ? ` (budget ${fmt(c.max_series)}, overflow: ${c.overflow})` : " (no overall budget)")
                + (c.metrics.length < c.metric_names ? `; the ${c.metrics.length} largest:` : "");
              fill(byId("cardinality"), c.metrics.map((m) => [
                m.name, m.type, [fmt(m.series), "n"],
                [m.budget ? `${fmt(m.budget)} (${m.budget_source})` : "none", "n"],
                [fmt(m.limited_samples), m.limited_samples ? "n bad" : "n"],
                m.labels.map((l) => `${l.name}: ${fmt(l.distinct_values)} (${l.example_values.join(", ")}`
                                    + (l.distinct_values > l.example_values.length ? ", …)" : ")")).join("; ")]));
            }

            async function poll() {
              try {
                renderStatus(await getJSON("/api/v1/status"));
                renderUnmapped(await getJSON("/api/v1/unmapped"));
                renderCardinality(await getJSON("/api/v1/cardinality?limit=10"));
                byId("poll-error").textContent = "";
              } catch (error) {
                byId("poll-error").textContent = `Cannot read /api/v1/status: ${error}`;
              }
            }

            // One line of the explainer's answer.
            function say(text, cls) {
              const div = document.createElement("div");
              div.textContent = text;
              if (cls) div.className = cls;
              byId("explain-result").append(div);
            }

            const ruleText = (r) => `rule ${r.index} "${r.match}" (${r.match_type})`;

            async function explain(line) {
              byId("explain-result").replaceChildren();
              byId("explain-json").textContent = "";
              let body;
              try {
                body = await getJSON("/api/v1/explain?line=" + encodeURIComponent(line));
              } catch (error) {
                say(`Cannot reach the explainer: ${error}`, "bad");
                return;
              }
              byId("explain-json").textContent = JSON.stringify(body, null, 2);
              if (body.error) say(`rejected: ${body.error}`, "bad");
              if (body.name) say(`name: ${body.name}` + (body.tags?.length ? `  tags: ${body.tags.map((t) => `${t.name}="${t.value}"`).join(", ")}` : ""));
              for (const s of body.samples ?? []) {
                say(s.error ? `sample rejected: ${s.error}` : `sample: ${s.statsd_type} value ${s.value}` + (s.sample_rate !== 1 ? ` @${s.sample_rate}` : ""),
                    s.error ? "bad" : "");
              }
              for (const result of body.results ?? []) {
                const m = result.mapping;
                say(m.matched_rule ? `as ${result.statsd_type} (${m.metric_class}): ${ruleText(m.matched_rule)} matched`
                                   : `as ${result.statsd_type} (${m.metric_class}): no rule matched, the escaped name is kept`);
                for (const skipped of m.skipped_rules) say(`  ${ruleText(skipped.rule)} skipped: ${skipped.reason.replaceAll("_", " ")}`, "muted");
                if (m.action === "drop") { say("  dropped (action: drop)"); continue; }
                say(`  → ${result.prometheus_type} ${result.series}`);
                if (result.labels.length) say("  labels: " + result.labels.map((l) => `${l.name}="${l.value}" (${l.source.replaceAll("_", " ")})`).join(", "));
                if (result.dropped_labels?.length) {
                  say("  dropped by label rules: " + result.dropped_labels.map((l) => `${l.name}="${l.value}"`).join(", "), "muted");
                }
                const existing = result.existing;
                if (existing?.conflict) {
                  const c = existing.conflict;
                  say(`  conflict: ${c.family} is already a ${c.existing_type} (${c.reason}); the sample would be dropped`, "bad");
                } else if (existing) {
                  say(existing.series_exists ? "  this series is live" : existing.family_type ? `  new series of the live ${existing.family_type} ${m.metric_name}` : "  new metric", "ok");
                }
              }
            }

            byId("explain-form").addEventListener("submit", (event) => {
              event.preventDefault();
              const line = byId("explain-line").value.trim();
              if (line) explain(line);
            });

            // `?explain=` is percent-decoded like the API's `line`: a "+" stays a plus.
            const query = location.search.slice(1).split("&").map((item) => item.split("="));
            const requested = query.find(([name]) => name === "explain");
            if (requested && requested[1]) {
              let line = "";
              try { line = decodeURIComponent(requested[1]); } catch { line = requested[1]; }
              byId("explain-line").value = line;
              explain(line);
            }
            poll();
            setInterval(poll, \#(pollIntervalMilliseconds));
            </script>
            </body>
            </html>

            """#
    }

    static func escapeHTML(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
