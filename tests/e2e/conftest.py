"""Fixtures for end-to-end tests against the built `tributary` binary (loopback only, bounded)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import promparse  # noqa: E402


def binary_path():
    path = os.environ.get("TRIBUTARY_BIN", os.path.join(ROOT, ".build", "debug", "tributary"))
    if not os.path.exists(path):
        pytest.fail("tributary binary not found at %s (run swift build first)" % path)
    return path


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url, headers=None, method="GET", data=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def terminate(proc):
    """Stops a child we started: SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Tributary:
    """A tributary process on free loopback ports; stopped by PID at the end of the test."""

    def __init__(self, extra_args=(), udp=True, tcp=True, unixgram=False, env=None):
        self.tmp = tempfile.mkdtemp(prefix="tributary-e2e-")
        self.udp_port = free_port(socket.SOCK_DGRAM) if udp else None
        self.tcp_port = free_port() if tcp else None
        self.http_port = free_port()
        self.unixgram_path = os.path.join(self.tmp, "statsd.sock") if unixgram else None
        args = [binary_path(),
                "--web.listen-address=127.0.0.1:%d" % self.http_port,
                "--statsd.listen-udp=" + ("127.0.0.1:%d" % self.udp_port if udp else ""),
                "--statsd.listen-tcp=" + ("127.0.0.1:%d" % self.tcp_port if tcp else "")]
        if unixgram:
            args.append("--statsd.listen-unixgram=" + self.unixgram_path)
        args.extend(extra_args)
        self.args = args
        self.log_path = os.path.join(self.tmp, "stderr.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log, env=env)

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.http_port

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("tributary exited with %s: %s" % (self.proc.returncode, self.stderr()))
            try:
                status, _, _ = http_get(self.base + "/-/ready", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("tributary not ready after %ss: %s" % (timeout, self.stderr()))

    def stderr(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def send_udp(self, *datagrams):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for d in datagrams:
            s.sendto(d.encode() if isinstance(d, str) else d, ("127.0.0.1", self.udp_port))
        s.close()

    def send_tcp(self, payload, chunks=1):
        data = payload.encode() if isinstance(payload, str) else payload
        s = socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5)
        step = max(1, len(data) // chunks)
        for i in range(0, len(data), step):
            s.sendall(data[i:i + step])
            time.sleep(0.01)
        s.close()

    def send_unixgram(self, *datagrams):
        # An unbound sender, as StatsD clients are.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for d in datagrams:
            s.sendto(d.encode() if isinstance(d, str) else d, self.unixgram_path)
        s.close()

    def scrape(self, headers=None):
        status, hdrs, body = http_get(self.base + "/metrics", headers=headers)
        assert status == 200, (status, body)
        return body.decode()

    def samples(self):
        return promparse.parse(self.scrape())[0]

    def wait_for(self, predicate, timeout=10):
        """Polls the scrape until predicate(samples) is true; returns the samples."""
        deadline = time.time() + timeout
        samples = {}
        while time.time() < deadline:
            samples = self.samples()
            if predicate(samples):
                return samples
            time.sleep(0.05)
        raise AssertionError("condition not met within %ss; last scrape:\n%s" % (timeout, self.scrape()[-3000:]))

    def stop(self):
        terminate(self.proc)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def tributary_factory():
    started = []

    def start(*args, **kwargs):
        t = Tributary(*args, **kwargs)
        started.append(t)
        t.wait_ready()
        return t

    yield start
    for t in started:
        t.stop()


@pytest.fixture
def tributary(tributary_factory):
    return tributary_factory(unixgram=True)


class PrometheusServer:
    """Debian's `prometheus` on a free loopback port, scraping `targets` every second; stopped by PID on exit."""

    def __init__(self, targets, features=()):
        path = shutil.which("prometheus")
        if not path:
            pytest.fail("prometheus not installed (apt-get install prometheus; .ci/run does)")
        self.tmp = tempfile.mkdtemp(prefix="prom-e2e-")
        self.port = free_port()
        config = os.path.join(self.tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n- job_name: tributary\n  static_configs:\n"
                    "  - targets: [%s]\n" % ", ".join("'%s'" % t for t in targets))
        args = [path, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(self.tmp, "data"),
                "--web.listen-address=127.0.0.1:%d" % self.port]
        if features:
            args.append("--enable-feature=" + ",".join(features))
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.api = "http://127.0.0.1:%d/api/v1/" % self.port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.tmp, ignore_errors=True)
