'use strict';
// Unit tests of the client against a fake feed socket (the client's own peer). Run: node --test clients/node/test/
const test = require('node:test');
const assert = require('node:assert');
const net = require('net');
const { execFileSync } = require('child_process');
const path = require('path');
const t = require('..');
const { FakeFeed, tempSocketPath, waitFor } = require('./helpers');

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

async function setup(options = {}) {
  const socketPath = tempSocketPath();
  const feed = await new FakeFeed(socketPath).listen();
  const client = new t.Client(Object.assign({ socketPath, interval: 0, worker: null }, options));
  return { feed, client, socketPath };
}

async function teardown({ feed, client }) {
  await client.close(500);
  await feed.close();
}

function named(feed, name) {
  return feed.objects().filter((o) => o.name === name);
}

test('counter increments are summed per series and batched per turn as JSON-array lines', async () => {
  const ctx = await setup();
  const c = new t.Counter({ name: 'orders_total', help: 'Orders placed.', labelNames: ['shop'], client: ctx.client });
  for (let i = 0; i < 100; i++) c.inc({ shop: 'berlin' });
  c.inc({ shop: 'paris' }, 2.5);
  c.labels('paris').inc(0.5);
  await waitFor(() => named(ctx.feed, 'orders_total').length >= 2, 3000, 'counter objects');
  const objs = named(ctx.feed, 'orders_total');
  const total = (shop) => objs.filter((o) => o.labels.shop === shop).reduce((a, o) => a + o.value, 0);
  assert.strictEqual(total('berlin'), 100);
  assert.strictEqual(total('paris'), 3);
  // One line for the turn, a JSON array; help on the first object of the metric only.
  const line = ctx.feed.lines.find((l) => l.includes('orders_total'));
  assert.ok(line.startsWith('[') && line.endsWith(']'), line);
  assert.strictEqual(objs.filter((o) => o.help === 'Orders placed.').length, 1);
  for (const o of objs) assert.strictEqual(o.type, 'counter');
  await teardown(ctx);
});

test('histogram observations keep every value, buckets and unit travel with the first object', async () => {
  const ctx = await setup();
  const h = new t.Histogram({
    name: 'http_request_duration_seconds', help: 'Request duration.', unit: 'seconds',
    labelNames: ['route', 'method', 'status_code'], buckets: [0.01, 0.1, 1], client: ctx.client,
  });
  const labels = { route: '/api/users', method: 'GET', status_code: 200 };
  h.observe(labels, 0.05);
  h.observe(labels, 0.2);
  h.labels('/api/users', 'GET', '200').observe(3);
  await waitFor(() => named(ctx.feed, 'http_request_duration_seconds').length > 0);
  const objs = named(ctx.feed, 'http_request_duration_seconds');
  const values = objs.flatMap((o) => (Array.isArray(o.value) ? o.value : [o.value]));
  assert.deepStrictEqual(values.sort(), [0.05, 0.2, 3]);
  assert.deepStrictEqual(objs[0].buckets, [0.01, 0.1, 1]);
  assert.strictEqual(objs[0].unit, 'seconds');
  assert.strictEqual(objs[0].help, 'Request duration.');
  assert.deepStrictEqual(objs[0].labels, { route: '/api/users', method: 'GET', status_code: '200' });
  await teardown(ctx);
});

test('startTimer observes elapsed seconds with labels given at start and end', async () => {
  const ctx = await setup();
  const h = new t.Histogram({ name: 'job_seconds', help: 'Job.', labelNames: ['job', 'ok'], client: ctx.client });
  const end = h.startTimer({ job: 'a' });
  await tick(30);
  const seconds = end({ ok: 'true' });
  assert.ok(seconds >= 0.025 && seconds < 2, String(seconds));
  await waitFor(() => named(ctx.feed, 'job_seconds').length > 0);
  const o = named(ctx.feed, 'job_seconds')[0];
  assert.deepStrictEqual(o.labels, { job: 'a', ok: 'true' });
  assert.strictEqual(o.value, seconds);
  await teardown(ctx);
});

