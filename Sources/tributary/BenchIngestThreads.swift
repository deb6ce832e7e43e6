#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TributaryCore
import TributaryServer

/// `tributary bench-ingest --ingest-threads N`: replays recorded datagrams through the server's own ingest path,
/// without sockets and with no load generator competing for the cores.
///
/// One thread applies each datagram inline, as ``UDPIngestHandler`` does. More: the calling thread is the UDP reader
/// (``IngestWorkers/Batcher``, a flush every `readBurst` datagrams as at the end of a `recvmmsg` burst) and N
/// ``IngestWorkers`` threads apply the batches to their shards. The time is wall clock, from the first datagram until
/// every worker has applied its last batch.
struct BenchIngestThreads {
    let packets: [[UInt8]]
    let mapper: CompiledMapper
    let threads: Int
    let readBurst: Int

    /// Applies every datagram once (creating the series), then `rounds` times timed; prints lines/s and ns/line and
    /// returns the shards for scrapes.
    func run(rounds: Int) -> AggregationShards {
        let shards = AggregationShards(count: self.threads, mapper: self.mapper)
        self.replay(into: shards, rounds: 1)
        let linesPerRound = Self.lines(shards)
        let start = ContinuousClock.now
        let processCPU = BenchMappingCommand.cpuNanoseconds(CLOCK_PROCESS_CPUTIME_ID)
        let switches = Self.voluntaryContextSwitches()
        let readerCPU = self.replay(into: shards, rounds: rounds)
        let processTotal = BenchMappingCommand.cpuNanoseconds(CLOCK_PROCESS_CPUTIME_ID) - processCPU
        let sleeps = Self.voluntaryContextSwitches() - switches
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let lines = Self.lines(shards) - linesPerRound
        precondition(lines == rounds * linesPerRound, "not every line was applied")
        print(
            String(printf: "%d ingest thread(s): %d datagrams, %d lines, %.0f lines/s, %.1f ns/line (wall clock); "
                    + "CPU %.1f ns/line, of which the reader %.1f; %d thread sleeps",
                self.threads, self.packets.count, lines, Double(lines) / seconds, seconds * 1e9 / Double(lines),
                Double(processTotal) / Double(lines), Double(readerCPU) / Double(lines), sleeps))
        return shards
    }

    /// Times a thread of this process blocked (waited for a lock, a condition or I/O) so far.
    private static func voluntaryContextSwitches() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_nvcsw
    }

    private static func lines(_ shards: AggregationShards) -> Int {
        shards.snapshots().reduce(0) { $0 + Int($1.counts.lines) }
    }

    /// Every datagram `rounds` times, as the server's UDP path would apply them; returns once all are applied, with
    /// the CPU time the calling (reader) thread spent.
    @discardableResult
    private func replay(into shards: AggregationShards, rounds: Int) -> UInt64 {
        let readerStart = BenchMappingCommand.cpuNanoseconds(CLOCK_THREAD_CPUTIME_ID)
        if self.threads == 1 {
            let shard = shards.primary
            for _ in 0..<rounds {
                for packet in self.packets {
                    packet.withUnsafeBytes { shard.apply(lines: $0, now: monotonicNanoseconds()) }
                }
            }
            return BenchMappingCommand.cpuNanoseconds(CLOCK_THREAD_CPUTIME_ID) - readerStart
        }
        let workers = IngestWorkers(shards: shards)
        workers.start()
        var batcher = IngestWorkers.Batcher(workers: workers)
        var inBurst = 0
        for _ in 0..<rounds {
            for packet in self.packets {
                packet.withUnsafeBytes { batcher.add(datagram: $0) }
                inBurst += 1
                if inBurst == self.readBurst {
                    batcher.flush()
                    inBurst = 0
                }
            }
        }
        batcher.flush()
        let readerCPU = BenchMappingCommand.cpuNanoseconds(CLOCK_THREAD_CPUTIME_ID) - readerStart
        workers.stop()
        return readerCPU
    }
}
