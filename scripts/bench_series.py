#!/usr/bin/env python3
"""Memory per series and scrape cost at N active series (loopback only, bounded).

Starts a release `tributary` (path in $TRIBUTARY_BIN), measures idle RSS, creates N series with
Benchmarks/load/statsd-blast (paced, so nothing is dropped), measures RSS again and times scrapes
(text and gzip) while idle and while a paced blast keeps ingesting.

  python3 scripts/bench_series.py --series 100000 --mix c            # counters only
  python3 scripts/bench_series.py --series 100000 --mix h --histogram # histograms, 10 buckets
  python3 scripts/bench_series.py --series 100000 --mix c=50,h=50 --tags 2 --histogram  # the issue's mix
"""
import argparse, gzip, json, os, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLAST = os.path.join(ROOT, "Benchmarks", "load", "statsd-blast")


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def timed_get(url, gz=False):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gz else {})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
    return (time.perf_counter() - t0) * 1000, len(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=100000)
    ap.add_argument("--mix", default="c")
    ap.add_argument("--tags", type=int, default=0, help="DogStatsD tags per line (statsd-blast -k; 10 series per name)")
    ap.add_argument("--histogram", action="store_true", help="map observers to histograms with 10 buckets")
    ap.add_argument("--bin", default=os.environ.get("TRIBUTARY_BIN", os.path.join(ROOT, ".build", "release", "tributary")))
    a = ap.parse_args()
    subprocess.run(["make", "-s", "-C", os.path.dirname(BLAST), "statsd-blast"], check=True, timeout=120)
    udp, http = free_port(socket.SOCK_DGRAM), free_port()
    tmp = tempfile.mkdtemp()
    args = [a.bin, "--statsd.listen-udp=127.0.0.1:%d" % udp, "--statsd.listen-tcp=", "--web.listen-address=127.0.0.1:%d" % http]
    if a.histogram:
        path = os.path.join(tmp, "mapping.yml")
        open(path, "w").write("defaults:\n  observer_type: histogram\n  histogram_options:\n"
                              "    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]\nmappings: []\n")
        args.append("--statsd.mapping-config=" + path)
    proc = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d" % http
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/-/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        time.sleep(0.5)
        idle_kb = rss_kb(proc.pid)
        # Every series twice, paced well below capacity so that nothing is dropped.
        subprocess.run([BLAST, "-t", "127.0.0.1:%d" % udp, "-n", str(2 * a.series), "-s", str(a.series),
                        "-m", a.mix, "-k", str(a.tags), "-R", "1000000", "-T", "60"], check=True, stdout=subprocess.DEVNULL)
        time.sleep(1.0)
        timed_get(base + "/metrics")  # first scrape sorts the new series
        loaded_kb = rss_kb(proc.pid)
        text = [timed_get(base + "/metrics") for _ in range(5)]
        gz = [timed_get(base + "/metrics", gz=True) for _ in range(5)]
        # Scrapes while ingest continues (paced blast in the background).
        blast = subprocess.Popen([BLAST, "-t", "127.0.0.1:%d" % udp, "-n", "20000000", "-s", str(a.series), "-m", a.mix,
                                  "-k", str(a.tags), "-R", "1000000", "-T", "6"], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        busy = [timed_get(base + "/metrics") for _ in range(5)]
        blast.wait(30)
        body = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode()
        series_lines = sum(1 for l in body.splitlines() if l.startswith("blast_"))
        result = {
            "series": a.series, "mix": a.mix, "tags": a.tags, "histogram": a.histogram,
            "rss_idle_mb": round(idle_kb / 1024, 1), "rss_loaded_mb": round(loaded_kb / 1024, 1),
            "bytes_per_series": round((loaded_kb - idle_kb) * 1024 / a.series),
            "scrape_text_ms_median": round(sorted(t for t, _ in text)[2], 1), "scrape_text_kb": text[0][1] // 1024,
            "scrape_gzip_ms_median": round(sorted(t for t, _ in gz)[2], 1), "scrape_gzip_kb": gz[0][1] // 1024,
            "scrape_text_ms_median_during_ingest": round(sorted(t for t, _ in busy)[2], 1),
            "exported_sample_lines": series_lines,
        }
        print(json.dumps(result))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
