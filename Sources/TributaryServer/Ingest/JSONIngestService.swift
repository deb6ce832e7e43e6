#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TributaryCore

/// Runs the JSON feed listeners (Unix stream and Unix datagram) until graceful shutdown.
///
/// Stream connections are NIO children framed by ``TCPLineHandler``, which applies each read's complete
/// lines to the shard inline before reading more (no loss: a fast writer is slowed by the socket).
/// Datagrams come through ``UnixDatagramReceiver`` on a dedicated thread, so unbound senders work.
/// On shutdown the listener closes first, then every connection, each applying a last unterminated line.
package final class JSONIngestService: Service, Sendable {
    private let configuration: JSONFeedConfiguration
    private let shard: AggregationShard
    private let statistics: IngestStatistics
    private let readiness: Readiness
    private let logger: Logger
    private let group: any EventLoopGroup
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    package init(
        configuration: JSONFeedConfiguration, shard: AggregationShard, statistics: IngestStatistics,
        readiness: Readiness, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.shard = shard
        self.statistics = statistics
        self.readiness = readiness
        self.logger = logger
        self.group = group
    }

    /// A socket that could not be set up, with the path and what went wrong.
    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    package func run() async throws {
        var server: (any Channel)?
        var receiver: UnixDatagramReceiver?
        var receiverThread: Task<Void, Never>?
        do {
            if let path = self.configuration.streamPath {
                server = try await self.bindStream(path: path)
                self.readiness.markReady("json-unix")
                self.logger.info("listening for the JSON feed", metadata: ["transport": "unix", "address": "\(path)"])
            }
            if let path = self.configuration.datagramPath {
                let unix: UnixDatagramReceiver
                do {
                    unix = try UnixDatagramReceiver(
                        path: path, mode: self.configuration.socketMode,
                        receiveBufferBytes: StatsDListenerConfiguration.defaultReceiveBuffer)
                } catch {
                    throw SetupError(description: "--json.listen-unixgram \(path): \(error)")
                }
                receiver = unix
                try self.applyGroup(path: path)
                let shard = self.shard
                let statistics = self.statistics
                receiverThread = unix.start(
                    threadName: "tributary-json-unixgram", maxDatagramBytes: max(65536, self.configuration.maxLineBytes)
                ) { datagram in
                    statistics.increment(.jsonUnixgramPackets)
                    shard.applyJSON(lines: datagram, now: monotonicNanoseconds())
                }
                self.readiness.markReady("json-unixgram")
                self.logger.info("listening for the JSON feed", metadata: ["transport": "unixgram", "address": "\(path)"])
            }
        } catch {
            await self.close(server: server)
            receiver?.stop()
            await receiverThread?.value
            throw error
        }

        try? await gracefulShutdown()
        await self.close(server: server)
        receiver?.stop()
        await receiverThread?.value
    }

    /// Closes the listener (removing its file), then every open connection.
    private func close(server: (any Channel)?) async {
        guard let server else { return }
        try? await server.close()
        if let path = self.configuration.streamPath { unlink(path) }
        let open = self.connections.withLock { Array($0.values) }
        for channel in open { try? await channel.close() }
    }

    private func applyGroup(path: String) throws {
        guard let group = self.configuration.group else { return }
        guard UnixSocketFile.applyGroup(path: path, group: group) else {
            throw SetupError(
                description:
                    "--json.unixsocket-group \(group): cannot give \(path) this group (unknown group, or this user is not in it); give a group this user belongs to"
            )
        }
    }

    private func bindStream(path: String) async throws -> any Channel {
        do {
            try UnixSocketFile.removeStale(path: path, type: Int32(SOCK_STREAM.rawValue))
        } catch {
            throw SetupError(description: "--json.listen-unix \(path): \(error.description)")
        }
        let shard = self.shard
        let statistics = self.statistics
        let maxLine = self.configuration.maxLineBytes
        let maxConnections = self.configuration.maxConnections
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            // Reads grow up to 256 KiB under load (NIO's default stops at 64 KiB): fewer reads and locks per sample
            // from a fast writer; an idle connection's buffer stays small.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 262_144))
            .childChannelInitializer { [self] channel in
                guard statistics.admit(channel, to: .jsonStream, limit: maxConnections) else {
                    logger.debug("JSON feed connection limit reached", metadata: ["limit": "\(maxConnections)"])
                    return channel.close()
                }
                let id = ObjectIdentifier(channel)
                self.connections.withLock { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in self.connections.withLock { $0[id] = nil } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TCPLineHandler(sink: Self.sink(shard: shard, statistics: statistics), maxLineBytes: maxLine))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).get()
        } catch {
            throw ListenerBindError(
                flag: "--json.listen-unix", address: path, problem: ListenerBindError.problem(of: error))
        }
        guard UnixSocketFile.applyMode(path: path, octal: self.configuration.socketMode) else {
            try? await channel.close()
            throw SetupError(
                description: "--json.unixsocket-mode \(self.configuration.socketMode): cannot set this mode on \(path); give an octal mode such as 660")
        }
        do {
            try self.applyGroup(path: path)
        } catch {
            try? await channel.close()
            throw error
        }
        return channel
    }

    /// Lines from a JSON stream connection go to the shard's JSON path; over-long ones are counted by reason.
    static func sink(shard: AggregationShard, statistics: IngestStatistics) -> TCPLineHandler.Sink {
        TCPLineHandler.Sink(
            apply: { bytes, now in shard.applyJSON(lines: bytes, now: now) },
            tooLong: { shard.countRejectedJSONLine(.lineTooLong) },
            connected: { statistics.increment(.jsonConnections) },
            failed: { statistics.increment(.jsonConnectionErrors) })
    }
}
