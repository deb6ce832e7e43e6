import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

/// `tributary bench-churn` (hidden): the in-process cost of a line that creates a new series (a leaked request id),
/// against a line for a series that exists, and of expiring them again — parse, slow-path routing, series creation,
/// no sockets.
///
///     tributary bench-churn --series 200000 [--mapping churn.yml] [--tags 2]
struct BenchChurnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary bench-churn",
        abstract: "Measure in-process cost per new series (ns) against the steady state, and expiry.",
        shouldDisplay: false
    )

    @Option(help: "Distinct series created (every line is a new series).")
    var series = 200_000

    @Option(help: "Mapping file (default `defaults: {ttl: 1s}`); the lines are `churn.requests:1|c|#…`.")
    var mapping: String?

    @Option(help: "Stable tags on every line besides the unique request_id.")
    var tags = 2

    @Option(help: "Lines per datagram.")
    var linesPerDatagram = 20

    @Option(help: "Times the whole run is repeated (fresh shard each time); the fastest is printed.")
    var repeats = 3

    @Option(help: "Steady series (`steady.requests:1|c|#shard:N`) kept alive across the expiry.")
    var steady = 10_000

    func run() throws {
        let yaml = try self.mapping.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? "defaults:\n  ttl: 1s\n"
        let mapper = try CompiledMapper.load(yaml: yaml)
        let packets = Self.packets(series: self.series, tags: self.tags, linesPerDatagram: self.linesPerDatagram)
        let steadyPackets = Self.packets(
            count: self.steady, linesPerDatagram: self.linesPerDatagram) { "steady.requests:1|c|#shard:\($0)" }
        let second: UInt64 = 1_000_000_000
        func applyAll(_ packets: [[UInt8]], _ shard: AggregationShard, now: UInt64) {
            for packet in packets { packet.withUnsafeBytes { shard.apply(lines: $0, now: now) } }
        }
        var best = (new: Double.infinity, steady: Double.infinity, expire: Double.infinity, after: Double.infinity)
        var live = 0
        for _ in 0..<max(1, self.repeats) {
            let shard = AggregationShard(mapper: mapper)
            applyAll(steadyPackets, shard, now: 1)
            let new = BenchMappingCommand.measure(operations: self.series) { applyAll(packets, shard, now: 1) }
            let steady = BenchMappingCommand.measure(operations: self.series) { applyAll(packets, shard, now: 2) }
            live = shard.withState { $0.liveSeriesCount } - self.steady
            // The churned series expire (a `ttl` over a churn run); the steady ones were updated since and stay.
            applyAll(steadyPackets, shard, now: second + second / 2)
            var expired = 0
            let expire = BenchMappingCommand.measure(operations: 1) { expired = shard.expire(now: 2 * second + 1) }
            precondition(expired == 0 || expired == live, "only some churned series expired")
            // The first line of each steady series after the expiry: a route-cache hit unless the expiry emptied it.
            let after = BenchMappingCommand.measure(operations: max(1, self.steady)) {
                applyAll(steadyPackets, shard, now: 2 * second + 2)
            }
            best = (
                min(best.new, new), min(best.steady, steady), min(best.expire, expire / Double(max(1, expired))),
                min(best.after, after)
            )
        }
        print(
            String(
                printf: "%d new series (%d tags + request_id): %.0f ns/new series, %.0f ns/line steady (%.1fx), "
                    + "%.0f ns/expired series, %.0f ns/line for %d steady series after the expiry",
                live, self.tags, best.new, best.steady, best.new / best.steady, best.expire, best.after, self.steady))
    }

    /// `count` lines made by `line`, in datagrams of `linesPerDatagram`.
    static func packets(count: Int, linesPerDatagram: Int, line: (Int) -> String) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var packet: [UInt8] = []
        for index in 0..<count {
            if !packet.isEmpty { packet.append(UInt8(ascii: "\n")) }
            packet.append(contentsOf: line(index).utf8)
            if (index + 1) % max(1, linesPerDatagram) == 0 {
                packets.append(packet)
                packet = []
            }
        }
        if !packet.isEmpty { packets.append(packet) }
        return packets
    }

    /// `churn.requests:1|c|#env:prod,…,request_id:N` for N in 0..<series, in datagrams.
    static func packets(series: Int, tags: Int, linesPerDatagram: Int) -> [[UInt8]] {
        let stable = (0..<tags).map { ",tag\($0):value\($0)" }.joined()
        return Self.packets(count: series, linesPerDatagram: linesPerDatagram) {
            "churn.requests:1|c|#env:prod\(stable),request_id:\($0)"
        }
    }
}
