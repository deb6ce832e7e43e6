'use strict';
// A fake Tributary feed socket for unit tests: a Unix stream server that collects JSON lines.
const net = require('net');
const os = require('os');
const path = require('path');
const fs = require('fs');

function tempSocketPath(tag = 'feed') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-node-test-'));
  return path.join(dir, tag + '.sock');
}

class FakeFeed {
  constructor(socketPath) {
    this.path = socketPath;
    this.lines = [];
    this.connections = 0;
    this.sockets = new Set();
    this.server = null;
  }

  listen() {
    return new Promise((resolve, reject) => {
      try { fs.unlinkSync(this.path); } catch (_) { /* not there */ }
      this.server = net.createServer((sock) => {
        this.connections++;
        this.sockets.add(sock);
        let buf = '';
        sock.setEncoding('utf8');
        sock.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            this.lines.push(buf.slice(0, i));
            buf = buf.slice(i + 1);
          }
        });
        sock.on('error', () => {});
        sock.on('close', () => this.sockets.delete(sock));
      });
      this.server.once('error', reject);
      this.server.listen(this.path, () => resolve(this));
    });
  }

  // Every object received so far, batches flattened.
  objects() {
    const out = [];
    for (const l of this.lines) {
      const v = JSON.parse(l);
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out;
  }

  // Sum of values (arrays: count of observations for histograms, sum for counters) per name.
  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function waitFor(predicate, timeoutMs = 3000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting for ' + what);
}

module.exports = { FakeFeed, tempSocketPath, waitFor };
