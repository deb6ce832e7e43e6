import Foundation
import Synchronization
import Testing
import TributaryCore
@testable import TributaryServer

@Suite struct IngestWorkersTests {
    /// Two readers (threads) hand over many small batches to three workers with a tiny buffer pool, so readers
    /// must wait for buffers; after `stop()` every line has been applied exactly once.
    @Test func everySubmittedLineIsAppliedOnceDespiteBackpressure() async throws {
        let shards = AggregationShards(count: 3)
        let workers = IngestWorkers(shards: shards, buffersPerWorker: 2, bufferBytes: 64)
        workers.start()
        let readers = 2
        let datagramsPerReader = 2000
        await withTaskGroup(of: Void.self) { group in
            for reader in 0..<readers {
                group.addTask {
                    var batches = StatsDLinePartition.Batches(shardCount: workers.count)
                    for index in 0..<datagramsPerReader {
                        let datagram = "w.r\(reader).n\(index % 50):1|c\nw.total:1|c\nw.gauge:\(index)|g"
                        Array(datagram.utf8).withUnsafeBytes { batches.append(datagram: $0) }
                        for shard in 0..<workers.count where !batches.buffers[shard].isEmpty {
                            batches.exchange(shard: shard) { workers.submit($0, to: shard) }
                        }
                    }
                }
            }
        }
        workers.stop()
        let state = shards.scrapeCopy()
        #expect(state.counts.lines == UInt64(readers * datagramsPerReader * 3))
        var copy = state
        var bytes: [UInt8] = []
        copy.writeText(into: &bytes, now: 1)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\nw_total \(readers * datagramsPerReader)\n"))
        #expect(text.contains("\nw_r1_n7 40\n"))
        // More than one worker shard received lines.
        #expect(shards.all.filter { $0.snapshot().counts.lines > 0 }.count > 1)
    }

    /// A reader that outran its worker sleeps until half the pool is free, not until the first buffer comes back:
    /// with 5 buffers (4 in the pool), it still waits after the worker finished one batch and goes on after two.
    @Test func aWaitingReaderWakesForHalfThePool() throws {
        let gate = DispatchSemaphore(value: 0)  // each signal lets the worker finish one batch
        let applied = Atomic<Int>(0)
        let workers = IngestWorkers(
            shards: AggregationShards(count: 1), buffersPerWorker: 5, bufferBytes: 64,
            apply: { _, _ in
                gate.wait()
                applied.add(1, ordering: .relaxed)
            })
        workers.start()
        defer {
            for _ in 0..<16 { gate.signal() }
            workers.stop()
        }
        let batch = Array("a:1|c\n".utf8)
        for _ in 0..<4 { _ = workers.submit(batch, to: 0) }  // the worker holds the first, three are pending
        let submitted = Atomic<Bool>(false)
        Thread {
            _ = workers.submit(batch, to: 0)  // no free buffer: waits
            submitted.store(true, ordering: .relaxed)
        }.start()
        #expect(Self.eventually { workers.readersWaiting == 1 })
        gate.signal()
        #expect(Self.eventually { applied.load(ordering: .relaxed) == 1 })
        Thread.sleep(forTimeInterval: 0.1)
        #expect(workers.readersWaiting == 1 && !submitted.load(ordering: .relaxed))  // one free buffer: still waiting
        gate.signal()
        #expect(Self.eventually { submitted.load(ordering: .relaxed) })  // two free: on its way
    }

    /// Polls `condition` for up to 5 s.
    private static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    @Test func stopEndsIdleWorkers() {
        let workers = IngestWorkers(shards: AggregationShards(count: 2))
        workers.start()
        workers.stop()  // returns only once both threads ended
        #expect(workers.count == 2)
    }
}
