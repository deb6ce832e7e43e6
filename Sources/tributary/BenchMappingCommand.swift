import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `tributary bench-mapping` (hidden): what mapping costs per line with N glob rules.
///
/// For each N it generates N rules `svc<i>.*.requests` → `svc<i>_requests_total{handler="$1"}`, compiles them and
/// measures, single-threaded:
/// - `map`: ``CompiledMapper/map(name:type:)`` over distinct names spread over all rules (the route-cache miss path);
/// - `new series`: the first line of each distinct name into a fresh ``AggregationShard`` (parse, map, create);
/// - `repeated line`: lines of series already seen, in full datagrams (the route cache hit: no mapping at all).
///
/// Run it in release mode: `swift run -c release tributary bench-mapping`.
struct BenchMappingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary bench-mapping",
        abstract: "Measure mapping cost per line with N glob rules (ns/op).",
        shouldDisplay: false
    )

    @Option(help: "Comma-separated rule counts.")
    var rules = "1,100,1000"

    @Option(help: "Repeated lines applied per rule count.")
    var lines = 2_000_000

    @Option(help: "Distinct metric names (series) per rule count.")
    var names = 10_000

    func run() async throws {
        let counts = self.rules.split(separator: ",").compactMap { Int($0.trimmingWhitespace()) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }), self.lines > 0, self.names > 0 else {
            throw ValidationError("--rules needs positive integers, --lines and --names positive")
        }
        print("rules      map ns/name   new series ns/line   repeated line ns/line")
        var checksum = 0
        for count in counts {
            let mapper = try CompiledMapper.load(yaml: Self.yaml(rules: count))
            let names = (0..<self.names).map { "svc\($0 % count).h\($0).requests" }
            let map = Self.measure(operations: names.count * 5) {
                for _ in 0..<5 {
                    for name in names { checksum &+= mapper.map(name: name, type: .counter).name.utf8.count }
                }
            }
            let shard = AggregationShard(mapper: mapper)
            let datagrams = Self.datagrams(names: names)
            let newSeries = Self.measure(operations: names.count) {
                for datagram in datagrams { Self.apply(datagram, to: shard) }
            }
            let perPass = names.count
            let passes = max(1, self.lines / perPass)
            let repeated = Self.measure(operations: passes * perPass) {
                for _ in 0..<passes {
                    for datagram in datagrams { Self.apply(datagram, to: shard) }
                }
            }
            checksum &+= Int(shard.snapshot().counts.samples)
            print(
                String(printf: "%-6d", count)
                    + String(printf: "%14.1f %20.1f %23.1f", map, newSeries, repeated))
        }
        print("(checksum \(checksum))")
    }

    static func yaml(rules: Int) -> String {
        var text = "mappings:\n"
        for index in 0..<rules {
            text += """
                - match: "svc\(index).*.requests"
                  name: "svc\(index)_requests_total"
                  labels: { handler: "$1" }

                """
        }
        return text
    }

    /// The names as counter lines, packed into datagrams of at most 1432 bytes (a full Ethernet-MTU payload).
    static func datagrams(names: [String]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        for name in names {
            let line = Array("\(name):1|c".utf8)
            if !current.isEmpty, current.count + 1 + line.count > 1432 {
                result.append(current)
                current = []
            }
            if !current.isEmpty { current.append(UInt8(ascii: "\n")) }
            current += line
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func apply(_ datagram: [UInt8], to shard: AggregationShard) {
        datagram.withUnsafeBytes { shard.apply(lines: $0, now: 1) }
    }

    /// Runs `body` once and returns the calling thread's CPU time per operation in nanoseconds.
    ///
    /// CPU time, not wall-clock time: on a shared machine a descheduled benchmark would otherwise count the time
    /// other processes ran. (Cache sharing with them still shows; compare A/B runs alternated in one session.)
    static func measure(operations: Int, _ body: () -> Void) -> Double {
        let start = Self.cpuNanoseconds()
        body()
        return Double(Self.cpuNanoseconds() - start) / Double(operations)
    }

    /// CPU time of `clock` (the calling thread's, or the process's), in nanoseconds.
    static func cpuNanoseconds(_ clock: clockid_t = CLOCK_THREAD_CPUTIME_ID) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