test('exemplars ({ traceId }) on counters and histograms become feed exemplars with timestamps', async () => {
  const ctx = await setup();
  const c = new t.Counter({ name: 'hits_total', help: 'Hits.', client: ctx.client, enableExemplars: true });
  const h = new t.Histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['route'], client: ctx.client,
    enableExemplars: true });
  c.inc({ value: 2, exemplarLabels: { traceId: 'trace-1', spanId: 'span-1' } }); // prom-client's form
  c.inc(1, { traceId: 'trace-2' });
  h.observe({ labels: { route: '/a' }, value: 0.3, exemplarLabels: { traceId: 'trace-3' } });
  h.observe({ route: '/a' }, 0.4, { traceId: 'trace-4' });
  const before = Date.now();
  await waitFor(() => named(ctx.feed, 'lat_seconds').length >= 2 && named(ctx.feed, 'hits_total').length >= 2);
  const hits = named(ctx.feed, 'hits_total');
  assert.deepStrictEqual(hits.map((o) => o.exemplar), [{ trace_id: 'trace-1', span_id: 'span-1' }, { trace_id: 'trace-2' }]);
  assert.deepStrictEqual(hits.map((o) => o.value), [2, 1]);
  const lat = named(ctx.feed, 'lat_seconds');
  assert.deepStrictEqual(lat.map((o) => [o.value, o.exemplar.trace_id]), [[0.3, 'trace-3'], [0.4, 'trace-4']]);
  for (const o of hits.concat(lat)) assert.ok(Math.abs(o.timestamp - before) < 5000);
  await teardown(ctx);
});

test('gauges send absolute values, carry the worker label, and are re-sent periodically', async () => {
  const ctx = await setup({ worker: '3', interval: 50 });
  const g = new t.Gauge({ name: 'queue_depth', help: 'Depth.', labelNames: ['queue'], client: ctx.client });
  g.set({ queue: 'q' }, 10);
  g.inc({ queue: 'q' }, 5);
  g.dec({ queue: 'q' });
  await waitFor(() => named(ctx.feed, 'queue_depth').length >= 3, 3000, 'periodic gauge refresh');
  const objs = named(ctx.feed, 'queue_depth');
  for (const o of objs) {
    assert.strictEqual(o.value, 14);
    assert.deepStrictEqual(o.labels, { queue: 'q', worker: '3' });
    assert.strictEqual(o.op, undefined); // a set: workers never add into each other's value
  }
  // Counters and histograms have no worker label: Tributary adds them up over workers.
  const c = new t.Counter({ name: 'c_total', help: 'C.', client: ctx.client });
  c.inc();
  await waitFor(() => named(ctx.feed, 'c_total').length > 0);
  assert.strictEqual(named(ctx.feed, 'c_total')[0].labels, undefined);
  await teardown(ctx);
});

test('summary is sent as the feed type summary', async () => {
  const ctx = await setup();
  const s = new t.Summary({ name: 'size_bytes', help: 'Sizes.', unit: 'bytes', client: ctx.client });
  s.observe(10);
  s.observe(20);
  await waitFor(() => named(ctx.feed, 'size_bytes').length > 0);
  const o = named(ctx.feed, 'size_bytes')[0];
  assert.strictEqual(o.type, 'summary');
  assert.deepStrictEqual(o.value, [10, 20]);
  assert.strictEqual(o.buckets, undefined);
  await teardown(ctx);
});

