import Synchronization

/// Tracks whether every configured listener is bound and the configuration is loaded.
///
/// `/-/ready` answers 200 only once `isReady`; statsd_exporter always answers 200.
package final class Readiness: Sendable {
    private let pending: Mutex<Set<String>>

    /// `components`: names of everything that must report ready (e.g. `udp`, `tcp`, `http`, `config`).
    package init(components: Set<String>) {
        self.pending = Mutex(components)
    }

    package func markReady(_ component: String) {
        self.pending.withLock { _ = $0.remove(component) }
    }

    package func markNotReady(_ component: String) {
        self.pending.withLock { _ = $0.insert(component) }
    }

    package var isReady: Bool { self.pending.withLock { $0.isEmpty } }

    /// What is still missing, for the 503 message.
    package var missing: [String] { self.pending.withLock { $0.sorted() } }
}
