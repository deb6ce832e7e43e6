'use strict';
// Tributary's Node.js client: prom-client-shaped metrics written to Tributary's JSON feed (a Unix stream socket).
//
// Recording (inc/set/observe) only updates a per-series entry in memory; once per event-loop turn (setImmediate)
// the entries touched in that turn are written as one or more JSON-array lines. Writes are non-blocking; while
// Tributary is away the lines wait in a bounded queue, and what does not fit is dropped and counted
// (feed_client_dropped_samples_total). No call into this module throws after a metric has been constructed.
// No runtime dependencies: node:net, node:fs, node:v8, node:perf_hooks, node:cluster only.

const net = require('net');
const fs = require('fs');
const v8 = require('v8');
const cluster = require('cluster');
const perfHooks = require('perf_hooks');

const DEFAULT_SOCKET = '/var/run/metrics/metrics.sock'; // deploy/kubernetes: --json.listen-unix=/var/run/metrics/metrics.sock
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_VALUES_PER_OBJECT = 2000; // keeps one object far below Tributary's 64 KiB line limit
const MAX_EXEMPLARS_PER_SERIES = 8; // per flush; further observations are recorded without their exemplar
const DROP_REASONS = ['queue_full', 'connection_lost', 'invalid', 'too_large'];
const UNDEF = Symbol('unset label');

