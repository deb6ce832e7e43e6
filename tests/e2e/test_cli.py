"""Command-line compatibility with statsd_exporter's flags."""
import os
import subprocess
import tempfile

from conftest import binary_path, free_port, http_get


def run(*args, timeout=20):
    return subprocess.run([binary_path(), *args], capture_output=True, text=True, timeout=timeout)


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip()


def test_help_lists_statsd_exporter_flags():
    r = run("--help")
    assert r.returncode == 0
    for flag in ["--statsd.listen-udp", "--statsd.listen-tcp", "--statsd.listen-unixgram", "--web.listen-address",
                 "--web.telemetry-path", "--statsd.mapping-config", "--no-statsd.parse-dogstatsd-tags",
                 "--log.level", "--log.format", "--check-config", "--web.enable-lifecycle"]:
        assert flag in r.stdout, flag


def test_unknown_flag_fails_clearly():
    r = run("--statsd.listen-udpp=:1")
    assert r.returncode != 0
    assert "statsd.listen-udpp" in (r.stderr + r.stdout)


def test_bad_log_level_fails_clearly():
    r = run("--log.level=loud")
    assert r.returncode != 0 and "log.level" in r.stderr


def test_empty_value_forms_disable_listeners(tributary_factory):
    # `--flag=` (empty after =) and `--flag ""` both turn a listener off.
    t = tributary_factory(extra_args=["--statsd.listen-unixgram", ""], tcp=False)
    assert t.proc.poll() is None
    assert "tributary_udp_packets_total" in t.scrape()


def test_space_separated_values(tributary_factory):
    t = tributary_factory(extra_args=["--web.telemetry-path", "/custom"])
    assert http_get(t.base + "/custom")[0] == 200


def test_check_config_without_file_ok():
    assert run("--check-config").returncode == 0


def test_check_config_reports_unreadable_file():
    r = run("--check-config", "--statsd.mapping-config=/nonexistent/mapping.yml")
    assert r.returncode == 1
    assert "mapping.yml" in r.stderr


def test_port_in_use_fails_with_message():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        r = run("--web.listen-address=127.0.0.1:%d" % port, "--statsd.listen-udp=127.0.0.1:%d" % free_port(),
                "--statsd.listen-tcp=", timeout=20)
        assert r.returncode != 0
        assert str(port) in r.stderr
    finally:
        s.close()
