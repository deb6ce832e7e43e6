'use strict';
// An example Node.js service (plain node:http) instrumented with Tributary's Node.js client, named after
// docs/naming.md so that every panel of the bundled service, runtime and dependencies dashboards has data:
// routes (RED), a simulated database pool, a cache, a rate limiter and a circuit breaker, plus default metrics.
//
//   TRIBUTARY_FEED_SOCKET=/tmp/tributary/feed.sock WORKERS=2 PORT=8080 node examples/node-service/server.js
//
// Environment: PORT (8080), HOST (127.0.0.1), WORKERS (1; > 1 runs a cluster, each worker with a stable
// TRIBUTARY_WORKER index so gauges of different workers stay apart), RATE_LIMIT (requests/s per worker, 500),
// TRIBUTARY_FEED_SOCKET, TRIBUTARY_FEED_INTERVAL_MS, TRIBUTARY_FEED_MAX_QUEUE_BYTES (read by the client).
const cluster = require('cluster');
const http = require('http');
const crypto = require('crypto');

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '127.0.0.1';
const WORKERS = Math.max(1, Number(process.env.WORKERS || 1));

if (cluster.isPrimary && WORKERS > 1) {
  runPrimary();
} else {
  runWorker();
}

function runPrimary() {
  let stopping = false;
  const indexOf = new Map();
  const fork = (index) => {
    const w = cluster.fork({ TRIBUTARY_WORKER: String(index) });
    indexOf.set(w.id, index);
  };
  for (let i = 0; i < WORKERS; i++) fork(i);
  cluster.on('exit', (w, code, signal) => {
    const index = indexOf.get(w.id);
    indexOf.delete(w.id);
    if (!stopping) {
      console.error(`worker ${index} exited (${signal || code}); starting it again`);
      fork(index); // same index: its gauges overwrite its predecessor's series instead of leaving stale ones
    } else if (indexOf.size === 0) {
      process.exit(0);
    }
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const id of Object.keys(cluster.workers)) cluster.workers[id].process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`primary ${process.pid}: ${WORKERS} workers on http://${HOST}:${PORT}`);
}

