"""End-to-end tests of the JSON feed (newline-delimited JSON over Unix stream and datagram sockets)."""
import json
import os
import socket
import stat
import subprocess
import threading

import jsonschema
import pytest

from conftest import ROOT, Tributary, binary_path

SCHEMA = json.load(open(os.path.join(ROOT, "schema", "tributary-feed.schema.json")))


def feed(factory, *extra, gram=False):
    """A tributary with the JSON stream socket (and optionally the datagram one) in its temp dir."""
    probe = Tributary(udp=False, tcp=False)  # only to get a temp dir name; stopped at once
    probe.stop()
    tmp = probe.tmp
    os.makedirs(tmp, exist_ok=True)
    stream = os.path.join(tmp, "feed.sock")
    args = ["--json.listen-unix=" + stream]
    dgram = None
    if gram:
        dgram = os.path.join(tmp, "feed.dgram")
        args.append("--json.listen-unixgram=" + dgram)
    t = factory(extra_args=tuple(args) + extra, udp=False, tcp=False)
    t.json_stream, t.json_dgram = stream, dgram
    return t


def connect(t):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(t.json_stream)
    return s


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def errors(samples, reason):
    return value(samples, "tributary_json_errors_total", reason=reason)


def obj(name, type_, value_, **extra):
    o = {"name": name, "type": type_, "value": value_}
    o.update(extra)
    return json.dumps(o, ensure_ascii=False)


def test_concurrent_clients_and_split_writes(tributary_factory):
    t = feed(tributary_factory)
    clients, per_client = 8, 500

    def client(index):
        s = connect(t)
        payload = "".join(obj("hits", "counter", 1, labels={"client": str(index % 2)}) + "\n" for _ in range(per_client))
        data = payload.encode()
        # Odd chunk sizes split objects (and UTF-8 sequences) across writes.
        for i in range(0, len(data), 37 + index):
            s.sendall(data[i:i + 37 + index])
        s.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    total = clients * per_client
    samples = t.wait_for(lambda s: (value(s, "hits", client="0") or 0) + (value(s, "hits", client="1") or 0) == total)
    assert value(samples, "tributary_json_samples_total") == total
    assert value(samples, "tributary_json_connections_total") == clients


def test_every_type_and_utf8_labels(tributary_factory):
    t = feed(tributary_factory)
    lines = [
        obj("req", "counter", 2, labels={"city": "Zürich 東京", "q": "a\"b\\c"}),
        obj("temp", "gauge", 20),
        obj("temp", "gauge", 1.5, op="add"),
        obj("lat", "histogram", [0.05, 0.2], buckets=[0.1, 1], help="Request latency."),
        obj("size", "summary", [1, 2, 3]),
        obj("db", "timer", 250),
        json.dumps([{"name": "users", "type": "set", "value": ["a", "b", "a"]}, {"name": "b1", "type": "counter", "value": 1}]),
    ]
    s = connect(t)
    s.sendall(("\n".join(lines) + "\n").encode())
    s.close()
    samples = t.wait_for(lambda s: value(s, "b1") == 1)
    assert value(samples, "req", city="Zürich 東京", q='a"b\\c') == 2
    assert value(samples, "temp") == 21.5
    assert value(samples, "lat_bucket", le="0.1") == 1
    assert value(samples, "lat_count") == 2
    assert value(samples, "size_count") == 3
    assert value(samples, "db_sum") == 0.25
    assert value(samples, "users") == 2
    assert "# HELP lat Request latency.\n# TYPE lat histogram" in t.scrape()


def test_malformed_lines_counted_by_reason_and_too_long_skipped(tributary_factory):
    t = feed(tributary_factory, "--json.max-line-bytes=200")
    bad = [
        "{not json",
        json.dumps({"type": "counter", "value": 1}),
        json.dumps({"name": "x", "type": "meter", "value": 1}),
        json.dumps({"name": "x", "type": "counter", "value": "one"}),
        json.dumps({"name": "x", "type": "counter", "value": 1, "labels": {"k": 1}}),
        json.dumps({"name": "x", "type": "counter", "value": 1, "sample_rate": 2}),
        json.dumps({"name": "x", "type": "counter", "value": -1}),
        json.dumps({"name": "x", "type": "counter", "value": 1, "lables": {}}),
        obj("long", "counter", 1, help="h" * 500),
        obj("after", "counter", 7),
    ]
    s = connect(t)
    s.sendall(("\n".join(bad) + "\n").encode())
    s.close()
    samples = t.wait_for(lambda s: value(s, "after") == 7)
    for reason in ["invalid_json", "missing_name", "unknown_type", "bad_value", "bad_label", "bad_sample_rate",
                   "negative_counter", "unknown_field", "line_too_long"]:
        assert errors(samples, reason) == 1, reason
    assert value(samples, "tributary_json_lines_total") == len(bad)


