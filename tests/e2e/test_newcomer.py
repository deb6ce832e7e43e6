"""A newcomer's first hour (issue 19): no silent port sharing, quick starts that fail loudly, a command line that
explains itself, and start-up errors as one line naming the flag or file and what to do."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, binary_path, free_port, http_get
from promparse import key


def run(*args, timeout=20):
    return subprocess.run([binary_path(), *args], capture_output=True, text=True, timeout=timeout)


def error_lines(stderr):
    """The `Error: …` lines and any `level=error` log lines: a start-up error must be exactly one line."""
    return [line for line in stderr.splitlines() if line.startswith("Error:") or "level=error" in line]


def only_error(r):
    assert r.returncode != 0, r.stderr
    lines = error_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    return lines[0]


def count_udp(t, name, senders=16, each=10):
    """Sends `name:1|c` from `senders` sockets (distinct source ports spread over SO_REUSEPORT readers)."""
    for _ in range(senders):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        for _ in range(each):
            s.sendto(("%s:1|c" % name).encode(), ("127.0.0.1", t.udp_port))
        s.close()
    return senders * each


# --- No silent port sharing --------------------------------------------------------------------------------------


def second_on(udp_port, *extra):
    return run("--web.listen-address=127.0.0.1:%d" % free_port(), "--statsd.listen-udp=127.0.0.1:%d" % udp_port,
               "--statsd.listen-tcp=", *extra)


def test_second_instance_on_busy_udp_port_fails_and_first_keeps_receiving(tributary_factory):
    first = tributary_factory(tcp=False)
    r = second_on(first.udp_port)
    assert only_error(r) == (
        "Error: --statsd.listen-udp 127.0.0.1:%d: the address is in use by another process; stop it or give "
        "--statsd.listen-udp another address" % first.udp_port)
    sent = count_udp(first, "still.mine")
    first.wait_for(lambda s: s.get(key("still_mine")) == sent)
    first.wait_ready(timeout=10)


def test_udp_readers_cannot_join_another_instances_port(tributary_factory):
    """Both with SO_REUSEPORT (same user): the kernel lets the second join; its check of /proc/net/udp refuses."""
    first = tributary_factory(tcp=False, extra_args=["--statsd.udp-readers=2"])
    r = second_on(first.udp_port, "--statsd.udp-readers=2")
    assert only_error(r) == (
        "Error: --statsd.listen-udp 127.0.0.1:%d: the port is already in use by pid %d (tributary); stop it or give "
        "--statsd.listen-udp another address" % (first.udp_port, first.proc.pid))
    sent = count_udp(first, "group.mine")
    first.wait_for(lambda s: s.get(key("group_mine")) == sent)
    port_hex = ":%04X" % first.udp_port
    with open("/proc/net/udp") as f:
        assert len([line for line in f if line.split()[1].endswith(port_hex)]) == 2  # only the first's readers


def wait_status(t, predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        ready = http_get(t.base + "/-/ready")[0]
        udp = json.loads(http_get(t.base + "/api/v1/status")[2])["listeners"][0]
        if predicate(ready, udp):
            return ready, udp
        time.sleep(0.2)
    raise AssertionError("status not reached: ready %s, udp listener %s" % (ready, udp))


def test_a_process_joining_the_readers_later_withholds_readiness(tributary_factory):
    """Another same-user socket joining the SO_REUSEPORT group after start-up takes part of the datagrams:
    readiness answers 503 and the status page says the listener is shared until it leaves."""
    t = tributary_factory(tcp=False, extra_args=["--statsd.udp-readers=2"])
    intruder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        intruder.bind(("127.0.0.1", t.udp_port))
        ready, udp = wait_status(t, lambda ready, udp: ready == 503)
        assert udp["problem"] == "shared with another process" and udp["bound"] is True
    finally:
        intruder.close()
    wait_status(t, lambda ready, udp: ready == 200 and "problem" not in udp)
    log = t.stderr()
    assert "another process receives on the StatsD UDP port and takes part of its datagrams; stop it" in log
    assert "the StatsD UDP port is no longer shared" in log


def test_udp_readers_still_share_within_one_process(tributary_factory):
    t = tributary_factory(tcp=False, extra_args=["--statsd.udp-readers=4"])
    sent = count_udp(t, "four.readers", senders=32)
    t.wait_for(lambda s: s.get(key("four_readers")) == sent)
    assert "msg=\"listening for StatsD\" address=127.0.0.1:%d readers=4 transport=udp" % t.udp_port in t.stderr()


# --- Quick start ---------------------------------------------------------------------------------------------------


class QuickStart:
    """scripts/quickstart.sh with the debug binary on temporary ports, in its own session; stopped by PID."""

    def __init__(self, http_port, statsd_port, feed_dir):
        env = dict(os.environ, TRIBUTARY_BIN=binary_path(), TRIBUTARY_HTTP_PORT=str(http_port),
                   TRIBUTARY_STATSD_PORT=str(statsd_port), TRIBUTARY_FEED_DIR=feed_dir)
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["bash", os.path.join(ROOT, "scripts", "quickstart.sh")], env=env,
                                     stdout=self.out, stderr=self.err, start_new_session=True)

    def output(self):
        texts = []
        for f in (self.out, self.err):
            f.seek(0)
            texts.append(f.read().decode(errors="replace"))
        return texts

    def wait_running(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "Tributary is running" in self.output()[0]:
                return
            assert self.proc.poll() is None, self.output()
            time.sleep(0.1)
        raise AssertionError("quick start not running after %ss: %s" % (timeout, self.output()))

    def wait_exit(self, timeout=60):
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@pytest.fixture
def quickstarts(tmp_path):
    started = []

    def start(http_port, statsd_port, feed_dir):
        q = QuickStart(http_port, statsd_port, feed_dir)
        started.append(q)
        return q

    yield start
    for q in reversed(started):
        q.stop()


def test_two_quick_starts_the_second_fails_loudly(quickstarts, tmp_path):
    http, statsd = free_port(), free_port(socket.SOCK_DGRAM)
    first = quickstarts(http, statsd, str(tmp_path / "a"))
    first.wait_running()

    second = quickstarts(http, statsd, str(tmp_path / "a"))
    assert second.wait_exit() == 1
    out, err = second.output()
    assert "Tributary is running" not in out
    assert ("quickstart: port %d already serves HTTP (another Tributary or quick start?); stop it, or set "
            "TRIBUTARY_HTTP_PORT and TRIBUTARY_STATSD_PORT" % http) in err.splitlines()

    # Its own HTTP port free, but the StatsD port busy: its Tributary fails, and so does the quick start.
    third = quickstarts(free_port(), statsd, str(tmp_path / "c"))
    assert third.wait_exit() == 1
    out, err = third.output()
    assert "Tributary is running" not in out
    assert ("Error: --statsd.listen-udp :%d: the address is in use by another process; stop it or give "
            "--statsd.listen-udp another address" % statsd) in err.splitlines(), err
    assert re.search(r"^quickstart: Tributary did not start \(exit status 1; its error is above\)$", err, re.M), err

    assert first.proc.poll() is None
    assert http_get("http://127.0.0.1:%d/-/ready" % http)[0] == 200


# --- The command line explains itself -----------------------------------------------------------------------------

COMMANDS = ["explain", "emit", "demo", "cardinality", "help", "bench-json", "bench-ingest", "bench-mapping", "bench-churn",
            "bench-cardinality", "bench-snapshot"]


def test_help_lists_every_command_with_one_line():
    r = run("--help")
    assert r.returncode == 0
    block = r.stdout.split("COMMANDS (tributary help COMMAND for one):\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in block] == COMMANDS, block  # one line each, nothing wrapped
    assert all(len(line.split(None, 1)[1]) > 10 for line in block), block
    for name in os.listdir(os.path.join(ROOT, "Sources", "tributary")):
        if name.endswith("Command.swift") and name != "ServeCommand.swift":
            word = re.sub(r"(?<!^)(?=[A-Z])", "-", name[:-len("Command.swift")]).lower()
            assert word.replace("j-s-o-n", "json") in COMMANDS, name


def test_help_command():
    r = run("help")
    assert r.returncode == 0 and "--statsd.listen-udp" in r.stdout and "COMMANDS" in r.stdout
    r = run("help", "emit")
    assert r.returncode == 0 and "--statsd.address" in r.stdout and "--json.socket" in r.stdout
    r = run("help", "nope")
    assert r.returncode == 64
    assert only_error(r) == ('Error: unknown command "nope"; the commands are ' + ", ".join(COMMANDS))


def test_emit_says_what_it_sent_to_a_host_name(tributary_factory):
    t = tributary_factory(tcp=False)
    r = run("emit", "--statsd.address", "localhost:%d" % t.udp_port, "first.hour:1|c")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "sent 1 line over UDP to localhost:%d (127.0.0.1:%d):\n  first.hour:1|c\n" % (
        t.udp_port, t.udp_port)
    t.wait_for(lambda s: s.get(key("first_hour")) == 1)


def test_emit_refuses_a_sample_tributary_would_reject(tributary_factory):
    t = tributary_factory(tcp=False)
    r = run("emit", "--statsd.address", "127.0.0.1:%d" % t.udp_port, "--name", "x", "--value", "abc")
    assert only_error(r) == ("Error: Tributary would reject 'x:abc|c' (malformed_value), counting it in "
                             "tributary_sample_errors_total by that reason; nothing was sent")
    assert r.returncode == 1 and r.stdout == ""
    time.sleep(0.3)
    assert t.samples().get(key("tributary_lines_total")) == 0


def test_emit_refuses_a_json_line_with_a_misspelt_key(tributary_factory, tmp_path):
    feed = str(tmp_path / "feed.sock")
    tributary_factory(tcp=False, extra_args=["--json.listen-unix=" + feed])
    line = '{"name":"x","type":"counter","value":1,"lables":{"a":"b"}}'
    r = run("emit", "--json.socket", feed, line)
    assert only_error(r) == ("Error: Tributary would reject '%s' (unknown_field), counting it in "
                             "tributary_json_errors_total by that reason; nothing was sent" % line)
    assert r.returncode == 1


def test_emit_names_an_unknown_host():
    r = run("emit", "--statsd.address", "no-such-host.invalid:9125", "x:1|c")
    line = only_error(r)
    assert line.startswith('Error: --statsd.address no-such-host.invalid:9125: cannot resolve "no-such-host.invalid" (')
    assert line.endswith("); give host:port, e.g. localhost:9125")


# --- Start-up errors: one line naming the flag or file and what to do ---------------------------------------------


def serve(*args):
    return run("--web.listen-address=127.0.0.1:%d" % free_port(), "--statsd.listen-udp=127.0.0.1:%d" %
               free_port(socket.SOCK_DGRAM), "--statsd.listen-tcp=", *args)


BROKEN_MAPPING = 'mappings:\n- match: "a.*"\n  nme: "typo"\n'
MAPPING_REASON = 'mapping rule 0 (match "a.*"), key "nme": unknown key'


def test_broken_mapping_file_is_reported_once(tmp_path):
    path = tmp_path / "mapping.yml"
    path.write_text(BROKEN_MAPPING)
    r = serve("--statsd.mapping-config=%s" % path)
    assert r.returncode == 1
    assert only_error(r) == (
        "Error: --statsd.mapping-config %s: %s; fix the file (tributary --check-config --statsd.mapping-config FILE "
        "checks it without starting)" % (path, MAPPING_REASON))
    assert "previous" not in r.stderr


def test_missing_mapping_file(tmp_path):
    path = tmp_path / "missing.yml"
    r = serve("--statsd.mapping-config=%s" % path)
    assert only_error(r) == ("Error: --statsd.mapping-config %s: cannot read the file (No such file or directory); "
                             "give the path of a readable mapping file" % path)


def test_check_config_names_the_file_once(tmp_path):
    path = tmp_path / "mapping.yml"
    path.write_text(BROKEN_MAPPING)
    r = run("--check-config", "--statsd.mapping-config=%s" % path)
    assert r.returncode == 1
    assert r.stderr == "Mapping config %s is invalid: %s\n" % (path, MAPPING_REASON)


@pytest.mark.parametrize("flag", ["--web.listen-address", "--statsd.listen-tcp"])
def test_busy_tcp_port(flag):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        args = {"--web.listen-address": "127.0.0.1:%d" % free_port(), "--statsd.listen-tcp": ""}
        args[flag] = "127.0.0.1:%d" % port
        r = run(*["%s=%s" % item for item in args.items()],
                "--statsd.listen-udp=127.0.0.1:%d" % free_port(socket.SOCK_DGRAM))
        assert only_error(r) == ("Error: %s 127.0.0.1:%d: the address is in use by another process; stop it or "
                                 "give %s another address" % (flag, port, flag))
        assert "bind(" not in r.stderr and "errno" not in r.stderr
    finally:
        s.close()


@pytest.mark.parametrize("flag,value,message", [
    ("--web.config.file", "/nonexistent/web.yml",
     "cannot read the file (no such file); give the path of a readable web config file"),
    ("--json.listen-unix", "/nonexistent/dir/feed.sock",
     "cannot bind the socket (No such file or directory); give a path in a directory this user can write"),
    ("--json.listen-unixgram", "/nonexistent/dir/feed.dgram",
     "cannot bind the socket (No such file or directory); give a path in a directory this user can write"),
    ("--statsd.listen-unixgram", "/nonexistent/dir/statsd.sock",
     "cannot bind the socket (No such file or directory); give a path in a directory this user can write"),
    ("--web.listen-address", "no-such-host.invalid:9102",
     'cannot resolve the host name "no-such-host.invalid"; give --web.listen-address another address'),
    ("--web.listen-address", "192.0.2.1:9102",
     "this machine has no such address; use one of its addresses, or :PORT for all of them"),
])
def test_start_up_errors_name_the_flag_and_what_to_do(flag, value, message):
    args = {"--web.listen-address": "127.0.0.1:%d" % free_port(),
            "--statsd.listen-udp": "127.0.0.1:%d" % free_port(socket.SOCK_DGRAM), "--statsd.listen-tcp": ""}
    args[flag] = value
    r = run(*["%s=%s" % item for item in args.items()])
    assert r.returncode == 1
    assert only_error(r) == "Error: %s %s: %s" % (flag, value, message)


def test_bad_flag_values_are_one_line():
    r = serve("--log.level=loud")
    assert r.returncode == 64
    assert r.stderr == ('Error: --log.level must be one of debug, info, warn, error (got "loud") '
                        "(see tributary --help)\n")
    r = serve("--statsd.listen-udpp=:1")
    assert r.returncode == 64 and len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("Error: Unknown option '--statsd.listen-udpp'"), r.stderr


def test_start_up_logs_print_addresses_as_users_write_them(tmp_path):
    feed = str(tmp_path / "feed.sock")
    http, udp, tcp = free_port(), free_port(socket.SOCK_DGRAM), free_port()
    log_path = tmp_path / "stderr.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([binary_path(), "--web.listen-address=:%d" % http,
                                 "--statsd.listen-udp=127.0.0.1:%d" % udp, "--statsd.listen-tcp=:%d" % tcp,
                                 "--json.listen-unix=" + feed], stdout=subprocess.DEVNULL, stderr=log)
        try:
            expected = [
                'msg="listening for HTTP" address=[::]:%d' % http,
                'msg="listening for StatsD" address=127.0.0.1:%d readers=1 transport=udp' % udp,
                'msg="listening for StatsD" address=[::]:%d transport=tcp' % tcp,
                'msg="listening for the JSON feed" address=%s transport=unix' % feed,
            ]
            deadline = time.time() + 20
            while time.time() < deadline and not all(e in log_path.read_text() for e in expected):
                assert proc.poll() is None, log_path.read_text()
                time.sleep(0.05)
            text = log_path.read_text()
            for e in expected:
                assert e in text, text
            assert "Listening" not in text and "[IPv" not in text
        finally:
            proc.terminate()
            proc.wait(10)