test('invalid input is dropped and counted, never thrown', async () => {
  const ctx = await setup();
  const c = new t.Counter({ name: 'x_total', help: 'X.', labelNames: ['a'], client: ctx.client });
  const h = new t.Histogram({ name: 'h', help: 'H.', client: ctx.client });
  const g = new t.Gauge({ name: 'g', help: 'G.', client: ctx.client });
  assert.doesNotThrow(() => {
    c.inc(-1);
    c.inc({ b: 'x' });
    c.inc({ a: 'ok' }, NaN);
    h.observe(Infinity);
    h.observe('x');
    g.set('nope');
    g.set({ a: 1 }, 2);
    c.inc(null);
  });
  assert.strictEqual(ctx.client.stats().dropped.invalid, 7);
  await teardown(ctx);
  // Constructors reject programmer errors, as prom-client does.
  assert.throws(() => new t.Counter({ name: 'bad name', help: 'x', client: ctx.client }));
  assert.throws(() => new t.Counter({ name: 'no_help', client: ctx.client }));
  assert.throws(() => new t.Histogram({ name: 'b', help: 'x', buckets: [1, 1], client: ctx.client }));
  assert.throws(() => new t.Gauge({ name: 'tributary_x', help: 'x', client: ctx.client }));
});

test('lines stay under maxLineBytes; a batch splits into several JSON-array lines', async () => {
  const ctx = await setup({ maxLineBytes: 2000 });
  const c = new t.Counter({ name: 'many_total', help: 'Many.', labelNames: ['i'], client: ctx.client });
  for (let i = 0; i < 300; i++) c.inc({ i: String(i) });
  const h = new t.Histogram({ name: 'big', help: 'Big.', client: ctx.client });
  for (let i = 0; i < 5000; i++) h.observe(i / 1000); // chunked into objects of at most 2000 values
  await waitFor(() => named(ctx.feed, 'many_total').length === 300, 3000, 'all counter objects');
  assert.ok(ctx.feed.lines.length > 5);
  for (const l of ctx.feed.lines) {
    if (!l.includes('"big"')) assert.ok(Buffer.byteLength(l) + 1 <= 2000, Buffer.byteLength(l));
  }
  // Objects larger than a line on their own are dropped and counted (too_large), not sent to be rejected.
  assert.strictEqual(named(ctx.feed, 'big').length, 0);
  assert.strictEqual(ctx.client.stats().dropped.too_large, 5000);
  await teardown(ctx);
});

test('while Tributary is away: bounded queue, drops counted, reconnect with backoff, delivery resumes', async () => {
  const socketPath = tempSocketPath();
  const client = new t.Client({ socketPath, interval: 0, worker: null, maxQueueBytes: 4096, minBackoffMs: 20,
    maxBackoffMs: 100 });
  const c = new t.Counter({ name: 'away_total', help: 'Away.', labelNames: ['i'], client });
  // Nobody listens: the queue fills up to its bound and the rest is dropped and counted.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 20; i++) c.inc({ i: String(i) });
    await tick(1);
  }
  const away = client.stats();
  assert.strictEqual(away.connected, false);
  assert.ok(away.queuedBytes <= 4096, away.queuedBytes);
  assert.ok(away.dropped.queue_full > 0, JSON.stringify(away));
  assert.ok(away.connectErrors > 0);
  // Tributary comes back: the queue drains, new increments flow, and the drop count is reported as a metric.
  const feed = await new FakeFeed(socketPath).listen();
  await waitFor(() => client.stats().connected, 3000, 'reconnect');
  c.inc({ i: 'after' }, 7);
  client._tick(); // the periodic report (interval 0 disables the timer in this test)
  await waitFor(() => named(feed, 'away_total').some((o) => o.labels.i === 'after') &&
    named(feed, 'feed_client_dropped_samples_total').some((o) => o.labels.reason === 'queue_full' && o.value > 0));
  const objs = named(feed, 'away_total');
  const delivered = objs.filter((o) => o.labels.i !== 'after').reduce((a, o) => a + o.value, 0);
  const dropped = named(feed, 'feed_client_dropped_samples_total').filter((o) => o.labels.reason === 'queue_full')
    .reduce((a, o) => a + o.value, 0);
  // Every increment is accounted for: delivered (queued while away, or after) or reported as dropped.
  assert.strictEqual(delivered + dropped, 1000);
  assert.strictEqual(client.stats().queuedBytes, 0);
  await client.close(500);
  await feed.close();
});

