import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TributaryCore

@testable import TributaryServer

/// HTTP keeps answering while ingest is deliberately blocked: every ingest worker is held busy, so the UDP reader
/// waits for a free batch buffer on its event-loop thread. A whole application on loopback, real sockets.
@Suite struct BlockedIngestTests {
    /// Holds ingest workers before they apply a batch until ``release()``.
    final class WorkerGate: @unchecked Sendable {
        /// Guards `held` and `waiting`.
        private let condition = NSCondition()
        private var held = false
        private var waiting = 0

        func hold() {
            self.condition.lock()
            self.held = true
            self.condition.unlock()
        }

        func release() {
            self.condition.lock()
            self.held = false
            self.condition.broadcast()
            self.condition.unlock()
        }

        /// Workers waiting at the gate now.
        var workersWaiting: Int {
            self.condition.lock()
            defer { self.condition.unlock() }
            return self.waiting
        }

        /// Called by a worker before each batch; returns once the gate is open.
        func pass() {
            self.condition.lock()
            self.waiting += 1
            while self.held { self.condition.wait() }
            self.waiting -= 1
            self.condition.unlock()
        }
    }

    /// A loopback TCP port that was free a moment ago.
    static func freePort(group: any EventLoopGroup) async throws -> Int {
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// Polls `condition` every 5 ms for at most `seconds`.
    static func eventually(seconds: Double = 10, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func metricsAndHealthAnswerWithin100msWhileEveryWorkerIsHeldAndTheReaderWaits() async throws {
        let ingestGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let gate = WorkerGate()
        let httpPort = try await Self.freePort(group: clientGroup)
        let configuration = TributaryConfiguration(
            statsd: StatsDListenerConfiguration(
                udp: ListenAddress(host: "127.0.0.1", port: 0), tcp: nil, unixgramPath: nil, udpBatchSize: 1,
                ingestThreads: 2),
            webListenAddress: ListenAddress(host: "127.0.0.1", port: httpPort))
        let application = TributaryApplication(
            configuration: configuration, logger: Logger(label: "test"), ingestGroup: ingestGroup,
            ingestWorkerApply: { shard, lines in
                gate.pass()
                IngestWorkers.applyToShard(shard, lines)
            })
        let running = Task { try await application.run(gracefulShutdownSignals: []) }
        let workers = try #require(application.ingest.workers)
        var sent = 0
        do {
            #expect(try await Self.eventually { application.readiness.isReady })
            let udpPort = try #require(application.ingest.boundUDPPorts.first)
            let sender = try await DatagramBootstrap(group: clientGroup).bind(host: "127.0.0.1", port: 0).get()
            let target = try SocketAddress(ipAddress: "127.0.0.1", port: udpPort)

            // Hold both workers, then send until the reader is blocked waiting for a free buffer.
            gate.hold()
            let blocked = try await Self.eventually {
                for _ in 0..<4 where sent < 20_000 {
                    let datagram = "held.a\(sent):1|c\nheld.b\(sent):1|c\nheld.c\(sent):2|g"
                    sender.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(string: datagram)))
                        .whenComplete { _ in }
                    sent += 1
                }
                return gate.workersWaiting == workers.count && workers.readersWaiting > 0
            }
            #expect(blocked, "workers waiting: \(gate.workersWaiting), readers waiting: \(workers.readersWaiting)")

            // HTTP answers while the reader's event-loop thread is blocked.
            let clock = ContinuousClock()
            for path in ["/-/healthy", "/metrics", "/-/healthy", "/metrics", "/-/healthy", "/metrics"] {
                var status = 0
                let elapsed = try await clock.measure {
                    status = try await TestHTTPClient.request(
                        port: httpPort, path: path, group: clientGroup, timeout: .seconds(2)
                    ).status
                }
                #expect(status == 200, "\(path)")
                #expect(elapsed < .milliseconds(100), "\(path) took \(elapsed)")
            }
            #expect(workers.readersWaiting > 0, "the reader stayed blocked while HTTP answered")
            try await sender.close()
        } catch {
            gate.release()
            running.cancel()
            _ = await running.result
            throw error
        }

        // Released, every line the reader took is applied: none was dropped while it waited.
        gate.release()
        let applied = try await Self.eventually {
            let lines = application.shards.snapshots().reduce(UInt64(0)) { $0 + $1.counts.lines }
            return lines == 3 * application.statistics.value(.udpPackets)
        }
        #expect(applied)
        running.cancel()
        _ = await running.result
        try await ingestGroup.shutdownGracefully()
        try await clientGroup.shutdownGracefully()
    }
}
