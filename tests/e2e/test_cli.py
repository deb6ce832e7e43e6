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


# Every flag name statsd_exporter 0.27 to 0.30 accepts: its main.go (kingpin flags), exporter-toolkit's web flags and
# promslog's log flags, plus kingpin's --help and --version.
STATSD_EXPORTER_FLAGS = {
    "--web.listen-address", "--web.config.file", "--web.systemd-socket", "--web.telemetry-path",
    "--web.enable-lifecycle",
    "--statsd.listen-udp", "--statsd.listen-tcp", "--statsd.listen-unixgram", "--statsd.unixsocket-mode",
    "--statsd.mapping-config", "--statsd.read-buffer", "--statsd.cache-size", "--statsd.cache-type",
    "--statsd.event-queue-size", "--statsd.event-flush-threshold", "--statsd.event-flush-interval",
    "--statsd.udp-packet-queue-size", "--debug.dump-fsm", "--check-config",
    "--statsd.parse-dogstatsd-tags", "--statsd.parse-influxdb-tags", "--statsd.parse-librato-tags",
    "--statsd.parse-signalfx-tags", "--statsd.relay.address", "--statsd.relay.packet-length",
    "--log.level", "--log.format", "--help", "--version",
}


def help_flags():
    import re
    r = run("--help")
    assert r.returncode == 0
    return set(re.findall(r"(?<![\w-])--(?:no-)?([a-z][a-z0-9.-]*[a-z0-9])", r.stdout)), r.stdout


def test_help_lists_every_statsd_exporter_flag():
    names, text = help_flags()
    listed = {"--" + name for name in names}
    assert STATSD_EXPORTER_FLAGS - listed == set(), text
    # The boolean ones also take statsd_exporter's --no- form.
    for name in ["statsd.parse-dogstatsd-tags", "statsd.parse-influxdb-tags", "statsd.parse-librato-tags",
                 "statsd.parse-signalfx-tags"]:
        assert "--no-" + name in text, name


def test_every_statsd_exporter_flag_is_accepted(tmp_path):
    # Each flag with a valid value, through --check-config (which parses everything and exits).
    values = {
        "--web.listen-address": ":0", "--web.telemetry-path": "/metrics", "--statsd.listen-udp": ":0",
        "--statsd.listen-tcp": ":0", "--statsd.listen-unixgram": "", "--statsd.unixsocket-mode": "755",
        "--statsd.read-buffer": "1048576", "--statsd.cache-size": "1000", "--statsd.cache-type": "random",
        "--statsd.event-queue-size": "10000", "--statsd.event-flush-threshold": "1000",
        "--statsd.event-flush-interval": "200ms", "--statsd.udp-packet-queue-size": "10000",
        "--debug.dump-fsm": str(tmp_path / "fsm.dot"), "--statsd.relay.address": "127.0.0.1:8125",
        "--statsd.relay.packet-length": "1400", "--log.level": "info", "--log.format": "logfmt",
    }
    args = ["--%s=%s" % (flag[2:], value) for flag, value in values.items()]
    args += ["--web.enable-lifecycle", "--no-web.systemd-socket", "--statsd.parse-dogstatsd-tags",
             "--no-statsd.parse-influxdb-tags",
             "--statsd.parse-librato-tags", "--no-statsd.parse-signalfx-tags", "--check-config"]
    r = run(*args)
    assert r.returncode == 0, r.stderr


def test_systemd_socket_activation_is_refused_clearly():
    r = run("--web.systemd-socket")
    assert r.returncode != 0 and "web.systemd-socket" in r.stderr
