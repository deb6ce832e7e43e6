"""Churn: every line a new series (a leaked request id). With `ttl` in the mapping, the series count and the
resident memory stay bounded over a bounded run instead of growing with every id ever seen."""
import os
import socket
import time

from promparse import key

MAPPING = """defaults:
  ttl: 1s
"""
# 20 s at 4000 new series/s in CI; the README's 60 s figures: TRIBUTARY_CHURN_SECONDS=60 TRIBUTARY_CHURN_RATE=20000.
DURATION_S = int(os.environ.get("TRIBUTARY_CHURN_SECONDS", "20"))
RATE = int(os.environ.get("TRIBUTARY_CHURN_RATE", "4000"))  # new series per second, in datagrams of 20 lines


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def test_churn_with_ttl_keeps_series_and_memory_flat(tributary_factory, tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING)
    t = tributary_factory(["--statsd.mapping-config=%s" % mapping])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    sent = 0
    samples = []  # (elapsed s, RSS KiB, live series)
    next_sample = start + 1
    try:
        while time.monotonic() - start < DURATION_S:
            target = int((time.monotonic() - start) * RATE)
            while sent < target:
                lines = "\n".join("churn.requests:1|c|#request_id:%d" % (sent + i) for i in range(20))
                sock.sendto(lines.encode(), ("127.0.0.1", t.udp_port))
                sent += 20
            if time.monotonic() >= next_sample:
                s = t.samples()
                samples.append((time.monotonic() - start, rss_kib(t.proc.pid), s[key("tributary_metrics", type="counter")]))
                next_sample += 1
            time.sleep(0.005)
    finally:
        sock.close()
    assert t.proc.poll() is None
    assert len(samples) >= DURATION_S // 2
    final = t.samples()
    expired = final[key("tributary_series_expired_total")]
    # Almost everything sent was seen (loopback UDP at a modest rate) and most of it has already expired.
    assert expired > 0.6 * sent, (expired, sent)
    # Live series stay around rate × (ttl + expiry interval), never near the number of ids sent.
    peak_series = max(series for _, _, series in samples)
    assert peak_series < 4 * RATE, samples
    assert peak_series < sent / 4, (peak_series, sent)
    # Resident memory: the last third of the run holds no more than the first third's peak plus a margin (free
    # lists reuse slots and label strings; without a ttl it would grow with every id).
    third = len(samples) // 3
    early = max(rss for _, rss, _ in samples[:third])
    late = max(rss for _, rss, _ in samples[-third:])
    report = "RSS KiB early peak %d, late peak %d; series peak %d; sent %d" % (early, late, peak_series, sent)
    print(report)
    assert late <= early * 1.25 + 16 * 1024, report + "\n" + repr(samples)
