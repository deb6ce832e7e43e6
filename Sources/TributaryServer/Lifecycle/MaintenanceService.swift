import Logging
import ServiceLifecycle
import TributaryCore
import UnixSignals

/// Periodic work and signals: TTL expiry every interval, mapping reload on SIGHUP.
package struct MaintenanceService: Service {
    let shards: [AggregationShard]
    let reloader: MappingReloader
    let expiryInterval: Duration
    let logger: Logger

    package init(shards: [AggregationShard], reloader: MappingReloader, expiryInterval: Duration, logger: Logger) {
        self.shards = shards
        self.reloader = reloader
        self.expiryInterval = expiryInterval
        self.logger = logger
    }

    package func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let signals = await UnixSignalsSequence(trapping: .sighup)
                for await _ in signals.cancelOnGracefulShutdown() {
                    self.logger.info("SIGHUP received: reloading mapping config")
                    self.reloader.reload()
                }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: self.expiryInterval)
                    let now = monotonicNanoseconds()
                    for shard in self.shards {
                        let expired = shard.expire(now: now)
                        if expired > 0 { self.logger.debug("series expired", metadata: ["count": "\(expired)"]) }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
