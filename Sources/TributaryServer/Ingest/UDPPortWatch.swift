import Logging
import ServiceLifecycle

/// Watches a StatsD UDP port served by `SO_REUSEPORT` readers until graceful shutdown: when another process joins
/// the port later (possible only for the same user, see ``UDPPortSharing``), it would receive part of our traffic
/// while we looked fine. Until it leaves, readiness is withheld (component ``component``), the status page shows
/// the listener as shared, and one error line is logged (one info line when it leaves).
///
/// Reads `/proc/net/udp{,6}` and `/proc/self/fd` once per `interval`, never on the ingest path.
struct UDPPortWatch {
    /// The readiness component held back while the port is shared.
    static let component = "statsd-udp-shared"

    let port: Int
    let readiness: Readiness
    let logger: Logger
    var interval: Duration = .seconds(2)

    /// Returns at graceful shutdown or cancellation.
    func run() async {
        var shared = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
            let foreign = UDPPortSharing.foreignSockets(port: self.port)
            if !foreign.isEmpty && !shared {
                self.readiness.markNotReady(Self.component)
                let owners = UDPPortSharing.owners(of: foreign).map { "pid \($0.pid) (\($0.command))" }
                self.logger.error(
                    "another process receives on the StatsD UDP port and takes part of its datagrams; stop it",
                    metadata: ["port": "\(self.port)", "processes": "\(owners.isEmpty ? "unknown" : owners.joined(separator: ", "))"])
            } else if foreign.isEmpty && shared {
                self.readiness.markReady(Self.component)
                self.logger.info("the StatsD UDP port is no longer shared", metadata: ["port": "\(self.port)"])
            }
            shared = !foreign.isEmpty
        }
    }
}
