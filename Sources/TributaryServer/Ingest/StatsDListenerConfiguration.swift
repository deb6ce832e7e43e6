/// Where and how Tributary listens for StatsD.
package struct StatsDListenerConfiguration: Sendable {
    package var udp: ListenAddress?
    package var tcp: ListenAddress?
    package var unixgramPath: String?
    /// Octal file mode of the Unix datagram socket: 660 (owner and group may send; statsd_exporter uses 755).
    package var unixSocketMode: String
    /// Receive buffer in bytes; nil asks for `defaultReceiveBuffer`. UDP tries SO_RCVBUFFORCE first (honoured for
    /// root), then SO_RCVBUF (which the kernel caps at `net.core.rmem_max`).
    package var readBufferBytes: Int?
    /// Longest accepted TCP line in bytes.
    package var maxTCPLineBytes: Int
    /// Most concurrent TCP connections; more are accepted and closed at once (counted).
    package var maxTCPConnections: Int
    /// Datagrams read per `recvmmsg` call.
    package var udpBatchSize: Int
    /// UDP sockets bound to the same address with SO_REUSEPORT, each read by its own event-loop thread.
    package var udpReaders: Int
    /// Worker threads (and shards) that parse and aggregate UDP lines handed over by the readers
    /// (`--statsd.ingest-threads`); 1 parses inline on the reader thread.
    package var ingestThreads: Int
    /// `--statsd.relay.address`: forward every line received to this UDP `host:port`; nil relays nothing.
    package var relayAddress: String?
    /// `--statsd.relay.packet-length`: longest relayed packet in bytes.
    package var relayPacketLength = 1400
    /// `--statsd.relay.queue-bytes`: most bytes waiting for the relay thread; beyond, lines are dropped and counted.
    package var relayQueueBytes = 4 * 1024 * 1024

    package static let defaultReceiveBuffer = 16 * 1024 * 1024

    package init(
        udp: ListenAddress?, tcp: ListenAddress?, unixgramPath: String?, unixSocketMode: String = "660",
        readBufferBytes: Int? = nil, maxTCPLineBytes: Int = 65536, udpBatchSize: Int = 32,
        udpReaders: Int = 1, maxTCPConnections: Int = 256, ingestThreads: Int = 1
    ) {
        self.ingestThreads = max(1, ingestThreads)
        self.maxTCPConnections = maxTCPConnections
        self.udp = udp
        self.tcp = tcp
        self.unixgramPath = unixgramPath
        self.unixSocketMode = unixSocketMode
        self.readBufferBytes = readBufferBytes
        self.maxTCPLineBytes = maxTCPLineBytes
        self.udpBatchSize = udpBatchSize
        self.udpReaders = udpReaders
    }

    /// Readiness component names for the configured listeners.
    package var readinessComponents: Set<String> {
        var names: Set<String> = []
        if self.udp != nil { names.insert("statsd-udp") }
        if self.tcp != nil { names.insert("statsd-tcp") }
        if self.unixgramPath != nil { names.insert("statsd-unixgram") }
        return names
    }
}