test('a restarted Tributary gets metadata, gauges and counter series again on the new connection', async () => {
  const ctx = await setup({ minBackoffMs: 10, maxBackoffMs: 50 });
  const g = new t.Gauge({ name: 'pool_max', help: 'Pool max.', client: ctx.client });
  const c = new t.Counter({ name: 'req_total', help: 'Requests.', labelNames: ['r'], client: ctx.client });
  const h = new t.Histogram({ name: 'dur_seconds', help: 'Dur.', buckets: [1, 2], client: ctx.client });
  g.set(10);
  c.inc({ r: 'a' });
  h.observe(1.5);
  await waitFor(() => named(ctx.feed, 'dur_seconds').length === 1);
  await ctx.feed.close(); // Tributary stops
  await waitFor(() => !ctx.client.stats().connected, 3000, 'disconnect');
  const second = await new FakeFeed(ctx.feed.path).listen(); // and starts again, empty
  await waitFor(() => named(second, 'pool_max').length > 0 && named(second, 'req_total').length > 0, 3000, 'refresh');
  assert.strictEqual(named(second, 'pool_max')[0].value, 10);
  assert.strictEqual(named(second, 'pool_max')[0].help, 'Pool max.');
  assert.deepStrictEqual(named(second, 'req_total')[0], { name: 'req_total', type: 'counter', labels: { r: 'a' },
    help: 'Requests.', value: 0 });
  h.observe(0.5);
  await waitFor(() => named(second, 'dur_seconds').length === 1);
  assert.deepStrictEqual(named(second, 'dur_seconds')[0].buckets, [1, 2]); // metadata again for the new Tributary
  await ctx.client.close(500);
  await second.close();
});

test('in-flight writes lost with the connection are counted as connection_lost, not silently', async () => {
  const socketPath = tempSocketPath();
  // A peer that accepts and never reads: the kernel buffer fills, Node buffers the rest, then the peer vanishes.
  const sockets = [];
  const server = net.createServer((s) => { s.pause(); sockets.push(s); });
  await new Promise((r) => server.listen(socketPath, r));
  const client = new t.Client({ socketPath, interval: 0, worker: null, maxQueueBytes: 64 << 20,
    maxInFlightBytes: 8 << 20, minBackoffMs: 1000 });
  const h = new t.Histogram({ name: 'flood', help: 'Flood.', labelNames: ['i'], client });
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 200; i++) h.observe({ i: String(i) }, i);
    await tick(1);
  }
  await waitFor(() => client.stats().connected);
  await tick(50);
  for (const s of sockets) s.destroy();
  server.close();
  await waitFor(() => !client.stats().connected, 3000, 'disconnect');
  await tick(20);
  const st = client.stats();
  assert.ok(st.dropped.connection_lost > 0, JSON.stringify(st));
  assert.ok(st.sentSamples + st.dropped.connection_lost + st.dropped.queue_full <= 8000 + 1, JSON.stringify(st));
  await client.close(100);
});

