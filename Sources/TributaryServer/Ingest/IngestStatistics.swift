import NIOCore
import Synchronization

/// Listener-level counters (per packet or connection, never per line), shared by all listeners.
///
/// Each counter is an `Atomic` written with `.relaxed` ordering by whichever listener thread counts it (event-loop
/// threads of the ingest group, the Unix datagram threads); readers take ``listenerCounts()`` at scrape time.
package final class IngestStatistics: Sendable {
    package enum Counter: Int, CaseIterable, Sendable {
        case udpPackets
        case unixgramPackets
        case tcpConnections
        case tcpConnectionErrors
        case tcpTooLongLines
        case tcpConnectionsRejected
        case jsonConnections
        case jsonConnectionsRejected
        case jsonConnectionErrors
        case jsonUnixgramPackets
    }

    private let udpPackets = Atomic<UInt64>(0)
    private let unixgramPackets = Atomic<UInt64>(0)
    private let tcpConnections = Atomic<UInt64>(0)
    private let tcpConnectionErrors = Atomic<UInt64>(0)
    private let tcpTooLongLines = Atomic<UInt64>(0)
    private let tcpConnectionsRejected = Atomic<UInt64>(0)
    /// StatsD TCP connections open now (a gauge; also enforces `--statsd.max-tcp-connections`).
    package let tcpOpenConnections = Atomic<Int>(0)
    private let jsonConnections = Atomic<UInt64>(0)
    private let jsonConnectionsRejected = Atomic<UInt64>(0)
    private let jsonConnectionErrors = Atomic<UInt64>(0)
    private let jsonUnixgramPackets = Atomic<UInt64>(0)
    /// JSON stream connections open now (a gauge; also enforces `--json.max-connections`).
    package let jsonOpenConnections = Atomic<Int>(0)

    package init() {}

    /// Stream listeners whose open connections are limited.
    enum StreamListener {
        case statsdTCP
        case jsonStream
    }

    /// Counts `channel` as open for `listener` until it closes; false (nothing counted, the rejection counter
    /// incremented) when `limit` connections are open already. Call from the child channel initializer.
    func admit(_ channel: any Channel, to listener: StreamListener, limit: Int) -> Bool {
        if self.addOpenConnections(listener, 1) > limit {
            self.addOpenConnections(listener, -1)
            self.increment(listener == .statsdTCP ? .tcpConnectionsRejected : .jsonConnectionsRejected)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.addOpenConnections(listener, -1) }
        return true
    }

    /// Adds `delta` to the open-connection gauge of `listener`; returns the new value.
    @discardableResult
    private func addOpenConnections(_ listener: StreamListener, _ delta: Int) -> Int {
        switch listener {
        case .statsdTCP: self.tcpOpenConnections.wrappingAdd(delta, ordering: .relaxed).newValue
        case .jsonStream: self.jsonOpenConnections.wrappingAdd(delta, ordering: .relaxed).newValue
        }
    }

    @inline(__always)
    package func increment(_ counter: Counter) {
        switch counter {
        case .udpPackets: self.udpPackets.wrappingAdd(1, ordering: .relaxed)
        case .unixgramPackets: self.unixgramPackets.wrappingAdd(1, ordering: .relaxed)
        case .tcpConnections: self.tcpConnections.wrappingAdd(1, ordering: .relaxed)
        case .tcpConnectionErrors: self.tcpConnectionErrors.wrappingAdd(1, ordering: .relaxed)
        case .tcpTooLongLines: self.tcpTooLongLines.wrappingAdd(1, ordering: .relaxed)
        case .tcpConnectionsRejected: self.tcpConnectionsRejected.wrappingAdd(1, ordering: .relaxed)
        case .jsonConnections: self.jsonConnections.wrappingAdd(1, ordering: .relaxed)
        case .jsonConnectionsRejected: self.jsonConnectionsRejected.wrappingAdd(1, ordering: .relaxed)
        case .jsonConnectionErrors: self.jsonConnectionErrors.wrappingAdd(1, ordering: .relaxed)
        case .jsonUnixgramPackets: self.jsonUnixgramPackets.wrappingAdd(1, ordering: .relaxed)
        }
    }

    package func value(_ counter: Counter) -> UInt64 {
        switch counter {
        case .udpPackets: self.udpPackets.load(ordering: .relaxed)
        case .unixgramPackets: self.unixgramPackets.load(ordering: .relaxed)
        case .tcpConnections: self.tcpConnections.load(ordering: .relaxed)
        case .tcpConnectionErrors: self.tcpConnectionErrors.load(ordering: .relaxed)
        case .tcpTooLongLines: self.tcpTooLongLines.load(ordering: .relaxed)
        case .tcpConnectionsRejected: self.tcpConnectionsRejected.load(ordering: .relaxed)
        case .jsonConnections: self.jsonConnections.load(ordering: .relaxed)
        case .jsonConnectionsRejected: self.jsonConnectionsRejected.load(ordering: .relaxed)
        case .jsonConnectionErrors: self.jsonConnectionErrors.load(ordering: .relaxed)
        case .jsonUnixgramPackets: self.jsonUnixgramPackets.load(ordering: .relaxed)
        }
    }

    /// Every counter and open-connection gauge, read once each (relaxed: a scrape may see one listener's count a
    /// moment later than another's).
    package func listenerCounts() -> SelfMetricsSnapshot.ListenerCounts {
        SelfMetricsSnapshot.ListenerCounts(
            udpPackets: self.value(.udpPackets),
            unixgramPackets: self.value(.unixgramPackets),
            tcpConnections: self.value(.tcpConnections),
            tcpConnectionErrors: self.value(.tcpConnectionErrors),
            tcpTooLongLines: self.value(.tcpTooLongLines),
            jsonConnections: self.value(.jsonConnections),
            jsonConnectionsRejected: self.value(.jsonConnectionsRejected),
            jsonConnectionErrors: self.value(.jsonConnectionErrors),
            jsonOpenConnections: UInt64(max(0, self.jsonOpenConnections.load(ordering: .relaxed))),
            jsonUnixgramPackets: self.value(.jsonUnixgramPackets),
            tcpConnectionsRejected: self.value(.tcpConnectionsRejected),
            tcpOpenConnections: UInt64(max(0, self.tcpOpenConnections.load(ordering: .relaxed))))
    }
}
