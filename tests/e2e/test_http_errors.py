"""Requests SwiftNIO's HTTP/1 parser rejects: answered 400 (or 431 for a head over --web.max-header-bytes) with a
message, counted in tributary_http_request_errors_total{reason}, logged at debug at most once per reason and
second; requests cut off by the idle and read deadlines count as reason="timeout"."""
import re
import socket
import time

import promparse


def errors(t):
    samples = t.samples()
    return {reason: samples.get(promparse.key("tributary_http_request_errors_total", reason=reason), 0)
            for reason in ("malformed", "header_too_large", "timeout")}


def exchange(t, payload, timeout=5):
    """Sends `payload` on a new connection and reads until the server closes it."""
    s = socket.create_connection(("127.0.0.1", t.http_port), timeout=timeout)
    try:
        s.sendall(payload)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        s.close()


def test_garbage_request_lines_get_400_with_a_reason_and_are_counted(tributary_factory):
    t = tributary_factory()
    for payload in (b"GARBAGE\r\n\r\n", b"GET /metrics HTTP/7.0\r\n\r\n", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"):
        response = exchange(t, payload)
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), response
        assert b"connection: close" in head.lower()
        assert body.startswith(b"Bad Request: "), response
    assert errors(t) == {"malformed": 3, "header_too_large": 0, "timeout": 0}
    # Routed requests are not mixed in: the 400s above never reached a handler.
    assert 'code="400"' not in t.scrape()


def test_head_over_the_limit_gets_431_and_is_counted(tributary_factory):
    t = tributary_factory(["--web.max-header-bytes=1024"])
    # Under 2 KiB in all, so the server reads it at once and closes cleanly (no reset before we read the answer).
    response = exchange(t, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1200 + b"\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), response
    assert b"exceed 1024 bytes" in body
    response = exchange(t, b"GET /" + b"a" * 1200 + b" HTTP/1.1\r\nHost: x\r\n\r\n")  # the request target counts too
    assert response.startswith(b"HTTP/1.1 431 "), response
    # Just under the limit is served.
    response = exchange(t, b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ok: " + b"a" * 900 + b"\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 200 "), response
    assert errors(t) == {"malformed": 0, "header_too_large": 2, "timeout": 0}


def test_default_head_limit_is_80_kib(tributary_factory):
    t = tributary_factory()
    ok = exchange(t, b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ok: " + b"a" * 80000 + b"\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200 "), ok[:200]
    try:
        response = exchange(t, b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 90000 + b"\r\n\r\n")
        # The server may close (reset) while bytes it never read are still queued, so the answer can be lost.
        assert response == b"" or response.startswith(b"HTTP/1.1 431 "), response[:200]
    except OSError:
        pass
    t.wait_for(lambda s: s.get(promparse.key("tributary_http_request_errors_total", reason="header_too_large")) == 1)


def test_requests_cut_off_by_deadlines_count_as_timeout_idle_connections_do_not(tributary_factory):
    t = tributary_factory(["--web.idle-timeout=1s", "--web.read-timeout=1s"])
    silent = socket.create_connection(("127.0.0.1", t.http_port), timeout=5)
    trickle = socket.create_connection(("127.0.0.1", t.http_port), timeout=5)
    trickle.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    body = socket.create_connection(("127.0.0.1", t.http_port), timeout=5)
    body.sendall(b"POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    try:
        for s in (silent, trickle, body):
            assert s.recv(4096) == b""  # closed by the server, nothing answered
    finally:
        for s in (silent, trickle, body):
            s.close()
    assert errors(t) == {"malformed": 0, "header_too_large": 0, "timeout": 2}


def test_rejections_are_logged_at_debug_at_most_once_per_reason_and_second(tributary_factory):
    t = tributary_factory(["--log.level=debug"])
    started = time.time()
    for _ in range(20):
        exchange(t, b"GARBAGE\r\n\r\n")
    elapsed = time.time() - started
    t.wait_for(lambda s: s.get(promparse.key("tributary_http_request_errors_total", reason="malformed")) == 20)
    lines = [line for line in t.stderr().splitlines() if "HTTP request rejected" in line]
    assert 1 <= len(lines) <= int(elapsed) + 1, lines
    assert re.search(r"reason=\"?malformed", lines[0]), lines[0]
