"""What the Python `datadog` client (PyPI, installed by .ci/run as test tooling) sends today — tags, then the
container id, the external env from DD_EXTERNAL_ENV, the cardinality and a timestamp — is accepted: every metric
shows on /metrics, with the container id as the label container_id. Loopback only, bounded."""
import os
import socket
import subprocess
import sys

import pytest

from promparse import key

# Runs in a child process so that DD_EXTERNAL_ENV is set before the client reads it, as in a pod where the admission
# controller injected it. It sends to a capture socket; the test forwards exactly those datagrams to Tributary.
CLIENT = r"""
import sys
from datadog.dogstatsd import DogStatsd

client = DogStatsd(host="127.0.0.1", port=int(sys.argv[1]), container_id="0123456789abcdef",
                   disable_telemetry=True, cardinality="low")
client.increment("dd.page.views", tags=["route:/home"], cardinality="orchestrator")
client.increment("dd.page.views", tags=["route:/home"], cardinality="orchestrator")
client.decrement("dd.queue.depth.changes", tags=["queue:mail"])
client.gauge("dd.temperature", 21.5, tags=["room:lab"], cardinality="high")
client.gauge_with_timestamp("dd.backfilled", 7, 1700000000, tags=["src:batch"])
client.count_with_timestamp("dd.backfilled.count", 3, 1700000000, tags=["src:batch"])
client.histogram("dd.payload.bytes", 512, tags=["kind:json"], cardinality="none")
client.distribution("dd.latency", 0.25, tags=["route:/home"])
client.timing("dd.render.ms", 12, tags=["page:home"])
client.set("dd.users", "alice", tags=["plan:free"])
client.increment("dd.untagged")
client.flush()
client.close_socket()
"""
CLIENT_LINES = 11


def run_client(external_env="it-false,cn-web,pu-3f1c9a2e"):
    """The datagrams the client sends (bounded: 30 s)."""
    capture = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    capture.bind(("127.0.0.1", 0))
    capture.settimeout(10)
    env = dict(os.environ)
    env["DD_EXTERNAL_ENV"] = external_env
    for variable in ("DD_ENTITY_ID", "DD_DOGSTATSD_DISABLE", "DD_AGENT_HOST", "DD_DOGSTATSD_PORT"):
        env.pop(variable, None)
    try:
        result = subprocess.run(
            [sys.executable, "-c", CLIENT, str(capture.getsockname()[1])], env=env, capture_output=True, text=True,
            timeout=30)
        if "No module named 'datadog'" in result.stderr:
            pytest.fail("the Python datadog package is not installed (pip install datadog; .ci/run does)")
        assert result.returncode == 0, result.stderr
        datagrams = []
        while sum(len([l for l in d.split(b"\n") if l]) for d in datagrams) < CLIENT_LINES:
            datagrams.append(capture.recv(65536))
        return datagrams
    finally:
        capture.close()


EXPECTED = {
    ("dd_page_views", (("route", "/home"),)): 2,
    ("dd_queue_depth_changes", (("queue", "mail"),)): None,  # a negative counter increment: rejected, counted
    ("dd_temperature", (("room", "lab"),)): 21.5,
    ("dd_backfilled", (("src", "batch"),)): 7,
    ("dd_backfilled_count", (("src", "batch"),)): 3,
    ("dd_payload_bytes_count", (("kind", "json"),)): 1,
    ("dd_latency_count", (("route", "/home"),)): 1,
    ("dd_render_ms_count", (("page", "home"),)): 1,
    ("dd_users", (("plan", "free"),)): 1,
    ("dd_untagged", ()): 1,
}


def expected_present(samples, container_label=True):
    for (name, labels), value in EXPECTED.items():
        if value is None:
            continue
        wanted = dict(labels)
        if container_label:
            wanted["container_id"] = "0123456789abcdef"
        if samples.get(key(name, **wanted)) != value:
            return False
    return True


def test_datadog_client_metrics_all_arrive(tributary_factory):
    t = tributary_factory(tcp=False)
    datagrams = run_client()
    t.send_udp(*datagrams)
    lines = [line for d in datagrams for line in d.decode().split("\n") if line]
    # The client really sends the newer fields, in its order: tags, container id, external env, cardinality, time.
    assert any("|#route:/home|c:0123456789abcdef|e:it-false,cn-web,pu-3f1c9a2e|card:orchestrator" in l for l in lines)
    assert any("|card:low" in l for l in lines)  # the client-level cardinality
    assert any("|T1700000000" in l for l in lines)
    samples = t.wait_for(expected_present)
    assert samples[key("tributary_sample_errors_total", reason="unknown_component")] == 0
    assert samples[key("tributary_sample_errors_total", reason="malformed_container_id")] == 0
    assert samples[key("tributary_sample_errors_total", reason="illegal_negative_counter")] == 1
    assert samples[key("tributary_lines_total")] == len(lines)


def test_datadog_client_without_container_label(tributary_factory):
    t = tributary_factory(tcp=False, extra_args=["--no-statsd.container-id-label"])
    t.send_udp(*run_client(external_env="it-true,cn-api"))
    t.wait_for(lambda s: expected_present(s, container_label=False))
    assert "container_id=" not in t.scrape()
