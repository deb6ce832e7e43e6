'use strict';
// Benchmark of the Node.js client (not a test): cost per inc/observe on the application's thread, and the feed
// throughput one Node.js process sustains into a real Tributary.
//
//   node clients/node/bench/bench.js --tributary .build/release/tributary     # starts its own Tributary
//   node clients/node/bench/bench.js --socket /tmp/tributary/feed.sock --metrics http://127.0.0.1:9102/metrics
//
// Options: --ops N (operations per cost case, default 1e6), --batch N (operations per event-loop turn, default
// 100), --repeat N (best of N runs per cost case, default 3), --observations N (throughput run, default 2e6). If `prom-client` can be required, the same cost cases
// are measured for it too (in-process registry, no I/O).
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const t = require('..');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
};
const OPS = Number(opt('ops', 1e6));
const BATCH = Number(opt('batch', 100));
const OBSERVATIONS = Number(opt('observations', 2e6));
const REPEAT = Number(opt('repeat', 3)); // cost cases: the best of this many runs (a shared machine is noisy)
const turn = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function sum(text, name, filter = () => true) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) {
      if (filter(line)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

async function startTributary(bin) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-'));
  const socket = path.join(dir, 'feed.sock');
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const proc = spawn(bin, ['--web.listen-address=127.0.0.1:' + port, '--statsd.listen-udp=', '--statsd.listen-tcp=',
    '--json.listen-unix=' + socket], { stdio: 'ignore' });
  const metrics = 'http://127.0.0.1:' + port + '/metrics';
  for (let i = 0; i < 300; i++) {
    try {
      await get('http://127.0.0.1:' + port + '/-/ready');
      if (fs.existsSync(socket)) return { proc, socket, metrics, dir };
    } catch (_) { /* not yet */ }
    await sleep(50);
  }
  proc.kill('SIGTERM');
  throw new Error('tributary did not start');
}

// A process that accepts the feed and discards it (the client's ceiling without Tributary's cost).
async function startSink() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-sink-'));
  const socket = path.join(dir, 'sink.sock');
  const proc = spawn(process.execPath, ['-e', `require('net').createServer((s) => s.resume()).listen(${JSON.stringify(socket)})`],
    { stdio: 'ignore' });
  for (let i = 0; i < 200 && !fs.existsSync(socket); i++) await sleep(25);
  return { proc, socket };
}

// Cost on the application's thread: `record` is the time inside the calls; `all-in` adds the per-turn flush
// (serialization into JSON-array lines and the socket write), i.e. everything the client does on this thread.
async function cost(label, setup, op) {
  let best = null;
  for (let r = 0; r < REPEAT; r++) {
    const one = await costOnce(label, setup, op);
    if (best === null || one.allIn < best.allIn) best = one;
  }
  return best;
}

async function costOnce(label, setup, op) {
  const run = setup();
  for (let i = 0; i < 20000; i++) op(run, i); // warm up
  await turn();
  await sleep(50);
  let recordNs = 0n;
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let done = 0; done < OPS; done += BATCH) {
    const s = process.hrtime.bigint();
    for (let i = done; i < done + BATCH; i++) op(run, i);
    recordNs += process.hrtime.bigint() - s;
    await turn(); // the flush of this turn runs here
  }
  const wallNs = Number(process.hrtime.bigint() - wall0);
  // The empty-turn overhead (await setImmediate) is measured separately and subtracted from all-in.
  const e0 = process.hrtime.bigint();
  for (let done = 0; done < OPS; done += BATCH) await turn();
  const emptyNs = Number(process.hrtime.bigint() - e0);
  const cpu = process.cpuUsage(cpu0);
  return { label, record: Number(recordNs) / OPS, allIn: (wallNs - emptyNs) / OPS, cpuUs: (cpu.user + cpu.system) };
}