def test_datagrams_from_unbound_sender(tributary_factory):
    t = feed(tributary_factory, gram=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # never bound: no sender address
    s.sendto((obj("dg", "counter", 2) + "\n" + obj("dg", "counter", 3)).encode(), t.json_dgram)
    s.sendto(json.dumps([{"name": "dg", "type": "counter", "value": 5}]).encode(), t.json_dgram)
    s.close()
    samples = t.wait_for(lambda s: value(s, "dg") == 10)
    assert value(samples, "tributary_json_unixgram_packets_total") == 2


def test_socket_mode_and_stale_file(tributary_factory):
    probe = Tributary(udp=False, tcp=False)
    probe.stop()
    os.makedirs(probe.tmp, exist_ok=True)
    path = os.path.join(probe.tmp, "stale.sock")
    # A socket file left behind by a crash: bound, never unlinked, nobody listening.
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(path)
    leftover.close()
    assert os.path.exists(path)
    t = tributary_factory(extra_args=("--json.listen-unix=" + path,), udp=False, tcp=False)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((obj("fresh", "counter", 1) + "\n").encode())
    s.close()
    t.wait_for(lambda s: value(s, "fresh") == 1)

    # A second process on the same path fails with a clear message.
    second = subprocess.run(
        [binary_path(), "--web.listen-address=127.0.0.1:0", "--statsd.listen-udp=", "--statsd.listen-tcp=",
         "--json.listen-unix=" + path], capture_output=True, timeout=20)
    assert second.returncode != 0
    assert ("Error: --json.listen-unix %s: another process listens on this socket; stop it or give another path\n"
            % path).encode() in second.stderr, second.stderr


def test_no_loss_burst_larger_than_socket_buffer(tributary_factory):
    t = feed(tributary_factory)
    count = 100_000
    line = (obj("burst", "counter", 1) + "\n").encode()
    s = connect(t)
    s.sendall(line * count)  # ~4 MB, far above the socket buffer: the writer blocks, nothing is dropped
    s.close()
    samples = t.wait_for(lambda s: value(s, "burst") == count, timeout=60)
    assert value(samples, "tributary_json_samples_total") == count


def test_schema_accepts_what_tributary_accepts():
    valid = [
        {"name": "http_request_duration_seconds", "type": "histogram", "value": 0.042,
         "labels": {"route": "/api/users", "method": "GET", "status_code": "200"}},
        {"name": "jobs", "type": "counter", "value": [1, 2], "sample_rate": 0.5, "help": "Jobs.", "unit": "jobs"},
        {"name": "temp", "type": "gauge", "value": -3, "op": "add", "timestamp": 1700000000000},
        {"name": "lat", "type": "timer", "value": 12, "buckets": [0.01, 0.1],
         "exemplar": {"trace_id": "4bf92f3577b34da6", "span_id": "00f067aa0ba902b7"}},
        {"name": "users", "type": "set", "value": ["alice", 7]},
        [{"name": "a", "type": "summary", "value": 1}, {"name": "b", "type": "gauge", "value": 2}],
    ]
    invalid = [
        {"type": "counter", "value": 1},
        {"name": "x", "type": "meter", "value": 1},
        {"name": "x", "type": "counter", "value": -1},
        {"name": "x", "type": "counter", "value": "1"},
        {"name": "x", "type": "counter", "value": 1, "op": "add"},
        {"name": "x", "type": "gauge", "value": 1, "labels": {"k": 1}},
        {"name": "x", "type": "gauge", "value": 1, "sample_rate": 0},
        {"name": "x", "type": "summary", "value": 1, "buckets": [1]},
        {"name": "x", "type": "gauge", "value": 1, "lables": {}},
        {"name": "x", "type": "gauge", "value": []},
    ]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for v in valid:
        validator.validate(v)
    for v in invalid:
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(v)
