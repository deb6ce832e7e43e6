#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TributaryCore

/// Runs the StatsD listeners (UDP, TCP, Unix datagram) until graceful shutdown.
///
/// With one shard, every listener applies what it reads inline on its own thread. With several
/// (`--statsd.ingest-threads`), UDP readers hand batches of lines to ``IngestWorkers``, one per shard; TCP and Unix
/// datagram listeners apply inline to the primary shard. Bound UDP ports are published in `boundUDPPorts` (for
/// kernel drop accounting and tests).
///
/// A UDP reader waiting for a worker's free buffer blocks its event-loop thread, so `group` must never serve HTTP
/// (``TributaryApplication`` gives HTTP its own group).
package final class StatsDIngestService: Service, Sendable {
    private let configuration: StatsDListenerConfiguration
    private let shards: AggregationShards
    /// The UDP readers' workers with more than one shard; nil applies inline.
    package let workers: IngestWorkers?
    private let statistics: IngestStatistics
    private let readiness: Readiness
    private let logger: Logger
    private let group: any EventLoopGroup
    private let bound = Mutex<(udp: [Int], tcp: [Int])>(([], []))
    /// `--statsd.relay.address`: every listener hands it what it reads; nil when off.
    package let relay: StatsDRelay?

    package init(
        configuration: StatsDListenerConfiguration, shards: AggregationShards, statistics: IngestStatistics,
        readiness: Readiness, logger: Logger, workerApply: @escaping IngestWorkers.Apply = IngestWorkers.applyToShard,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.shards = shards
        self.workers = shards.all.count > 1 ? IngestWorkers(shards: shards, apply: workerApply) : nil
        self.statistics = statistics
        self.readiness = readiness
        self.logger = logger
        self.group = group
        self.relay = configuration.relayAddress.map {
            StatsDRelay(
                target: $0, packetLength: configuration.relayPacketLength, queueBytes: configuration.relayQueueBytes,
                logger: logger)
        }
    }

    /// The UDP port of every reader socket (the same port once per reader).
    package var boundUDPPorts: [Int] { self.bound.withLock { $0.udp } }
    package var boundTCPPorts: [Int] { self.bound.withLock { $0.tcp } }

    package func run() async throws {
        var channels: [any Channel] = []
        var receiver: UnixDatagramReceiver?
        var receiverThread: Task<Void, Never>?
        try self.relay?.start()
        self.workers?.start()
        do {
            if let udp = self.configuration.udp {
                // Several readers share the port through SO_REUSEPORT; the kernel spreads senders
                // across them by source address. The first bind fixes the port (and host) for the rest.
                var address = udp
                let readers = max(1, self.configuration.udpReaders)
                for reader in 0..<readers {
                    let channel = try await self.bindUDP(address, reusePort: readers > 1)
                    channels.append(channel)
                    if reader == 0, let local = channel.localAddress, let port = local.port {
                        address = ListenAddress(host: local.ipAddress ?? udp.host, port: port)
                    }
                    self.bound.withLock { $0.udp.append(channel.localAddress?.port ?? udp.port) }
                }
                try self.checkExclusive(udp: udp, port: address.port)
                self.readiness.markReady("statsd-udp")
                self.logger.info(
                    "listening for StatsD",
                    metadata: [
                        "transport": "udp", "address": "\(ListenAddress.display(channels.first?.localAddress))",
                        "readers": "\(readers)",
                    ])
            }
            if let tcp = self.configuration.tcp {
                let channel = try await self.bindTCP(tcp)
                channels.append(channel)
                self.bound.withLock { $0.tcp.append(channel.localAddress?.port ?? tcp.port) }
                self.readiness.markReady("statsd-tcp")
                self.logger.info(
                    "listening for StatsD",
                    metadata: ["transport": "tcp", "address": "\(ListenAddress.display(channel.localAddress))"])
            }
            if let path = self.configuration.unixgramPath {
                let unix: UnixDatagramReceiver
                do {
                    unix = try UnixDatagramReceiver(
                        path: path, mode: self.configuration.unixSocketMode,
                        receiveBufferBytes: self.configuration.readBufferBytes
                            ?? StatsDListenerConfiguration.defaultReceiveBuffer)
                } catch {
                    throw UserError("--statsd.listen-unixgram \(path): \(error)")
                }
                receiver = unix
                let shard = self.shards.primary
                let statistics = self.statistics
                let relay = self.relay
                receiverThread = unix.start(threadName: "tributary-unixgram") { datagram in
                    statistics.increment(.unixgramPackets)
                    if let relay { relay.submit(datagram) }
                    shard.apply(lines: datagram, now: monotonicNanoseconds())
                }
                self.readiness.markReady("statsd-unixgram")
                self.logger.info("listening for StatsD", metadata: ["transport": "unixgram", "address": "\(path)"])
            }
        } catch {
            for channel in channels { try? await channel.close() }
            receiver?.stop()
            await receiverThread?.value
            self.workers?.stop()
            self.relay?.stop()
            throw error
        }

        // Serve until graceful shutdown (or cancellation), then close. From here on `/-/ready` answers 503, so a
        // load balancer stops sending while HTTP still serves `/metrics` for the shutdown grace period.
        if self.configuration.udpReaders > 1, let port = self.boundUDPPorts.first {
            await UDPPortWatch(port: port, readiness: self.readiness, logger: self.logger).run()
        } else {
            try? await gracefulShutdown()
        }
        self.readiness.markNotReady("shutting-down")
        for channel in channels { try? await channel.close() }
        receiver?.stop()
        await receiverThread?.value
        // Every batch the readers handed over is applied before the service ends (and the last scrape runs).
        self.workers?.stop()
        // What the listeners read is relayed (the relay thread sends its queue and partial packet, then ends).
        self.relay?.stop()
    }

    private func bindUDP(_ address: ListenAddress, reusePort: Bool) async throws -> any Channel {
        let receiveBuffer = self.configuration.readBufferBytes ?? StatsDListenerConfiguration.defaultReceiveBuffer
        // SO_RCVBUFFORCE (root, or CAP_NET_ADMIN) sets the buffer past net.core.rmem_max, so a burst — the first
        // lines of thousands of new series take the slow path — is queued instead of dropped. Without the
        // privilege the kernel refuses it and SO_RCVBUF (capped at rmem_max) is used instead.
        do {
            return try await self.bindUDP(address, reusePort: reusePort, receiveBuffer: receiveBuffer, force: true)
        } catch {
            return try await self.bindUDP(address, reusePort: reusePort, receiveBuffer: receiveBuffer, force: false)
        }
    }

    private func bindUDP(_ address: ListenAddress, reusePort: Bool, receiveBuffer: Int, force: Bool) async throws -> any Channel {
        let shard = self.shards.primary
        let workers = self.workers
        let statistics = self.statistics
        let relay = self.relay
        let batch = max(1, self.configuration.udpBatchSize)
        let bufferOption =
            force
            ? ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_RCVBUFFORCE))
            : .socketOption(.so_rcvbuf)
        let bootstrap = DatagramBootstrap(group: self.group)
            // No SO_REUSEADDR: on Linux it lets a second UDP socket bind the same address and take its unicast
            // datagrams. SO_REUSEPORT only for several readers (see ``checkExclusive(udp:port:)``).
            .channelOption(
                ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_REUSEPORT)),
                value: reusePort ? 1 : 0)
            .channelOption(bufferOption, value: SocketOptionValue(clamping: receiveBuffer))
            .channelOption(.datagramVectorReadMessageCount, value: batch)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: batch * 65536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let workers {
                        try channel.pipeline.syncOperations.addHandler(
                            UDPPartitioningHandler(workers: workers, statistics: statistics, relay: relay))
                    } else {
                        try channel.pipeline.syncOperations.addHandler(
                            UDPIngestHandler(shard: shard, statistics: statistics, relay: relay))
                    }
                }
            }
        return try await Self.bindFirst(address, flag: "--statsd.listen-udp") { host in
            try await bootstrap.bind(host: host, port: address.port).get()
        }
    }

    /// Fails when another process receives on the UDP port we bound (possible only with SO_REUSEPORT, i.e.
    /// `--statsd.udp-readers` above 1, and the same user): see ``UDPPortSharing`` for why the kernel's socket table
    /// is the check. The caller closes our readers, so the process that was there first keeps the port.
    private func checkExclusive(udp: ListenAddress, port: Int) throws {
        let foreign = UDPPortSharing.foreignSockets(port: port)
        guard !foreign.isEmpty else { return }
        throw ListenerBindError(
            flag: "--statsd.listen-udp", address: udp.description,
            problem: .sharedWith(UDPPortSharing.owners(of: foreign)))
    }

    private func bindTCP(_ address: ListenAddress) async throws -> any Channel {
        let shard = self.shards.primary
        let statistics = self.statistics
        let maxLine = self.configuration.maxTCPLineBytes
        let maxConnections = self.configuration.maxTCPConnections
        let relay = self.relay
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                guard statistics.admit(channel, to: .statsdTCP, limit: maxConnections) else {
                    logger.debug("StatsD TCP connection limit reached", metadata: ["limit": "\(maxConnections)"])
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TCPLineHandler(shard: shard, statistics: statistics, maxLineBytes: maxLine, relay: relay))
                }
            }
        return try await Self.bindFirst(address, flag: "--statsd.listen-tcp") { host in
            try await bootstrap.bind(host: host, port: address.port).get()
        }
    }

    /// Tries each candidate host (dual-stack `::` first for "all interfaces") and returns the first bind.
    static func bindFirst(
        _ address: ListenAddress, flag: String, _ bind: (String) async throws -> any Channel
    ) async throws -> any Channel {
        var lastError: (any Error)?
        for host in address.bindHosts {
            do {
                return try await bind(host)
            } catch {
                lastError = error
            }
        }
        throw ListenerBindError(flag: flag, address: address, underlying: lastError)
    }
}
