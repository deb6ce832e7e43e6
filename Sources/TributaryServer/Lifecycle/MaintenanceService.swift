import Logging
import ServiceLifecycle
import TributaryCore
import UnixSignals

/// Periodic work and signals: TTL expiry every interval, mapping reload on SIGHUP, and — at debug level — one log
/// line per rejection reason per interval with an example of the rejected input (never one line per bad input).
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
        let logsRejected = self.logger.logLevel <= .debug
        for shard in self.shards { shard.setRecordsRejectedExamples(logsRejected) }
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
                        if logsRejected { self.logRejected(shard.takeRejectedExamples()) }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// One debug line per reason seen since the last interval; the counters have the totals.
    private func logRejected(_ examples: [RejectedExamples.Example]) {
        for example in examples {
            self.logger.debug(
                "rejected input (one example per reason and interval; see tributary_sample_errors_total / tributary_json_errors_total)",
                metadata: ["source": "\(example.source.rawValue)", "reason": "\(example.reason)", "line": "\(example.line)"])
        }
    }
}