test('recording never blocks: 100k increments cost well under a second and one write per turn', async () => {
  const ctx = await setup();
  const c = new t.Counter({ name: 'fast_total', help: 'Fast.', labelNames: ['route'], client: ctx.client });
  const start = process.hrtime.bigint();
  for (let i = 0; i < 100000; i++) c.inc({ route: '/r' + (i % 10) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.ok(ms < 1000, ms + ' ms');
  await waitFor(() => named(ctx.feed, 'fast_total').length === 10);
  assert.strictEqual(named(ctx.feed, 'fast_total').reduce((a, o) => a + o.value, 0), 100000);
  assert.strictEqual(ctx.feed.lines.filter((l) => l.includes('fast_total')).length, 1);
  await teardown(ctx);
});

test('collectDefaultMetrics emits prom-client names and label sets plus the heap limit', async () => {
  const ctx = await setup({ worker: '1' });
  const handle = t.collectDefaultMetrics({ client: ctx.client });
  global.gc && global.gc();
  await tick(100);
  ctx.client._tick();
  await waitFor(() => named(ctx.feed, 'nodejs_eventloop_lag_p99_seconds').length > 0 &&
    named(ctx.feed, 'nodejs_eventloop_lag_seconds').length > 0 && named(ctx.feed, 'process_open_fds').length > 0,
  3000, 'default metrics');
  const names = new Set(ctx.feed.objects().map((o) => o.name));
  for (const n of ['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total',
    'process_start_time_seconds', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds',
    'nodejs_eventloop_lag_min_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_eventloop_lag_mean_seconds',
    'nodejs_eventloop_lag_stddev_seconds', 'nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p90_seconds',
    'nodejs_eventloop_lag_p99_seconds', 'nodejs_active_handles', 'nodejs_active_handles_total',
    'nodejs_active_requests_total', 'nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes',
    'nodejs_heap_size_limit_bytes', 'nodejs_external_memory_bytes', 'nodejs_heap_space_size_total_bytes',
    'nodejs_heap_space_size_used_bytes', 'nodejs_heap_space_size_available_bytes', 'nodejs_version_info']) {
    assert.ok(names.has(n), 'missing ' + n);
  }
  for (const n of collectDefaultMetricsNamesOnLinux()) assert.ok(names.has(n), 'missing ' + n);
  const first = (n) => named(ctx.feed, n)[0];
  assert.deepStrictEqual(Object.keys(first('nodejs_version_info').labels).sort(),
    ['major', 'minor', 'patch', 'version', 'worker']);
  assert.strictEqual(first('nodejs_version_info').labels.version, process.version);
  assert.deepStrictEqual(first('process_resident_memory_bytes').labels, { process: 'app', worker: '1' });
  assert.deepStrictEqual(first('process_cpu_seconds_total').labels, { process: 'app' });
  assert.ok(named(ctx.feed, 'nodejs_heap_space_size_used_bytes').some((o) => o.labels.space === 'old'));
  assert.ok(named(ctx.feed, 'nodejs_active_handles').every((o) => typeof o.labels.type === 'string'));
  const limit = first('nodejs_heap_size_limit_bytes').value;
  const used = first('nodejs_heap_size_used_bytes').value;
  assert.ok(limit > used && used > 0, `${used} / ${limit}`);
  const p99 = first('nodejs_eventloop_lag_p99_seconds').value;
  assert.ok(p99 >= 0 && p99 < 5, String(p99));
  handle.stop();
  await teardown(ctx);
});

function collectDefaultMetricsNamesOnLinux() {
  return process.platform === 'linux' ? ['process_open_fds', 'process_max_fds', 'process_virtual_memory_bytes',
    'process_heap_bytes'] : [];
}

test('gc pauses are observed into nodejs_gc_duration_seconds{kind} with prom-client buckets', async () => {
  // --expose-gc in a child so that a collection surely happens.
  const script = `
    const t = require(${JSON.stringify(path.join(__dirname, '..'))});
    const { FakeFeed, tempSocketPath, waitFor } = require(${JSON.stringify(path.join(__dirname, 'helpers.js'))});
    (async () => {
      const p = tempSocketPath();
      const feed = await new FakeFeed(p).listen();
      const client = new t.Client({ socketPath: p, interval: 0, worker: null });
      t.collectDefaultMetrics({ client });
      for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); }
      await waitFor(() => feed.objects().some((o) => o.name === 'nodejs_gc_duration_seconds'));
      const o = feed.objects().find((o) => o.name === 'nodejs_gc_duration_seconds');
      console.log(JSON.stringify(o));
      await client.close(200); await feed.close();
    })();`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { timeout: 20000 }).toString();
  const o = JSON.parse(out.trim().split('\n').pop());
  assert.strictEqual(o.type, 'histogram');
  assert.deepStrictEqual(o.buckets, [0.001, 0.01, 0.1, 1, 2, 5]);
  assert.ok(['major', 'minor', 'incremental', 'weakcb'].includes(o.labels.kind), o.labels.kind);
});

test('default client reads TRIBUTARY_FEED_SOCKET, and worker identity comes from PM2/cluster env', () => {
  const script = `const t = require(${JSON.stringify(path.join(__dirname, '..'))});
    const c = t.register; console.log(JSON.stringify([c.socketPath, c.worker, t.DEFAULT_SOCKET]));`;
  const run = (env) => JSON.parse(execFileSync(process.execPath, ['-e', script],
    { env: Object.assign({}, process.env, { TRIBUTARY_FEED_SOCKET: '', TRIBUTARY_WORKER: '', NODE_APP_INSTANCE: '' }, env) })
    .toString());
  assert.deepStrictEqual(run({}), ['/var/run/metrics/metrics.sock', null, '/var/run/metrics/metrics.sock']);
  assert.deepStrictEqual(run({ TRIBUTARY_FEED_SOCKET: '/tmp/x.sock', NODE_APP_INSTANCE: '2' }), ['/tmp/x.sock', '2',
    '/var/run/metrics/metrics.sock']);
  assert.strictEqual(run({ TRIBUTARY_WORKER: 'w7', NODE_APP_INSTANCE: '2' })[1], 'w7');
});

test('labels outside labelNames are refused on existing series too; remove() forgets a series locally', async () => {
  const ctx = await setup({ interval: 0 });
  const c = new t.Counter({ name: 'r_total', help: 'R.', labelNames: ['a', 'b'], client: ctx.client });
  c.inc({ a: 'x' });
  c.inc({ a: 'x', z: 'nope' });
  c.inc({ a: 'x', b: undefined }); // an undefined value is an absent label
  assert.strictEqual(ctx.client.stats().dropped.invalid, 1);
  c.inc({ a: 1, b: 2 });
  c.inc({ b: '2', a: '1' }); // numbers and strings, any key order: one series
  await waitFor(() => named(ctx.feed, 'r_total').length === 2);
  const byLabels = Object.fromEntries(named(ctx.feed, 'r_total').map((o) => [JSON.stringify(o.labels), o.value]));
  assert.deepStrictEqual(byLabels, { '{"a":"x"}': 2, '{"a":"1","b":"2"}': 2 });
  c.remove({ a: '1', b: '2' });
  c.remove('x');
  assert.strictEqual(c.all.length, 0);
  await teardown(ctx);
});

test('default labels apply to every series; flushIntervalMs batches several turns into one line', async () => {
  const ctx = await setup({ defaultLabels: { service: 'checkout' }, flushIntervalMs: 100 });
  const c = new t.Counter({ name: 'd_total', help: 'D.', labelNames: ['k'], client: ctx.client });
  for (let i = 0; i < 5; i++) {
    c.inc({ k: 'v' });
    await tick(5);
  }
  await waitFor(() => named(ctx.feed, 'd_total').length > 0);
  const objs = named(ctx.feed, 'd_total');
  assert.strictEqual(objs.length, 1);
  assert.deepStrictEqual(objs[0].labels, { service: 'checkout', k: 'v' });
  assert.strictEqual(objs[0].value, 5);
  await teardown(ctx);
});

test('socket errors (not a socket, no such directory) and a throwing onError never reach the application', async () => {
  const file = tempSocketPath('plain');
  require('fs').writeFileSync(file, 'not a socket');
  for (const socketPath of [file, '/nonexistent-dir/feed.sock']) {
    let reported = 0;
    const client = new t.Client({ socketPath, interval: 0, worker: null, minBackoffMs: 5, maxBackoffMs: 20,
      onError: () => { reported++; throw new Error('a careless error handler'); } });
    const c = new t.Counter({ name: 'e_total', help: 'E.', client });
    for (let i = 0; i < 20; i++) {
      c.inc();
      await tick(5);
    }
    const st = client.stats();
    assert.strictEqual(st.connected, false);
    assert.ok(st.connectErrors >= 2 && reported >= 2, JSON.stringify(st)); // it kept retrying
    assert.ok(st.lastError, JSON.stringify(st));
    await client.close(50);
  }
});
