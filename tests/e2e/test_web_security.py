"""--web.config.file: TLS, mTLS and basic auth on every endpoint, with certificates generated at test time."""
import base64
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from conftest import Tributary, binary_path

# bcrypt of "U*U" at cost 5 (a published crypt_blowfish test vector), as htpasswd would write it ($2y$).
USER, PASSWORD = "prometheus", "U*U"
HASH = "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA."""
    d = str(tmp_path_factory.mktemp("pki"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
            "-subj", "/CN=tributary-test-ca", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, ext in (("server", ["-extfile", "server.ext"]), ("client", [])):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "1", *ext, cwd=d)
    # A client certificate from a CA the server does not trust.
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rogue.key", "-out", "rogue.crt", "-days", "1",
            "-subj", "/CN=rogue", cwd=d)
    return d


def start(pki, config_text, extra=()):
    path = os.path.join(pki, "web-%d.yml" % time.monotonic_ns())
    with open(path, "w") as f:
        f.write(config_text)
    return Tributary(["--web.config.file=" + path, *extra])


def client_context(pki, cert=None):
    ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
    if cert:
        ctx.load_cert_chain(os.path.join(pki, cert + ".crt"), os.path.join(pki, cert + ".key"))
    return ctx


def get(port, path, ctx=None, auth=None, timeout=5):
    """One request on a new connection: HTTPS with `ctx`, plain HTTP without."""
    if ctx is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout)
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), body


def https_get(t, path, ctx, auth=None):
    return get(t.http_port, path, ctx, auth)


def http_plain_get(port, path, auth=None):
    return get(port, path, None, auth)


def wait_up(t, probe, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if t.proc.poll() is not None:
            raise AssertionError("tributary exited: " + t.stderr())
        try:
            return probe()
        except (OSError, ssl.SSLError, http.client.HTTPException) as e:
            last = e
            time.sleep(0.1)
    raise AssertionError("not up: %r %s" % (last, t.stderr()))


def test_tls_serves_metrics_and_refuses_plain_http(pki):
    t = start(pki, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
    try:
        status, _, body = wait_up(t, lambda: https_get(t, "/metrics", client_context(pki)))
        assert status == 200 and b"tributary_build_info" in body
        with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
            http_plain_get(t.http_port, "/metrics")
        # Still serving TLS after the plain-text attempt.
        assert https_get(t, "/-/healthy", client_context(pki))[0] == 200
    finally:
        t.stop()


def test_tls_min_version_is_enforced(pki):
    t = start(pki, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n")
    try:
        wait_up(t, lambda: https_get(t, "/-/healthy", client_context(pki)))
        ctx = client_context(pki)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        with pytest.raises((ssl.SSLError, ConnectionError)):
            https_get(t, "/-/healthy", ctx)
    finally:
        t.stop()


def test_basic_auth_on_every_endpoint(pki):
    t = start(pki, "basic_auth_users:\n  %s: %s\n" % (USER, HASH))
    try:
        status, headers, _ = wait_up(t, lambda: http_plain_get(t.http_port, "/-/healthy"))
        assert status == 401
        assert headers.get("WWW-Authenticate", "").startswith("Basic")
        for path in ("/metrics", "/-/ready", "/", "/api/v1/unmapped", "/nope"):
            assert http_plain_get(t.http_port, path)[0] == 401, path
            assert http_plain_get(t.http_port, path, auth=(USER, "wrong"))[0] == 401, path
            assert http_plain_get(t.http_port, path, auth=("nobody", PASSWORD))[0] == 401, path
        status, _, body = http_plain_get(t.http_port, "/metrics", auth=(USER, PASSWORD))
        assert status == 200 and b'tributary_http_requests_total{code="401",handler="/metrics"}' in body
        assert http_plain_get(t.http_port, "/-/healthy", auth=(USER, PASSWORD))[0] == 200
    finally:
        t.stop()


def test_mtls_requires_a_client_certificate_from_the_ca(pki):
    t = start(pki, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                   "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
                   "basic_auth_users:\n  %s: %s\n" % (USER, HASH))
    try:
        status, _, _ = wait_up(t, lambda: https_get(t, "/metrics", client_context(pki, "client"), auth=(USER, PASSWORD)))
        assert status == 200
        assert https_get(t, "/metrics", client_context(pki, "client"))[0] == 401
        for cert in (None, "rogue"):
            with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
                https_get(t, "/metrics", client_context(pki, cert), auth=(USER, PASSWORD))
    finally:
        t.stop()


def test_bad_web_config_fails_start_with_a_clear_error(pki, tmp_path):
    path = tmp_path / "web.yml"
    path.write_text("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n")
    r = subprocess.run([binary_path(), "--web.config.file=%s" % path, "--web.listen-address=127.0.0.1:0",
                        "--statsd.listen-udp=", "--statsd.listen-tcp="], capture_output=True, timeout=30)
    assert r.returncode != 0
    assert b"tls_server_config.cert_file" in r.stderr


def test_idle_and_slow_http_clients_are_closed_and_do_not_block_others(tributary_factory):
    t = tributary_factory(["--web.idle-timeout=1s", "--web.read-timeout=1s"])
    silent = socket.create_connection(("127.0.0.1", t.http_port), timeout=5)
    trickle = socket.create_connection(("127.0.0.1", t.http_port), timeout=5)
    trickle.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finishes its head
    body = socket.create_connection(("127.0.0.1", t.http_port), timeout=5)
    body.sendall(b"POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")  # never finishes its body
    try:
        start_time = time.time()
        assert t.scrape()  # others are served meanwhile
        for s in (silent, trickle, body):
            s.settimeout(5)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        assert time.time() - start_time < 4.5
    finally:
        for s in (silent, trickle, body):
            s.close()
    assert t.scrape()


def test_oversized_request_head_is_rejected_and_server_keeps_serving(tributary):
    s = socket.create_connection(("127.0.0.1", tributary.http_port), timeout=5)
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
    except OSError:
        pass  # the server may close while we are still sending
    try:
        data = s.recv(4096)
        assert data == b"" or data.startswith(b"HTTP/1.1 431")
    except OSError:
        pass
    finally:
        s.close()
    assert tributary.scrape()