function envInt(name) {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function defaultWorker() {
  if (process.env.TRIBUTARY_WORKER) return process.env.TRIBUTARY_WORKER;
  if (process.env.NODE_APP_INSTANCE !== undefined && process.env.NODE_APP_INSTANCE !== '') {
    return process.env.NODE_APP_INSTANCE; // PM2: stable across restarts
  }
  if (cluster.isWorker && cluster.worker) return String(cluster.worker.id);
  return null; // a single process: gauges need no worker label
}

function safe(fn) {
  try {
    return fn();
  } catch (_) {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Client: the connection, the per-turn batch and the bounded queue.

class Client {
  constructor(options = {}) {
    this.socketPath = options.socketPath || process.env.TRIBUTARY_FEED_SOCKET || DEFAULT_SOCKET;
    this.maxQueueBytes = options.maxQueueBytes ?? envInt('TRIBUTARY_FEED_MAX_QUEUE_BYTES') ?? 4 * 1024 * 1024;
    this.maxLineBytes = options.maxLineBytes ?? 60 * 1024; // Tributary's --json.max-line-bytes default is 65536
    this.maxInFlightBytes = options.maxInFlightBytes ?? 1024 * 1024;
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.interval = options.interval ?? envInt('TRIBUTARY_FEED_INTERVAL_MS') ?? 5000;
    this.flushIntervalMs = options.flushIntervalMs ?? 0; // 0: every event-loop turn
    this.onError = typeof options.onError === 'function' ? options.onError : null;
    const worker = options.worker === undefined ? defaultWorker() : options.worker;
    this.workerLabel = options.workerLabel || 'worker';
    this.worker = worker === null || worker === false ? null : String(worker);
    this.metrics = new Map();
    this.defaultLabels = {};
    if (options.defaultLabels) this.setDefaultLabels(options.defaultLabels);

    this.dirty = [];
    this.scheduled = false;
    this.queue = []; // {text, samples, bytes}
    this.queueHead = 0;
    this.queueBytes = 0;
    this.socket = null;
    this.connected = false;
    this.closed = false;
    this.epoch = 0;
    this.backoff = this.minBackoffMs;
    this.reconnectTimer = null;
    this.collectors = [];
    this.timer = null;
    this.stats_ = { sentSamples: 0, sentLines: 0, connects: 0, connectErrors: 0, lastError: null };
    this.dropped = Object.create(null);
    for (const r of DROP_REASONS) this.dropped[r] = 0;
    this.reportedDropped = Object.create(null);
    for (const r of DROP_REASONS) this.reportedDropped[r] = 0;
    this.selfInFlight = false;
  }

  // --- registry (prom-client's `register` surface where it makes sense for a push client) ---
  registerMetric(metric) {
    if (this.metrics.has(metric.name)) {
      throw new Error('A metric with the name ' + metric.name + ' has already been registered.');
    }
    this.metrics.set(metric.name, metric);
    this._startTimer();
  }

  getSingleMetric(name) {
    return this.metrics.get(name);
  }

  getMetricsAsArray() {
    return Array.from(this.metrics.values());
  }

  removeSingleMetric(name) {
    this.metrics.delete(name);
  }

  clear() {
    this.metrics.clear();
    this.collectors = [];
  }

  setDefaultLabels(labels) {
    const out = {};
    for (const k of Object.keys(labels || {})) {
      if (LABEL_RE.test(k)) out[k] = String(labels[k]);
    }
    this.defaultLabels = out;
    for (const m of this.metrics.values()) m._invalidateHeads();
  }

  stats() {
    let droppedTotal = 0;
    for (const r of DROP_REASONS) droppedTotal += this.dropped[r];
    return {
      socketPath: this.socketPath,
      connected: this.connected,
      queuedBytes: this.queueBytes,
      queuedLines: this.queue.length - this.queueHead,
      sentSamples: this.stats_.sentSamples,
      sentLines: this.stats_.sentLines,
      connects: this.stats_.connects,
      connectErrors: this.stats_.connectErrors,
      lastError: this.stats_.lastError,
      dropped: Object.assign({}, this.dropped),
      droppedTotal,
    };
  }

  // --- recording side ---
  _markDirty(metric) {
    this.dirty.push(metric);
    if (!this.scheduled && !this.closed) {
      this.scheduled = true;
      if (this.flushIntervalMs > 0) setTimeout(() => this.flush(), this.flushIntervalMs);
      else setImmediate(() => this.flush());
    }
  }

  _drop(samples, reason) {
    if (samples > 0) this.dropped[reason] += samples;
  }

  _report(err) {
    if (this.onError) safe(() => this.onError(err));
  }

  // Serializes what was recorded since the last flush into JSON-array lines and queues them.
  flush() {
    this.scheduled = false;
    const metrics = this.dirty;
    if (metrics.length === 0) return;
    this.dirty = [];
    try {
      if (this.queueBytes >= this.maxQueueBytes) {
        // Tributary is away or slow and the queue is full: count what is lost without serializing it.
        for (const m of metrics) this._drop(m._discard(), 'queue_full');
        this._ensureConnection();
        return;
      }
      // Metadata (help, unit, buckets) can be sent once per connection only when the line goes straight to the
      // current connection; a line that waits may reach a restarted Tributary, so it carries the metadata.
      const once = this.connected && this.queue.length === this.queueHead &&
        this.socket.writableLength < this.maxInFlightBytes;
      const batch = new Batch(this, once);
      for (const m of metrics) m._serialize(batch);
      batch.end();
    } catch (err) {
      this._report(err);
    }
  }

  _enqueue(text, samples, bytes) {
    if (this.queueBytes + bytes > this.maxQueueBytes) {
      this._drop(samples, 'queue_full');
      this._ensureConnection();
      return;
    }
    this.queue.push({ text, samples, bytes });
    this.queueBytes += bytes;
    this._pump();
  }

  _pump() {
    try {
      this._pumpUnsafe();
    } catch (err) {
      this._report(err); // never into the application, whichever event called us
    }
  }

  _pumpUnsafe() {
    if (!this.connected) {
      this._ensureConnection();
      return;
    }
    const socket = this.socket;
    while (this.queueHead < this.queue.length && socket.writableLength < this.maxInFlightBytes) {
      let text = '';
      let samples = 0;
      let bytes = 0;
      while (this.queueHead < this.queue.length && bytes < 256 * 1024) {
        const item = this.queue[this.queueHead];
        this.queue[this.queueHead++] = undefined;
        text += item.text;
        samples += item.samples;
        bytes += item.bytes;
      }
      this.queueBytes -= bytes;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      if (this.queueHead === this.queue.length) {
        this.queue = [];
        this.queueHead = 0;
      }
      const ok = socket.write(text, (err) => {
        if (err) this._drop(samples, 'connection_lost');
        else {
          this.stats_.sentSamples += samples;
          this.stats_.sentLines += 1;
        }
      });
      if (!ok) break; // 'drain' calls _pump again
    }
  }

  _ensureConnection() {
    if (this.socket || this.reconnectTimer || this.closed) return;
    let socket;
    try {
      socket = net.createConnection({ path: this.socketPath });
    } catch (err) {
      this.stats_.lastError = String(err && err.code || err);
      this._scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.unref(); // metrics never keep the application alive
    socket.on('connect', () => {
      this.connected = true;
      this.epoch++;
      this.backoff = this.minBackoffMs;
      this.stats_.connects++;
      this._refresh(true); // a restarted Tributary gets every gauge again and every counter series (at +0)
      this._pump();
    });
    socket.on('drain', () => this._pump());
    socket.on('data', () => {}); // Tributary never writes; keep the readable side flowing anyway
    socket.on('error', (err) => {
      this.stats_.lastError = String(err && err.code || err);
      if (!this.connected) this.stats_.connectErrors++;
      this._report(err);
    });
    socket.on('close', () => {
      this.connected = false;
      this.socket = null;
      this._scheduleReconnect();
    });
  }

  _scheduleReconnect() {
    if (this.closed || this.reconnectTimer) return;
    const jitter = 0.8 + Math.random() * 0.4;
    const delay = Math.round(this.backoff * jitter);
    this.backoff = Math.min(this.maxBackoffMs, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      // Only reconnect when there is something to send; the next record or refresh brings us back otherwise.
      if (this.queue.length > this.queueHead || this.dirty.length > 0 || this.collectors.length > 0 ||
          this.metrics.size > 0) {
        this._ensureConnection();
      }
    }, delay);
    this.reconnectTimer.unref();
  }

  // --- periodic work: collectors (default metrics, Gauge collect()), gauge refresh, self-metrics ---
  _startTimer() {
    if (this.timer || this.closed || !(this.interval > 0)) return;
    this.timer = setInterval(() => this._tick(), this.interval);
    this.timer.unref();
  }

  _tick() {
    for (const c of this.collectors) {
      try {
        const r = c();
        if (r && typeof r.catch === 'function') r.catch((err) => this._report(err));
      } catch (err) {
        this._report(err);
      }
    }
    for (const m of this.metrics.values()) {
      if (typeof m.collect === 'function') {
        try {
          const r = m.collect();
          if (r && typeof r.catch === 'function') r.catch((err) => this._report(err));
        } catch (err) {
          this._report(err);
        }
      }
    }
    if (this.connected) {
      this._refresh(false); // while away, the refresh on reconnect resends everything
      this._selfReport();
    }
  }

  // Re-sends current gauge values (and, on a new connection, every counter series at +0) so that a Tributary
  // that restarted has them again.
  _refresh(newConnection) {
    for (const m of this.metrics.values()) {
      try {
        m._refresh(newConnection);
      } catch (err) {
        this._report(err);
      }
    }
    if (newConnection) this._selfReport();
  }

  // The client's own counters: sent as a line of their own (outside the queue bound, a few hundred bytes) and
  // committed only once written, so a drop is never lost from the count.
  _selfReport() {
    try {
      this._selfReportUnsafe();
    } catch (err) {
      this.selfInFlight = false;
      this._report(err);
    }
  }

  _selfReportUnsafe() {
    if (this.selfInFlight || !this.connected) return;
    const objects = [];
    const deltas = {};
    for (const r of DROP_REASONS) {
      const d = this.dropped[r] - this.reportedDropped[r];
      if (d > 0 || this.reportedEpoch !== this.epoch) {
        deltas[r] = d;
        objects.push('{"name":"feed_client_dropped_samples_total","type":"counter","help":' +
          '"Samples the Tributary client dropped before they reached the socket, by reason.","labels":' +
          JSON.stringify(Object.assign({}, this.defaultLabels, { reason: r })) + ',"value":' + d + '}');
      }
    }
    objects.push('{"name":"feed_client_queue_bytes","type":"gauge","help":"Bytes waiting in the Tributary client' +
      '\'s queue.","labels":' + JSON.stringify(this._gaugeLabels({})) + ',"value":' + this.queueBytes + '}');
    this.reportedEpoch = this.epoch;
    const text = '[' + objects.join(',') + ']\n';
    this.selfInFlight = true;
    const socket = this.socket;
    socket.write(text, (err) => {
      this.selfInFlight = false;
      if (!err) for (const r of Object.keys(deltas)) this.reportedDropped[r] += deltas[r];
      else this.reportedEpoch = -1;
    });
  }

  _gaugeLabels(labels) {
    if (this.worker === null || labels[this.workerLabel] !== undefined) return labels;
    const out = Object.assign({}, labels);
    out[this.workerLabel] = this.worker;
    return out;
  }

  // Flushes what is recorded, then waits (bounded) until the queue is written. Never rejects.
  close(timeoutMs = 2000) {
    return new Promise((resolve) => {
      this.flush();
      const deadline = Date.now() + timeoutMs;
      const finish = () => {
        this.closed = true;
        if (this.timer) clearInterval(this.timer);
        if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
        this.timer = null;
        this.reconnectTimer = null;
        for (const stop of this._stops || []) safe(stop);
        const socket = this.socket;
        if (socket && this.connected) {
          // Bounded, and referenced so that `await close()` always settles.
          const timer = setTimeout(() => {
            socket.destroy();
            resolve();
          }, Math.max(0, deadline - Date.now()));
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.end();
        } else {
          if (socket) socket.destroy();
          resolve();
        }
      };
      const wait = () => {
        const pending = this.queue.length - this.queueHead;
        const inflight = this.socket ? this.socket.writableLength : 0;
        if ((pending === 0 && inflight === 0) || Date.now() >= deadline) return finish();
        if (!this.socket) this._ensureConnection();
        setTimeout(wait, 10);
      };
      wait();
    });
  }

  _onStop(fn) {
    (this._stops || (this._stops = [])).push(fn);
  }
}

// One flush's output: objects joined into JSON-array lines no longer than maxLineBytes.
class Batch {
  constructor(client, once) {
    this.client = client;
    this.once = once;
    this.parts = [];
    this.bytes = 2;
    this.samples = 0;
  }

  // Whether `metric` must carry its metadata in this batch (the first object of the metric in the batch).
  meta(metric) {
    if (metric._metaBatch === this) return false;
    metric._metaBatch = this;
    if (this.once && metric._announced === this.client.epoch) return false;
    if (this.once) metric._announced = this.client.epoch;
    return true;
  }

  add(text, bytes, samples) {
    const max = this.client.maxLineBytes;
    if (bytes + 3 > max) {
      this.client._drop(samples, 'too_large');
      return;
    }
    if (this.parts.length > 0 && this.bytes + bytes + 1 > max) this.end();
    this.parts.push(text);
    this.bytes += bytes + 1;
    this.samples += samples;
  }

  end() {
    if (this.parts.length === 0) return;
    const text = '[' + this.parts.join(',') + ']\n';
    const bytes = this.bytes;
    const samples = this.samples;
    this.parts = [];
    this.bytes = 2;
    this.samples = 0;
    this.client._enqueue(text, samples, bytes);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics

function getDefaultClient() {
  if (!defaultClient) defaultClient = new Client();
  return defaultClient;
}
let defaultClient = null;

function pickClient(config) {
  if (config.client instanceof Client) return config.client;
  if (Array.isArray(config.registers) && config.registers[0] instanceof Client) return config.registers[0];
  return getDefaultClient();
}

function normalizeExemplar(e) {
  if (!e || typeof e !== 'object') return null;
  const trace = e.traceId ?? e.trace_id ?? e.traceID;
  if (trace === undefined || trace === null || trace === '') return null;
  const out = { trace_id: String(trace) };
  const span = e.spanId ?? e.span_id ?? e.spanID;
  if (span !== undefined && span !== null && span !== '') out.span_id = String(span);
  return out;
}

class Metric {
  constructor(type, config, defaults = {}) {
    if (!config || typeof config !== 'object') throw new TypeError('Metric options must be an object');
    const name = config.name;
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new TypeError('Invalid metric name: ' + name);
    if (name.startsWith('tributary_')) throw new TypeError('Names starting with tributary_ are reserved: ' + name);
    if (typeof config.help !== 'string' || config.help === '') throw new TypeError('Missing mandatory help parameter');
    const labelNames = config.labelNames ? Array.from(config.labelNames) : [];
    for (const l of labelNames) {
      if (typeof l !== 'string' || !LABEL_RE.test(l)) throw new TypeError('Invalid label name: ' + l);
    }
    if (config.unit !== undefined && typeof config.unit !== 'string') throw new TypeError('unit must be a string');
    this.type = type;
    this.name = name;
    this.help = config.help;
    this.unit = config.unit || undefined;
    this.labelNames = labelNames;
    this.labelSet = new Set(labelNames);
    this.enableExemplars = Boolean(config.enableExemplars);
    this.aggregator = config.aggregator || defaults.aggregator || 'sum';
    this.client = pickClient(config);
    this.root = new Map(); // label value -> … -> Series
    this.all = []; // every series, for refreshes
    this.single = null; // the series without labels (fast path)
    this.pending = []; // series touched since the last flush
    this._announced = -1;
    this._metaBatch = null;
    if (typeof config.collect === 'function') this.collect = config.collect;
    this.client.registerMetric(this);
  }

  // The series for a label object, or null (invalid labels are dropped and counted, never thrown). Series live in
  // nested Maps, one level per label name, so the hot path is one Map lookup per label and no string building.
  _get(labels) {
    if (labels === undefined || labels === null) return this.single || this._slowGet(undefined);
    const names = this.labelNames;
    let node = this.root;
    let defined = 0;
    for (let i = 0; i < names.length; i++) {
      let v = labels[names[i]];
      if (v === undefined) v = UNDEF;
      else {
        defined++;
        if (typeof v !== 'string') v = String(v);
      }
      const next = node.get(v);
      if (next === undefined) return this._slowGet(labels);
      node = next;
    }
    let count = 0;
    for (const _ in labels) count++; // eslint-disable-line no-unused-vars
    if (count !== defined || defined === 0) return this._slowGet(labels);
    return node;
  }

  _slowGet(labels) {
    let defined = 0;
    if (labels !== undefined && labels !== null) {
      for (const k in labels) {
        if (labels[k] === undefined) continue;
        if (!this.labelSet.has(k)) {
          this.client._drop(1, 'invalid'); // a label not in labelNames
          return null;
        }
        defined++;
      }
    }
    if (defined === 0) {
      if (!this.single) {
        this.single = new Series({});
        this.all.push(this.single);
      }
      return this.single;
    }
    const names = this.labelNames;
    let node = this.root;
    for (let i = 0; i < names.length; i++) {
      const raw = labels[names[i]];
      const v = raw === undefined ? UNDEF : String(raw);
      let next = node.get(v);
      if (next === undefined) {
        if (i === names.length - 1) {
          const copy = {};
          for (const n of names) if (labels[n] !== undefined) copy[n] = String(labels[n]);
          next = new Series(copy);
          this.all.push(next);
        } else next = new Map();
        node.set(v, next);
      }
      node = next;
    }
    return node;
  }

  _touch(s) {
    if (s.dirty) return;
    s.dirty = true;
    if (this.pending.length === 0) this.client._markDirty(this);
    this.pending.push(s);
  }

  _labelsFor(s) {
    const d = this.client.defaultLabels;
    let labels = s.labels;
    for (const k in d) {
      if (labels[k] === undefined) {
        labels = Object.assign({}, d, s.labels);
        break;
      }
    }
    if (this.type === 'gauge') labels = this.client._gaugeLabels(labels);
    return labels;
  }

  // `{"name":…,"type":…,"labels":{…}` for a series, cached with its UTF-8 length.
  _head(s) {
    if (s.head === null) {
      const labels = this._labelsFor(s);
      let head = '{"name":' + JSON.stringify(this.name) + ',"type":"' + this.type + '"';
      if (Object.keys(labels).length > 0) head += ',"labels":' + JSON.stringify(labels);
      s.head = head;
      s.headBytes = Buffer.byteLength(head);
    }
    return s.head;
  }

  _metaText() {
    if (this._meta === undefined) {
      let m = ',"help":' + JSON.stringify(this.help);
      if (this.unit) m += ',"unit":' + JSON.stringify(this.unit);
      if (this.buckets) m += ',"buckets":[' + this.buckets.join(',') + ']';
      this._meta = m;
      this._metaBytes = Buffer.byteLength(m);
    }
    return this._meta;
  }

  _invalidateHeads() {
    for (const s of this.all) s.head = null;
  }

  _discard() {
    let calls = 0;
    for (const s of this.pending) {
      calls += s.calls;
      s.reset();
    }
    this.pending = [];
    return calls;
  }

  _serialize(batch) {
    const list = this.pending;
    this.pending = [];
    for (const s of list) {
      try {
        this._emit(batch, s);
      } catch (err) {
        this.client._report(err);
      }
      s.reset();
    }
  }

  // Emits one object: head, metadata when due, `,"value":<valueText>`, extra, `}`.
  _object(batch, s, valueText, extra, samples) {
    let text = this._head(s);
    let bytes = s.headBytes;
    if (batch.meta(this)) {
      text += this._metaText();
      bytes += this._metaBytes;
    }
    text += ',"value":' + valueText + extra + '}';
    bytes += 10 + valueText.length + (extra === '' ? 0 : Buffer.byteLength(extra)) + 1;
    batch.add(text, bytes, samples);
  }

  _exemplarText(e) {
    return ',"exemplar":' + JSON.stringify(e.exemplar) + ',"timestamp":' + e.timestamp;
  }

  _refresh() {}

  get(labels) {
    return this._get(labels);
  }

  // prom-client compatibility: these keep local state only; Tributary's series stay until its TTL removes them.
  reset() {
    this.root = new Map();
    this.all = [];
    this.single = null;
  }

  remove(...args) {
    const labels = args.length === 1 && typeof args[0] === 'object' ? args[0] : this._positional(args);
    const s = this._get(labels);
    if (s === null) return;
    if (s === this.single) this.single = null;
    else {
      // Unlink the leaf: the last level's Map holds it under the last label's value.
      let node = this.root;
      const names = this.labelNames;
      for (let i = 0; i < names.length - 1; i++) {
        const v = labels[names[i]];
        node = node.get(v === undefined ? UNDEF : String(v));
      }
      const last = labels[names[names.length - 1]];
      node.delete(last === undefined ? UNDEF : String(last));
    }
    const i = this.all.indexOf(s);
    if (i >= 0) this.all.splice(i, 1);
  }

  _positional(values) {
    const labels = {};
    for (let i = 0; i < this.labelNames.length && i < values.length; i++) labels[this.labelNames[i]] = values[i];
    return labels;
  }
}

class Series {
  constructor(labels) {
    this.labels = labels;
    this.head = null;
    this.headBytes = 0;
    this.dirty = false;
    this.calls = 0;
    this.sum = 0; // counter: increments since the last flush
    this.values = null; // histogram/summary: observations since the last flush
    this.exemplars = null;
    this.value = 0; // gauge: current value
    this.set = false; // gauge: a value was set
    this.zero = false; // counter: send +0 (series creation, reconnect)
  }

  reset() {
    this.dirty = false;
    this.calls = 0;
    this.sum = 0;
    this.values = null;
    this.exemplars = null;
    this.zero = false;
  }
}

function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

class Counter extends Metric {
  constructor(config) {
    super('counter', config);
  }

  // inc(), inc(value), inc(labels), inc(labels, value), inc(labels, value, {traceId, spanId}),
  // and with enableExemplars: inc({ labels, value, exemplarLabels: { traceId, spanId } }) as in prom-client.
  inc(a, b, c) {
    try {
      let labels;
      let value = 1;
      let exemplar = null;
      if (typeof a === 'number') {
        value = a;
        exemplar = b ? normalizeExemplar(b) : null;
      } else if (a && this.enableExemplars && ('exemplarLabels' in a || ('value' in a && 'labels' in a))) {
        labels = a.labels;
        if (a.value !== undefined) value = a.value;
        exemplar = normalizeExemplar(a.exemplarLabels);
      } else {
        labels = a;
        if (b !== undefined) value = b;
        exemplar = c ? normalizeExemplar(c) : null;
      }
      if (!isNumber(value) || value < 0) {
        this.client._drop(1, 'invalid');
        return;
      }
      const s = this._get(labels);
      if (s === null) return;
      if (exemplar && (s.exemplars === null || s.exemplars.length < MAX_EXEMPLARS_PER_SERIES)) {
        (s.exemplars || (s.exemplars = [])).push({ value, exemplar, timestamp: Date.now() });
      } else {
        s.sum += value;
        if (value === 0) s.zero = true;
      }
      s.calls++;
      this._touch(s);
    } catch (_) {
      // never throw into the application
    }
  }

  labels(...args) {
    const labels = args.length === 1 && typeof args[0] === 'object' ? args[0] : this._positional(args);
    return { inc: (value, exemplar) => this.inc(labels, value, exemplar) };
  }

  _emit(batch, s) {
    let calls = s.calls;
    if (s.exemplars) {
      for (const e of s.exemplars) this._object(batch, s, String(e.value), this._exemplarText(e), 1);
      calls -= s.exemplars.length;
    }
    if (s.sum > 0 || s.zero || !s.exemplars) this._object(batch, s, String(s.sum), '', calls);
  }

  _refresh(newConnection) {
    // Only a reconnection can mean a fresh Tributary that lost the series; the first connection gets the queue.
    if (!newConnection || this.client.epoch < 2) return;
    for (const s of this.all) {
      s.zero = true;
      this._touch(s);
    }
  }
}

class Gauge extends Metric {
  constructor(config) {
    super('gauge', config);
  }

  _apply(labels, fn, value) {
    try {
      if (!isNumber(value)) {
        this.client._drop(1, 'invalid');
        return;
      }
      const s = this._get(labels);
      if (s === null) return;
      s.value = fn(s.value, value);
      s.set = true;
      s.calls++;
      this._touch(s);
    } catch (_) {
      // never throw into the application
    }
  }

  // set(value) or set(labels, value)
  set(a, b) {
    if (typeof a === 'number' || (a === undefined && b === undefined)) return this._apply(undefined, (_, v) => v, a);
    return this._apply(a, (_, v) => v, b);
  }

  inc(a, b) {
    if (typeof a === 'number') return this._apply(undefined, (o, v) => o + v, a);
    if (a === undefined) return this._apply(undefined, (o, v) => o + v, 1);
    return this._apply(a, (o, v) => o + v, b === undefined ? 1 : b);
  }

  dec(a, b) {
    if (typeof a === 'number') return this._apply(undefined, (o, v) => o - v, a);
    if (a === undefined) return this._apply(undefined, (o, v) => o - v, 1);
    return this._apply(a, (o, v) => o - v, b === undefined ? 1 : b);
  }

  setToCurrentTime(labels) {
    return this._apply(labels, (_, v) => v, Date.now() / 1000);
  }

  startTimer(labels) {
    const start = process.hrtime.bigint();
    return (more) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.set(Object.assign({}, labels, more), seconds);
      return seconds;
    };
  }

  labels(...args) {
    const labels = args.length === 1 && typeof args[0] === 'object' ? args[0] : this._positional(args);
    return {
      set: (v) => this.set(labels, v),
      inc: (v) => this.inc(labels, v),
      dec: (v) => this.dec(labels, v),
      setToCurrentTime: () => this.setToCurrentTime(labels),
      startTimer: () => this.startTimer(labels),
    };
  }

  _emit(batch, s) {
    if (!s.set) return;
    this._object(batch, s, String(s.value), '', s.calls);
  }

  _refresh() {
    for (const s of this.all) if (s.set) this._touch(s);
  }
}

class Histogram extends Metric {
  constructor(config, type = 'histogram') {
    super(type, config);
    if (type === 'histogram') {
      const buckets = config.buckets ? Array.from(config.buckets) : DEFAULT_BUCKETS.slice();
      const finite = buckets.filter((b) => b !== Infinity && b !== '+Inf');
      for (let i = 0; i < finite.length; i++) {
        if (!isNumber(finite[i]) || (i > 0 && finite[i] <= finite[i - 1])) {
          throw new TypeError('buckets must be strictly increasing numbers');
        }
      }
      this.buckets = finite;
    } else {
      this.percentiles = config.percentiles || [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999];
      this.maxAgeSeconds = config.maxAgeSeconds;
      this.ageBuckets = config.ageBuckets;
    }
  }

  // observe(value), observe(labels, value), observe(labels, value, {traceId, spanId}),
  // and with enableExemplars: observe({ labels, value, exemplarLabels }) as in prom-client.
  observe(a, b, c) {
    try {
      let labels;
      let value;
      let exemplar = null;
      if (typeof a === 'number') {
        value = a;
        exemplar = b ? normalizeExemplar(b) : null;
      } else if (a && this.enableExemplars && 'value' in a && ('labels' in a || 'exemplarLabels' in a)) {
        labels = a.labels;
        value = a.value;
        exemplar = normalizeExemplar(a.exemplarLabels);
      } else {
        labels = a;
        value = b;
        exemplar = c ? normalizeExemplar(c) : null;
      }
      this._observe(labels, value, exemplar);
    } catch (_) {
      // never throw into the application
    }
  }

  _observe(labels, value, exemplar) {
    if (!isNumber(value)) {
      this.client._drop(1, 'invalid');
      return;
    }
    const s = this._get(labels);
    if (s === null) return;
    if (exemplar && this.type === 'histogram' &&
        (s.exemplars === null || s.exemplars.length < MAX_EXEMPLARS_PER_SERIES)) {
      (s.exemplars || (s.exemplars = [])).push({ value, exemplar, timestamp: Date.now() });
    } else if (s.values === null) s.values = [value];
    else s.values.push(value);
    s.calls++;
    this._touch(s);
  }

  startTimer(labels, exemplar) {
    const start = process.hrtime.bigint();
    return (more, endExemplar) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      try {
        const all = more ? Object.assign({}, labels, more) : labels;
        this._observe(all, seconds, normalizeExemplar(endExemplar || exemplar));
      } catch (_) {
        // never throw into the application
      }
      return seconds;
    };
  }

  labels(...args) {
    const labels = args.length === 1 && typeof args[0] === 'object' ? args[0] : this._positional(args);
    return {
      observe: (v, e) => this.observe(labels, v, e),
      startTimer: (e) => this.startTimer(labels, e),
    };
  }

  zero(labels) {
    // Creating a series without an observation is not possible on the feed; kept for API compatibility.
    this._get(labels);
  }

  _emit(batch, s) {
    if (s.exemplars) {
      for (const e of s.exemplars) this._object(batch, s, String(e.value), this._exemplarText(e), 1);
    }
    const values = s.values;
    if (values === null) return;
    if (values.length === 1) {
      this._object(batch, s, String(values[0]), '', 1);
      return;
    }
    for (let i = 0; i < values.length; i += MAX_VALUES_PER_OBJECT) {
      const chunk = i === 0 && values.length <= MAX_VALUES_PER_OBJECT ? values : values.slice(i, i + MAX_VALUES_PER_OBJECT);
      this._object(batch, s, '[' + chunk.join(',') + ']', '', chunk.length);
    }
  }
}

class Summary extends Histogram {
  constructor(config) {
    super(config, 'summary');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Default metrics: prom-client's names and label sets, measured with perf_hooks, v8 and process.

function collectDefaultMetrics(config = {}) {
  const client = config.client instanceof Client ? config.client
    : (config.register instanceof Client ? config.register : getDefaultClient());
  if (client._defaultMetrics) return client._defaultMetrics;
  const prefix = config.prefix || '';
  const extra = config.labels || {};
  const extraNames = Object.keys(extra);
  const processLabel = config.processLabel === undefined ? 'app' : config.processLabel;
  const procLabels = Object.assign({}, extra);
  if (processLabel) procLabels.process = String(processLabel);
  const procNames = Object.keys(procLabels);
  const mk = (Kind, name, help, labelNames, more) => new Kind(Object.assign({
    name: prefix + name, help, labelNames: (labelNames || []).concat(name.startsWith('process_') ? procNames : extraNames),
    client,
  }, more || {}));
  const P = (labels) => Object.assign({}, labels, procLabels);
  const L = (labels) => Object.assign({}, labels, extra);

  const cpuUser = mk(Counter, 'process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', [], { unit: 'seconds' });
  const cpuSystem = mk(Counter, 'process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', [], { unit: 'seconds' });
  const cpuTotal = mk(Counter, 'process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', [], { unit: 'seconds' });
  const startTime = mk(Gauge, 'process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', [], { unit: 'seconds' });
  const rss = mk(Gauge, 'process_resident_memory_bytes', 'Resident memory size in bytes.', [], { unit: 'bytes' });
  const vsize = mk(Gauge, 'process_virtual_memory_bytes', 'Virtual memory size in bytes.', [], { unit: 'bytes' });
  const heapBytes = mk(Gauge, 'process_heap_bytes', 'Process heap size in bytes.', [], { unit: 'bytes' });
  const openFds = mk(Gauge, 'process_open_fds', 'Number of open file descriptors.');
  const maxFds = mk(Gauge, 'process_max_fds', 'Maximum number of open file descriptors.');
  const lag = mk(Gauge, 'nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', [], { unit: 'seconds' });
  const lagStats = {};
  for (const [k, help] of [['min', 'The minimum recorded event loop delay.'], ['max', 'The maximum recorded event loop delay.'],
    ['mean', 'The mean of the recorded event loop delays.'], ['stddev', 'The standard deviation of the recorded event loop delays.'],
    ['p50', 'The 50th percentile of the recorded event loop delays.'], ['p90', 'The 90th percentile of the recorded event loop delays.'],
    ['p99', 'The 99th percentile of the recorded event loop delays.']]) {
    lagStats[k] = mk(Gauge, 'nodejs_eventloop_lag_' + k + '_seconds', help, [], { unit: 'seconds' });
  }
  const elu = mk(Gauge, 'nodejs_eventloop_utilization', 'Event-loop utilisation (0-1) over the collection interval.');
  const handles = mk(Gauge, 'nodejs_active_handles', 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.', ['type']);
  const handlesTotal = mk(Gauge, 'nodejs_active_handles_total', 'Total number of active handles.');
  const requests = mk(Gauge, 'nodejs_active_requests', 'Number of active libuv requests grouped by request type. Every request type is C++ class name.', ['type']);
  const requestsTotal = mk(Gauge, 'nodejs_active_requests_total', 'Total number of active requests.');
  const resources = mk(Gauge, 'nodejs_active_resources', 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.', ['type']);
  const resourcesTotal = mk(Gauge, 'nodejs_active_resources_total', 'Total number of active resources.');
  const heapTotal = mk(Gauge, 'nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', [], { unit: 'bytes' });
  const heapUsed = mk(Gauge, 'nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', [], { unit: 'bytes' });
  const heapLimit = mk(Gauge, 'nodejs_heap_size_limit_bytes', 'V8 heap size limit in bytes (v8.getHeapStatistics().heap_size_limit).', [], { unit: 'bytes' });
  const external = mk(Gauge, 'nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', [], { unit: 'bytes' });
  const spaces = {};
  for (const k of ['total', 'used', 'available']) {
    spaces[k] = mk(Gauge, 'nodejs_heap_space_size_' + k + '_bytes', 'Process heap space size ' + k + ' from Node.js in bytes.', ['space'], { unit: 'bytes' });
  }
  const version = mk(Gauge, 'nodejs_version_info', 'Node.js version info.', ['version', 'major', 'minor', 'patch']);
  const gc = mk(Histogram, 'nodejs_gc_duration_seconds', 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    ['kind'], { buckets: config.gcDurationBuckets || GC_BUCKETS, unit: 'seconds' });

  const [major, minor, patch] = process.version.slice(1).split('.');
  version.set(L({ version: process.version, major, minor, patch }), 1);
  startTime.set(P(), Math.round(Date.now() / 1000 - process.uptime()));

  let delay = null;
  safe(() => {
    delay = perfHooks.monitorEventLoopDelay({ resolution: config.eventLoopMonitoringPrecision || 10 });
    delay.enable();
  });
  let lastElu = safe(() => perfHooks.performance.eventLoopUtilization());
  let lastCpu = process.cpuUsage();

  const gcKinds = {};
  const c = perfHooks.constants || {};
  gcKinds[c.NODE_PERFORMANCE_GC_MAJOR] = 'major';
  gcKinds[c.NODE_PERFORMANCE_GC_MINOR] = 'minor';
  gcKinds[c.NODE_PERFORMANCE_GC_INCREMENTAL] = 'incremental';
  gcKinds[c.NODE_PERFORMANCE_GC_WEAKCB] = 'weakcb';
  let observer = null;
  safe(() => {
    observer = new perfHooks.PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const k = entry.detail ? entry.detail.kind : entry.kind;
        gc.observe(L({ kind: gcKinds[k] || 'unknown' }), entry.duration / 1000);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  });

  const isLinux = process.platform === 'linux';
  safe(() => fs.readFile('/proc/self/limits', 'utf8', (err, text) => {
    if (err) return;
    const m = /Max open files\s+(\d+)/.exec(text);
    if (m) maxFds.set(P(), Number(m[1]));
  }));

  const byType = (list) => {
    const counts = {};
    for (const h of list) {
      const t = typeof h === 'string' ? h : (h && h.constructor && h.constructor.name) || 'Unknown';
      counts[t] = (counts[t] || 0) + 1;
    }
    return counts;
  };
  const seenTypes = { handles: new Set(), requests: new Set(), resources: new Set() };
  const setByType = (gauge, seen, counts) => {
    for (const t of seen) if (!(t in counts)) gauge.set(L({ type: t }), 0);
    for (const t of Object.keys(counts)) {
      seen.add(t);
      gauge.set(L({ type: t }), counts[t]);
    }
  };

  const collect = () => {
    const cpu = process.cpuUsage();
    const du = Math.max(0, cpu.user - lastCpu.user) / 1e6;
    const ds = Math.max(0, cpu.system - lastCpu.system) / 1e6;
    lastCpu = cpu;
    cpuUser.inc(P(), du);
    cpuSystem.inc(P(), ds);
    cpuTotal.inc(P(), du + ds);
    rss.set(P(), process.memoryUsage.rss ? process.memoryUsage.rss() : process.memoryUsage().rss);

    const mem = process.memoryUsage();
    heapTotal.set(L(), mem.heapTotal);
    heapUsed.set(L(), mem.heapUsed);
    external.set(L(), mem.external);
    const hs = v8.getHeapStatistics();
    heapLimit.set(L(), hs.heap_size_limit);
    for (const sp of v8.getHeapSpaceStatistics()) {
      const i = sp.space_name.indexOf('_space');
      const name = i > 0 ? sp.space_name.slice(0, i) : sp.space_name;
      spaces.total.set(L({ space: name }), sp.space_size);
      spaces.used.set(L({ space: name }), sp.space_used_size);
      spaces.available.set(L({ space: name }), sp.space_available_size);
    }

    if (delay && delay.count > 0) {
      lagStats.min.set(L(), delay.min / 1e9);
      lagStats.max.set(L(), delay.max / 1e9);
      lagStats.mean.set(L(), delay.mean / 1e9);
      lagStats.stddev.set(L(), delay.stddev / 1e9);
      lagStats.p50.set(L(), delay.percentile(50) / 1e9);
      lagStats.p90.set(L(), delay.percentile(90) / 1e9);
      lagStats.p99.set(L(), delay.percentile(99) / 1e9);
      delay.reset();
    }
    const start = process.hrtime.bigint();
    setImmediate(() => lag.set(L(), Number(process.hrtime.bigint() - start) / 1e9));
    if (lastElu) {
      const now = perfHooks.performance.eventLoopUtilization();
      const d = perfHooks.performance.eventLoopUtilization(now, lastElu);
      lastElu = now;
      if (isNumber(d.utilization)) elu.set(L(), d.utilization);
    }

    if (typeof process._getActiveHandles === 'function') {
      const list = process._getActiveHandles();
      setByType(handles, seenTypes.handles, byType(list));
      handlesTotal.set(L(), list.length);
    }
    if (typeof process._getActiveRequests === 'function') {
      const list = process._getActiveRequests();
      setByType(requests, seenTypes.requests, byType(list));
      requestsTotal.set(L(), list.length);
    }
    if (typeof process.getActiveResourcesInfo === 'function') {
      const list = process.getActiveResourcesInfo();
      setByType(resources, seenTypes.resources, byType(list));
      resourcesTotal.set(L(), list.length);
    }

    if (isLinux) {
      // Asynchronous reads (libuv's thread pool): the event loop never waits for /proc.
      fs.readFile('/proc/self/status', 'utf8', (err, text) => {
        if (err) return;
        const vm = /VmSize:\s+(\d+) kB/.exec(text);
        const data = /VmData:\s+(\d+) kB/.exec(text);
        if (vm) vsize.set(P(), Number(vm[1]) * 1024);
        if (data) heapBytes.set(P(), Number(data[1]) * 1024);
      });
      fs.readdir('/proc/self/fd', (err, list) => {
        if (!err) openFds.set(P(), list.length - 1); // minus the descriptor readdir itself holds
      });
    }
  };

  safe(collect);
  client.collectors.push(collect);
  client._startTimer();
  const handle = {
    stop() {
      const i = client.collectors.indexOf(collect);
      if (i >= 0) client.collectors.splice(i, 1);
      safe(() => observer && observer.disconnect());
      safe(() => delay && delay.disable());
      client._defaultMetrics = null;
    },
  };
  client._onStop(() => handle.stop());
  client._defaultMetrics = handle;
  return handle;
}

collectDefaultMetrics.metricsList = [
  'process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total',
  'process_start_time_seconds', 'process_resident_memory_bytes', 'process_virtual_memory_bytes', 'process_heap_bytes',
  'process_open_fds', 'process_max_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds', 'nodejs_eventloop_lag_mean_seconds', 'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p90_seconds', 'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_utilization', 'nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_requests',
  'nodejs_active_requests_total', 'nodejs_active_resources', 'nodejs_active_resources_total',
  'nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_limit_bytes',
  'nodejs_external_memory_bytes', 'nodejs_heap_space_size_total_bytes', 'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes', 'nodejs_version_info', 'nodejs_gc_duration_seconds',
];

// `configure(options)` sets up the default client (the one metrics use without a `client` option). Call it before
// creating metrics; later calls return the existing client unchanged.
function configure(options) {
  if (!defaultClient) defaultClient = new Client(options);
  return defaultClient;
}

module.exports = {
  Client,
  Counter,
  Gauge,
  Histogram,
  Summary,
  collectDefaultMetrics,
  configure,
  get register() {
    return getDefaultClient();
  },
  DEFAULT_SOCKET,
  linearBuckets(start, width, count) {
    return Array.from({ length: count }, (_, i) => start + i * width);
  },
  exponentialBuckets(start, factor, count) {
    return Array.from({ length: count }, (_, i) => start * Math.pow(factor, i));
  },
};
