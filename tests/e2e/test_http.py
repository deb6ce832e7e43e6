"""HTTP endpoints of the built binary."""
import gzip

from conftest import http_get


def test_landing_page_links(tributary):
    status, headers, body = http_get(tributary.base + "/")
    assert status == 200
    text = body.decode()
    assert "/metrics" in text and "/-/healthy" in text and "/-/ready" in text


def test_health_and_readiness(tributary):
    assert http_get(tributary.base + "/-/healthy")[0] == 200
    assert http_get(tributary.base + "/-/ready")[0] == 200


def test_unknown_path_404_and_wrong_method_405(tributary):
    assert http_get(tributary.base + "/nope")[0] == 404
    status, headers, _ = http_get(tributary.base + "/metrics", method="POST", data=b"x")
    assert status == 405


def test_metrics_gzip_when_accepted(tributary):
    tributary.send_udp("gz.metric:1|c")
    tributary.wait_for(lambda s: any(k[0] == "gz_metric" for k in s))
    status, headers, body = http_get(tributary.base + "/metrics", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert b"gz_metric 1" in gzip.decompress(body)
    assert headers.get("Content-Type", "").startswith("text/plain; version=0.0.4")


def test_reload_needs_lifecycle_flag(tributary):
    status, _, _ = http_get(tributary.base + "/-/reload", method="POST", data=b"")
    assert status == 403