async function main() {
  let trib = null;
  let socket = opt('socket');
  let metrics = opt('metrics');
  if (opt('tributary')) {
    trib = await startTributary(opt('tributary'));
    socket = trib.socket;
    metrics = trib.metrics;
  }
  if (!socket || !metrics) {
    console.error('usage: bench.js --tributary PATH | --socket PATH --metrics URL');
    process.exit(2);
  }
  const sink = await startSink();
  try {
    // Cost cases write to the sink: what is measured is the client's work on this thread, whatever the reader.
    const client = new t.Client({ socketPath: sink.socket, interval: 0, worker: null, maxQueueBytes: 64 << 20 });
    const labels = [];
    for (let r = 0; r < 10; r++) for (const code of ['200', '404', '500']) labels.push({ route: '/api/r' + r, method: 'GET', status_code: code });
    let n = 0;
    const mk = (Kind, extra = {}) => () => new Kind(Object.assign({ name: 'bench_' + (n++) + (Kind === t.Counter ? '_total' : ''),
      help: 'Bench.', labelNames: extra.noLabels ? [] : ['route', 'method', 'status_code'], client, buckets: extra.buckets }, extra.more || {}));
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), load average ${os.loadavg()[0].toFixed(1)}; ${OPS} ops per case (best of ${REPEAT}), ${BATCH} per event-loop turn`);
    const results = [];
    results.push(await cost('counter.inc() no labels', mk(t.Counter, { noLabels: true }), (c) => c.inc()));
    results.push(await cost('counter.inc(labels) 3 labels, 30 series', mk(t.Counter), (c, i) => c.inc(labels[i % 30])));
    results.push(await cost('gauge.set(labels, v)', mk(t.Gauge), (g, i) => g.set(labels[i % 30], i)));
    results.push(await cost('histogram.observe(labels, v) 11 buckets', mk(t.Histogram), (h, i) => h.observe(labels[i % 30], (i % 1000) / 1000)));
    results.push(await cost('histogram.startTimer() + end(labels)', mk(t.Histogram), (h, i) => h.startTimer()(labels[i % 30])));
    results.push(await cost('histogram.observe with exemplar { traceId }', mk(t.Histogram), (h, i) => h.observe(labels[i % 30], 0.01, { traceId: 'a' + i })));
    results.push(await cost('summary.observe(labels, v)', mk(t.Summary), (s, i) => s.observe(labels[i % 30], i)));
    console.log('\ncost on the application thread (ns per operation)');
    console.log('case'.padEnd(48) + 'record'.padStart(10) + 'all-in'.padStart(10));
    for (const r of results) console.log(r.label.padEnd(48) + r.record.toFixed(0).padStart(10) + r.allIn.toFixed(0).padStart(10));
    const st = client.stats();
    console.log(`(client: ${st.sentSamples} samples in ${st.sentLines} writes, dropped ${JSON.stringify(st.dropped)})`);

    let prom = null;
    try {
      prom = require('prom-client');
    } catch (_) { /* not installed: skip the comparison */ }
    if (prom) {
      const reg = new prom.Registry();
      let m = 0;
      const pk = (Kind) => () => new Kind({ name: 'pc_' + (m++), help: 'x', labelNames: ['route', 'method', 'status_code'], registers: [reg] });
      const pr = [];
      pr.push(await cost('prom-client counter.inc(labels)', pk(prom.Counter), (c, i) => c.inc(labels[i % 30])));
      pr.push(await cost('prom-client histogram.observe(labels, v)', pk(prom.Histogram), (h, i) => h.observe(labels[i % 30], (i % 1000) / 1000)));
      for (const r of pr) console.log(r.label.padEnd(48) + r.record.toFixed(0).padStart(10) + r.allIn.toFixed(0).padStart(10));
    }

    await client.close(10000);

    // Throughput: histogram observations as fast as one process can record them; then until Tributary has counted
    // every one of them. Also into a sink process that only reads (the client's own ceiling).
    {
      const sinkClient = new t.Client({ socketPath: sink.socket, interval: 0, worker: null, maxQueueBytes: 64 << 20 });
      const h = new t.Histogram({ name: 'bench_sink_seconds', help: 'Sink.', labelNames: ['series'], client: sinkClient });
      const ls = Array.from({ length: 100 }, (_, i) => ({ series: 's' + i }));
      const t0 = process.hrtime.bigint();
      for (let done = 0; done < OBSERVATIONS; done += 1000) {
        for (let i = 0; i < 1000; i++) h.observe(ls[i % 100], (i % 100) / 1000);
        await turn();
        while (sinkClient.stats().queuedBytes > 8 << 20) await sleep(1);
      }
      await sinkClient.close(10000);
      const ns = Number(process.hrtime.bigint() - t0);
      const st = sinkClient.stats();
      console.log(`\nthroughput into a sink that only reads (100 series, 1000 observations per turn):`);
      console.log(`  ${OBSERVATIONS} observations in ${(ns / 1e9).toFixed(2)} s => ${(OBSERVATIONS / (ns / 1e9) / 1e6).toFixed(2)} M observations/s, ${st.sentLines} writes, dropped ${st.droppedTotal}`);
    }
    const tclient = new t.Client({ socketPath: socket, interval: 0, worker: null, maxQueueBytes: 64 << 20 });
    for (const [title, series, perTurn] of [['100 series, 1000 observations per turn', 100, 1000],
      ['10000 series, each observed once per turn (no batching of values)', 10000, 10000]]) {
      const client = tclient;
      const h = new t.Histogram({ name: 'bench_throughput_' + series + '_seconds', help: 'Throughput.',
        labelNames: ['series'], client });
      const ls = Array.from({ length: series }, (_, i) => ({ series: 's' + i }));
      const before = await get(metrics);
      const samples0 = sum(before, 'tributary_json_samples_total');
      const t0 = process.hrtime.bigint();
      for (let done = 0; done < OBSERVATIONS; done += perTurn) {
        for (let i = 0; i < perTurn; i++) h.observe(ls[i % series], (i % 100) / 1000);
        await turn();
        while (client.stats().queuedBytes > 8 << 20) await sleep(1); // let the socket catch up
      }
      const recordedNs = Number(process.hrtime.bigint() - t0);
      let text = '';
      const name = 'bench_throughput_' + series + '_seconds_count';
      for (let i = 0; i < 1200; i++) {
        text = await get(metrics);
        if (sum(text, name) >= OBSERVATIONS) break;
        await sleep(50);
      }
      const totalNs = Number(process.hrtime.bigint() - t0);
      const counted = sum(text, name);
      const objects = sum(text, 'tributary_json_samples_total') - samples0;
      console.log(`\nthroughput: ${title}`);
      console.log(`  ${OBSERVATIONS} observations recorded in ${(recordedNs / 1e9).toFixed(2)} s; counted by Tributary: ${counted} after ${(totalNs / 1e9).toFixed(2)} s`);
      console.log(`  => ${(counted / (totalNs / 1e9) / 1e6).toFixed(2)} M observations/s end to end, ${objects} feed objects (${(objects / (totalNs / 1e9) / 1e6).toFixed(2)} M objects/s); dropped ${client.stats().droppedTotal}`);
    }
    await tclient.close(2000);
  } finally {
    sink.proc.kill('SIGTERM');
    if (trib) {
      trib.proc.kill('SIGTERM');
      fs.rmSync(trib.dir, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
