"""--statsd.relay.address: every line received on any StatsD listener reaches a second, real UDP receiver intact,
packed into packets of at most --statsd.relay.packet-length bytes; under a flood the relay drops and counts instead of
slowing ingest. Loopback only, bounded."""
import socket
import time

from promparse import key


class Receiver:
    """A plain UDP socket on 127.0.0.1 standing in for the relay target (a StatsD server or Datadog agent)."""

    def __init__(self, buffer_bytes=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if buffer_bytes:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer_bytes)
        self.sock.bind(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.packets = []

    def receive_until(self, predicate, timeout=10):
        deadline = time.time() + timeout
        while not predicate(self.packets):
            remaining = deadline - time.time()
            assert remaining > 0, "relay target got %d packet(s): %r" % (len(self.packets), self.packets[-5:])
            self.sock.settimeout(min(remaining, 0.5))
            try:
                self.packets.append(self.sock.recv(65536))
            except socket.timeout:
                pass
        return self.packets

    def lines(self):
        return [line for packet in self.packets for line in packet.decode().split("\n") if line]

    def close(self):
        self.sock.close()


def relay_counter(samples, name, target):
    return samples.get(key("tributary_relay_" + name, target=target), 0)


def test_relays_every_listener_intact_and_packed(tributary_factory):
    receiver = Receiver()
    try:
        t = tributary_factory(
            unixgram=True,
            extra_args=["--statsd.relay.address=" + receiver.address, "--statsd.relay.packet-length=200"])
        # 20 lines of 39 bytes (40 with their newline) in one datagram: 5 per 200-byte packet, so exactly 4 packets.
        lines = ["relay.packed.%02d:1|c|#k:%s" % (i, "v" * 16) for i in range(20)]
        assert all(len(line) == 39 for line in lines)
        too_long = "relay.long:1|c|#k:" + "x" * 300
        t.send_udp("\n".join(lines[:10] + [too_long] + lines[10:]) + "\n")
        receiver.receive_until(lambda packets: len(receiver.lines()) >= 20)
        assert receiver.lines() == lines
        assert [len(p) for p in receiver.packets] == [200, 200, 200, 200]
        assert all(p.endswith(b"\n") for p in receiver.packets)

        # TCP (two lines in one write, no trailing newline on the last) and Unix datagrams (CRLF and empty lines):
        # every non-empty line, bytes as received, each ending in one newline.
        t.send_tcp("relay.tcp.a:2|g\nrelay.tcp.b:3|ms|@0.5\n")
        t.send_unixgram("relay.unix.a:1|c\n\nrelay.unix.b:4|h|#x:y")
        receiver.receive_until(lambda packets: len(receiver.lines()) >= 24)
        assert sorted(receiver.lines()[20:]) == sorted(
            ["relay.tcp.a:2|g", "relay.tcp.b:3|ms|@0.5", "relay.unix.a:1|c", "relay.unix.b:4|h|#x:y"])
        assert all(len(p) <= 200 for p in receiver.packets)

        target = receiver.address
        samples = t.wait_for(lambda s: relay_counter(s, "lines_relayed_total", target) == 24
                             and relay_counter(s, "packets_total", target) == len(receiver.packets))
        assert relay_counter(samples, "long_lines_total", target) == 1
        assert relay_counter(samples, "dropped_lines_total", target) == 0
        # Relaying does not change ingest: the lines are parsed and exported as usual.
        assert samples[key("relay_packed_07", k="v" * 16)] == 1
    finally:
        receiver.close()


def test_relay_off_exports_no_relay_families(tributary_factory):
    t = tributary_factory()
    assert "tributary_relay_" not in t.scrape()


def test_flood_is_dropped_and_counted_not_waited_for(tributary_factory):
    """Lines cheap to ingest (rejected at once: no `:`), each needing its own relay packet (packet length 64): the
    relay thread cannot keep up with a 7000-datagram burst and its 64 KiB queue; ingest still takes every datagram
    the kernel delivers, and every line is either relayed or counted as dropped."""
    receiver = Receiver(buffer_bytes=1 << 20)
    try:
        t = tributary_factory(
            tcp=False,
            extra_args=["--statsd.relay.address=" + receiver.address, "--statsd.relay.packet-length=64",
                        "--statsd.relay.queue-bytes=65536"])
        line = "flood_line_without_a_colon_" + "z" * 12  # 39 bytes
        per_datagram = 35
        datagram = ("\n".join([line] * per_datagram) + "\n").encode()
        datagrams = 7000  # ~9.8 MB, inside the 16 MiB receive buffer
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        started = time.time()
        for _ in range(datagrams):
            sender.sendto(datagram, ("127.0.0.1", t.udp_port))
        sender.close()
        sent_lines = datagrams * per_datagram

        # Ingest: every datagram the kernel kept is read and every line counted.
        def ingested(s):
            drops = s.get(key("tributary_udp_kernel_drops_total"), 0)
            return s.get(key("tributary_udp_packets_total"), 0) + drops == datagrams

        samples = t.wait_for(ingested, timeout=60)
        ingest_seconds = time.time() - started
        kernel_drops = samples.get(key("tributary_udp_kernel_drops_total"), 0)
        lines = samples[key("tributary_lines_total")]
        assert lines == (datagrams - kernel_drops) * per_datagram

        # Relay: drops were counted, and once the queue drained every line is accounted for.
        target = receiver.address
        # (The last packet goes out at the next once-a-second flush: one 40-byte line per 64-byte packet.)
        samples = t.wait_for(
            lambda s: relay_counter(s, "lines_relayed_total", target) + relay_counter(s, "dropped_lines_total", target)
            == lines and relay_counter(s, "packets_total", target) == relay_counter(s, "lines_relayed_total", target),
            timeout=60)
        dropped = relay_counter(samples, "dropped_lines_total", target)
        relayed = relay_counter(samples, "lines_relayed_total", target)
        assert dropped > 0, "the relay kept up with %d lines; the flood did not test dropping" % sent_lines
        assert relayed > 0
        assert relay_counter(samples, "long_lines_total", target) == 0
        print("flood: %d lines ingested in %.2fs (kernel drops %d), relayed %d, dropped %d"
              % (lines, ingest_seconds, kernel_drops, relayed, dropped))
        # What reached the target is intact.
        receiver.sock.settimeout(0.2)
        try:
            for _ in range(100):
                packet = receiver.sock.recv(65536)
                assert packet == (line + "\n").encode()
        except socket.timeout:
            pass
    finally:
        receiver.close()
