"""The container image, for real: scripts/build-image.sh builds it FROM scratch around $TRIBUTARY_BIN (stripped) and
exactly the shared objects `ldd` lists for it (a debug build links the Swift runtime dynamically, so those come
too); podman runs it as the image's non-root user on a read-only root filesystem, with its ports published on
127.0.0.1; the test sends StatsD over UDP to the published port and scrapes /metrics through the other.

Debian's podman as root, with runc and cgroupfs (no systemd here) and explicit ulimits (podman's default nofile
is above this machine's hard limit). Base images cannot be pulled here; none is needed. Without podman (or not as
root) the test is skipped with the reason; when podman is there but cannot build or run, it fails with podman's
own error.
"""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ROOT, binary_path, free_port, http_get
from promparse import key, parse

PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
ULIMITS = ["--ulimit", "nofile=16384:16384", "--ulimit", "nproc=4096:4096"]


def podman(*args, timeout=120, check=True):
    r = subprocess.run(PODMAN + list(args), capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, "podman %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip())
    return r


def ldd_paths(path):
    """What scripts/build-image.sh copies: every library ldd resolves, and the loader."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
    paths = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>" and parts[2].startswith("/"):
            paths.add(parts[2])
        elif parts and parts[0].startswith("/"):
            paths.add(parts[0])
    return paths


@pytest.fixture(scope="module")
def image():
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (.ci/run installs podman and runc)")
    if os.geteuid() != 0:
        pytest.skip("this test runs podman as root (rootless podman is not set up)")
    tag = "localhost/tributary-e2e:%d" % os.getpid()
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-image.sh"), binary_path()],
                       env=dict(os.environ, IMAGE=tag), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, "scripts/build-image.sh failed: " + r.stdout + r.stderr
    print(r.stdout.strip())
    try:
        yield tag
    finally:
        podman("rmi", "-f", tag, check=False)


def image_files(tag):
    """Every non-directory path in the image, from a read-only mount of it."""
    mount = podman("image", "mount", tag).stdout.strip()
    try:
        files = set()
        for dirpath, _, names in os.walk(mount):
            for n in names:
                files.add("/" + os.path.relpath(os.path.join(dirpath, n), mount))
        return files
    finally:
        podman("image", "unmount", tag, check=False)


def test_image_has_only_the_binary_its_libraries_and_config(image):
    expected = {"/usr/local/bin/tributary", "/etc/passwd", "/etc/group", "/etc/tributary/mapping.yml"}
    assert image_files(image) == expected | ldd_paths(binary_path())
    inspect = podman("image", "inspect", "--format", "{{.Config.User}} {{.Size}}", image).stdout.split()
    assert inspect[0] == "65532:65532"
    print("image size %.1f MB" % (int(inspect[1]) / 1e6))


def test_image_runs_read_only_as_non_root_and_serves_statsd(image):
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    name = "tributary-e2e-%d" % os.getpid()
    # The image's own CMD (recommended mapping, :9102 HTTP, :9125 StatsD); only the ports are published, on loopback.
    podman("run", "-d", "--name", name, "--read-only", *ULIMITS,
           "-p", "127.0.0.1:%d:9102/tcp" % http_port, "-p", "127.0.0.1:%d:9125/udp" % udp_port, image)
    try:
        state = podman("inspect", "--format", "{{.State.Pid}} {{.HostConfig.ReadonlyRootfs}}", name).stdout.split()
        assert state[1] == "true"
        with open("/proc/%s/status" % state[0]) as f:
            uids = [line.split()[1:] for line in f if line.startswith(("Uid:", "Gid:"))]
        assert uids == [["65532"] * 4, ["65532"] * 4], uids

        base = "http://127.0.0.1:%d" % http_port
        deadline = time.time() + 60
        while True:
            try:
                if http_get(base + "/-/ready", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "not ready on %s: %s" % (base, podman("logs", name, check=False).stderr)
            time.sleep(0.3)

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        gauge = key("image_e2e_temperature")
        deadline = time.time() + 30
        while True:  # a gauge first: idempotent, so resending until the forwarded port delivers is harmless
            sock.sendto(b"image_e2e.temperature:42|g", ("127.0.0.1", udp_port))
            samples, _ = parse(http_get(base + "/metrics")[2].decode())
            if samples.get(gauge) == 42:
                break
            assert time.time() < deadline, "no StatsD through 127.0.0.1:%d/udp: %s" % (
                udp_port, podman("logs", name, check=False).stderr)
            time.sleep(0.5)
        sock.sendto(b"http.request.duration:25|ms|#route:/x,method:GET,code:200\nimage_e2e.hits:3|c",
                    ("127.0.0.1", udp_port))
        labels = dict(route="/x", method="GET", code="200")
        deadline = time.time() + 10
        while True:
            samples, types = parse(http_get(base + "/metrics")[2].decode())
            if samples.get(key("http_request_duration_seconds_count", **labels)) == 1:
                break
            assert time.time() < deadline, "histogram sample not exported"
            time.sleep(0.2)
        # The recommended mapping (/etc/tributary/mapping.yml in the image) turned the timer into its histogram.
        assert types["http_request_duration_seconds"] == "histogram"
        assert samples[key("http_request_duration_seconds_bucket", le="0.025", **labels)] == 1
        assert samples[key("http_request_duration_seconds_sum", **labels)] == pytest.approx(0.025)
        assert samples[key("image_e2e_hits")] == 3
        assert http_get(base + "/-/healthy")[0] == 200
        assert podman("inspect", "--format", "{{.State.Running}}", name).stdout.strip() == "true"
    finally:
        podman("rm", "-f", "-t", "5", name, check=False)