function runWorker() {
  let client;
  try {
    client = require('@tributary/client');
  } catch (_) {
    client = require('../../clients/node');
  }
  const { Counter, Gauge, Histogram, collectDefaultMetrics } = client;

  collectDefaultMetrics();

  // --- metrics (docs/naming.md) ---
  const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds, by route, method and status code.',
    unit: 'seconds',
    labelNames: ['route', 'method', 'status_code'],
    buckets: LATENCY_BUCKETS,
    enableExemplars: true,
  });
  const responseSize = new Histogram({
    name: 'http_response_size_bytes',
    help: 'Size of HTTP response bodies in bytes, by route.',
    unit: 'bytes',
    labelNames: ['route'],
    buckets: [64, 256, 1024, 4096, 16384, 65536],
  });
  const cacheRequests = new Counter({
    name: 'cache_requests_total',
    help: 'Cache lookups by cache and result (hit or miss).',
    labelNames: ['cache', 'result'],
  });
  const dbDuration = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database query duration in seconds, by operation (slow = above 1 s).',
    unit: 'seconds',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    enableExemplars: true,
  });
  const poolLabels = ['pool'];
  const poolActive = new Gauge({ name: 'db_pool_active_connections', help: 'Connections in use, by pool.', labelNames: poolLabels });
  const poolIdle = new Gauge({ name: 'db_pool_idle_connections', help: 'Idle connections, by pool.', labelNames: poolLabels });
  const poolPending = new Gauge({ name: 'db_pool_pending_requests', help: 'Callers waiting for a connection, by pool.', labelNames: poolLabels });
  const poolMin = new Gauge({ name: 'db_pool_min_connections', help: 'Configured minimum connections, by pool.', labelNames: poolLabels });
  const poolMax = new Gauge({ name: 'db_pool_max_connections', help: 'Configured maximum connections, by pool.', labelNames: poolLabels });
  const limiterRequests = new Counter({ name: 'ratelimiter_requests_total', help: 'Requests seen by a rate limiter, by limiter.', labelNames: ['limiter'] });
  const limiterRejected = new Counter({ name: 'ratelimiter_rejected_total', help: 'Requests rejected by a rate limiter, by limiter.', labelNames: ['limiter'] });
  const breakerState = new Gauge({ name: 'circuitbreaker_state', help: 'Circuit-breaker state by breaker (0 closed, 0.5 half-open, 1 open).', labelNames: ['breaker'] });
  const ordersCreated = new Counter({ name: 'orders_created_total', help: 'Orders created, by channel.', labelNames: ['channel'], enableExemplars: true });

  // --- a simulated database pool ---
  class Pool {
    constructor(name, min, max) {
      this.name = name;
      this.min = min;
      this.max = max;
      this.size = min;
      this.active = 0;
      this.waiting = [];
      poolMin.set({ pool: name }, min);
      poolMax.set({ pool: name }, max);
      this.report();
    }

    report() {
      const l = { pool: this.name };
      poolActive.set(l, this.active);
      poolIdle.set(l, this.size - this.active);
      poolPending.set(l, this.waiting.length);
    }

    acquire() {
      return new Promise((resolve) => {
        if (this.active < this.max) {
          this.active++;
          if (this.active > this.size) this.size = this.active;
          this.report();
          resolve();
        } else {
          this.waiting.push(resolve);
          this.report();
        }
      });
    }

    release() {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
      this.report();
    }

    async query(operation, ms, traceId) {
      await this.acquire();
      const end = dbDuration.startTimer({ operation });
      try {
        await new Promise((r) => setTimeout(r, ms));
      } finally {
        end(undefined, { traceId });
        this.release();
      }
    }
  }
  const pool = new Pool('main', 2, 10);

  // --- a cache with a TTL ---
  const cache = new Map();
  async function cached(name, key, ttlMs, load) {
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) {
      cacheRequests.inc({ cache: name, result: 'hit' });
      return hit.value;
    }
    cacheRequests.inc({ cache: name, result: 'miss' });
    const value = await load();
    cache.set(key, { value, expires: Date.now() + ttlMs });
    return value;
  }
  cacheRequests.inc({ cache: 'users', result: 'hit' }, 0); // both series exist from the start
  cacheRequests.inc({ cache: 'users', result: 'miss' }, 0);

  // --- a token-bucket rate limiter ---
  const RATE = Math.max(1, Number(process.env.RATE_LIMIT || 500));
  let tokens = RATE;
  let refilled = Date.now();
  function allow() {
    const now = Date.now();
    tokens = Math.min(RATE, tokens + ((now - refilled) / 1000) * RATE);
    refilled = now;
    limiterRequests.inc({ limiter: 'api' });
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    limiterRejected.inc({ limiter: 'api' });
    return false;
  }
  limiterRejected.inc({ limiter: 'api' }, 0);

  // --- a circuit breaker around a flaky payment provider (every 10th call fails, deterministically) ---
  let paymentCalls = 0;
  let failures = 0;
  let openUntil = 0;
  breakerState.set({ breaker: 'payments' }, 0);
  async function pay(traceId) {
    const now = Date.now();
    if (openUntil > now) return false;
    if (openUntil !== 0) breakerState.set({ breaker: 'payments' }, 0.5); // half-open: one trial call
    await pool.query('select', 2, traceId);
    const ok = ++paymentCalls % 10 !== 0;
    failures = ok ? 0 : failures + 1;
    if (failures >= 3) {
      openUntil = now + 5000;
      breakerState.set({ breaker: 'payments' }, 1);
    } else if (ok) {
      openUntil = 0;
      breakerState.set({ breaker: 'payments' }, 0);
    }
    return ok;
  }

  // --- routes ---
  const users = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: 'user' + (i + 1) }));
  async function handle(req) {
    const url = new URL(req.url, 'http://localhost');
    const p = url.pathname;
    if (req.method === 'GET' && p === '/healthz') return { route: '/healthz', status: 200, body: 'ok' };
    if (p.startsWith('/api/') && !allow()) return { route: routeOf(req.method, p), status: 429, body: '{"error":"rate limited"}' };
    if (req.method === 'GET' && p === '/api/users') {
      const list = await cached('users', 'users:list', 1000, async () => {
        await pool.query('select', 3 + (req.traceId.charCodeAt(0) % 5), req.traceId);
        return users;
      });
      return { route: '/api/users', status: 200, body: JSON.stringify(list.slice(0, 10)) };
    }
    const m = /^\/api\/users\/(\d+)$/.exec(p);
    if (req.method === 'GET' && m) {
      const id = Number(m[1]);
      const user = await cached('users', 'user:' + id, 5000, async () => {
        await pool.query('select', 2, req.traceId);
        return users[id - 1] || null;
      });
      return user ? { route: '/api/users/:id', status: 200, body: JSON.stringify(user) }
        : { route: '/api/users/:id', status: 404, body: '{"error":"not found"}' };
    }
    if (req.method === 'POST' && p === '/api/orders') {
      await pool.query('insert', 5, req.traceId);
      ordersCreated.inc({ channel: 'web' }, 1, { traceId: req.traceId });
      return { route: '/api/orders', status: 201, body: '{"id":' + Date.now() + '}' };
    }
    if (req.method === 'GET' && p === '/api/checkout') {
      const ok = await pay(req.traceId);
      return ok ? { route: '/api/checkout', status: 200, body: '{"paid":true}' }
        : { route: '/api/checkout', status: 502, body: '{"error":"payment provider failed"}' };
    }
    return { route: 'unmatched', status: 404, body: '{"error":"not found"}' };
  }

  function routeOf(method, p) {
    if (p === '/api/users') return p;
    if (/^\/api\/users\/\d+$/.test(p)) return '/api/users/:id';
    if (p === '/api/orders' || p === '/api/checkout') return p;
    return 'unmatched';
  }

  const worker = process.env.TRIBUTARY_WORKER || '0';
  const server = http.createServer((req, res) => {
    const end = httpDuration.startTimer();
    const tp = /^00-([0-9a-f]{32})-/.exec(req.headers.traceparent || '');
    req.traceId = tp ? tp[1] : crypto.randomBytes(16).toString('hex');
    req.resume();
    handle(req).catch((err) => ({ route: routeOf(req.method, new URL(req.url, 'http://x').pathname), status: 500,
      body: JSON.stringify({ error: String(err && err.message) }) })).then((r) => {
      res.writeHead(r.status, { 'content-type': 'application/json', 'x-worker': worker });
      res.end(r.body);
      responseSize.observe({ route: r.route }, Buffer.byteLength(r.body));
      end({ route: r.route, method: req.method, status_code: String(r.status) }, { traceId: req.traceId });
    });
  });
  server.keepAliveTimeout = 1000;
  server.listen(PORT, HOST, () => console.log(`worker ${worker} (pid ${process.pid}) listening on ${HOST}:${PORT}`));

  const stop = () => {
    server.close();
    client.register.close(1000).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
