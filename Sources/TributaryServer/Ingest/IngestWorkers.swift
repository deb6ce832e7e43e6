#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

/// Worker threads that each own one aggregation shard and apply the batches of StatsD lines UDP readers hand them
/// (`--statsd.ingest-threads N`, N > 1).
///
/// The reader (an event-loop thread) only receives, splits lines and copies each to its shard's batch
/// (``StatsDLinePartition``); parsing, mapping and aggregation run on the workers. So one busy sender can use
/// N + 1 cores instead of one. Hand-off is per batch (at most one per `recvmmsg` read per shard), never per line.
///
/// Each worker has a fixed pool of batch buffers: a reader that gets ahead of its worker waits for a buffer
/// (and the kernel's receive buffer absorbs the burst, its drops counted in `tributary_udp_kernel_drops_total`),
/// so a line the reader took is never discarded. ``stop()`` applies every pending batch before the threads end.
///
/// That wait blocks the reader's event-loop thread. Readers therefore run on the ingest listeners' event-loop
/// group, never on the HTTP group (``TributaryApplication`` gives HTTP its own), so a slow worker cannot stall
/// scrapes or probes. Each lane's state is guarded by its own lock (``BatchLane``).
package final class IngestWorkers: Sendable {
    /// Applies one batch of newline-terminated lines to a worker's shard, on that worker's thread.
    package typealias Apply = @Sendable (AggregationShard, UnsafeRawBufferPointer) -> Void

    /// The production ``Apply``: `shard.apply(lines:now:)` with the current monotonic time.
    package static let applyToShard: Apply = { shard, lines in shard.apply(lines: lines, now: monotonicNanoseconds()) }

    package let shards: AggregationShards
    private let lanes: [BatchLane]
    private let apply: Apply

    /// - Parameters:
    ///   - shards: one worker per shard.
    ///   - buffersPerWorker: batches a worker can have queued (and being filled) before readers wait.
    ///   - apply: what a worker does with a batch; tests pass one that holds the worker busy.
    package init(
        shards: AggregationShards, buffersPerWorker: Int = 8, bufferBytes: Int = 256 * 1024,
        apply: @escaping Apply = IngestWorkers.applyToShard
    ) {
        self.shards = shards
        self.apply = apply
        self.lanes = shards.all.map { _ in BatchLane(buffers: max(2, buffersPerWorker), bufferBytes: bufferBytes) }
    }

    /// Readers blocked right now waiting for a worker's free buffer, over all workers.
    package var readersWaiting: Int { self.lanes.reduce(0) { $0 + $1.readersWaiting } }

    package var count: Int { self.lanes.count }

    /// Starts one thread per shard, named `ingest-worker-<i>`.
    package func start() {
        for (index, lane) in self.lanes.enumerated() {
            let shard = self.shards.all[index]
            let apply = self.apply
            DetachedThread.start(name: "ingest-worker-\(index)") {
                lane.run { batch in
                    batch.withUnsafeBytes { apply(shard, $0) }
                }
            }
        }
    }

    /// Queues `batch` (newline-terminated lines) for worker `index`; returns an empty buffer to fill next, waiting
    /// while the worker has none free.
    package func submit(_ batch: [UInt8], to index: Int) -> [UInt8] {
        self.lanes[index].submit(batch)
    }

    /// Applies every queued batch, then ends the threads; returns once they have ended.
    package func stop() {
        for lane in self.lanes { lane.stop() }
        for lane in self.lanes { lane.waitUntilFinished() }
    }
}

extension IngestWorkers {
    /// A reader's side of the hand-off: copies each datagram's lines to one batch per worker (by metric name,
    /// ``StatsDLinePartition``) and submits a batch when it fills up or when the read burst ends (``flush()``).
    ///
    /// Owned by one reader (``UDPPartitioningHandler``, or `tributary bench-ingest --ingest-threads`); not shared.
    package struct Batcher {
        private let workers: IngestWorkers
        private var batches: StatsDLinePartition.Batches
        /// A batch this large is submitted before the read burst ends.
        private let flushBytes: Int

        package init(workers: IngestWorkers, flushBytes: Int = 192 * 1024) {
            self.workers = workers
            self.flushBytes = flushBytes
            self.batches = StatsDLinePartition.Batches(shardCount: workers.count, reservingBytes: 256 * 1024)
        }

        /// Copies the lines of `datagram` to their workers' batches; submits the ones that are full.
        @inline(__always)
        package mutating func add(datagram: UnsafeRawBufferPointer) {
            self.batches.append(datagram: datagram)
            for shard in 0..<self.workers.count where self.batches.buffers[shard].count >= self.flushBytes {
                self.submit(shard)
            }
        }

        /// Submits every non-empty batch (the end of a read burst).
        package mutating func flush() {
            for shard in 0..<self.workers.count where !self.batches.buffers[shard].isEmpty { self.submit(shard) }
        }

        private mutating func submit(_ shard: Int) {
            let workers = self.workers
            self.batches.exchange(shard: shard) { workers.submit($0, to: shard) }
        }
    }
}
