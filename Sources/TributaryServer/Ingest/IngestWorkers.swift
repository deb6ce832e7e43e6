import Foundation
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
package final class IngestWorkers: Sendable {
    package let shards: AggregationShards
    private let lanes: [BatchLane]

    /// - Parameters:
    ///   - shards: one worker per shard.
    ///   - buffersPerWorker: batches a worker can have queued (and being filled) before readers wait.
    package init(shards: AggregationShards, buffersPerWorker: Int = 8, bufferBytes: Int = 256 * 1024) {
        self.shards = shards
        self.lanes = shards.all.map { _ in BatchLane(buffers: max(2, buffersPerWorker), bufferBytes: bufferBytes) }
    }

    package var count: Int { self.lanes.count }

    /// Starts one thread per shard, named `ingest-worker-<i>`.
    package func start() {
        for (index, lane) in self.lanes.enumerated() {
            let shard = self.shards.all[index]
            let thread = Thread {
                nameCurrentThread("ingest-worker-\(index)")
                lane.run { batch in
                    batch.withUnsafeBytes { shard.apply(lines: $0, now: monotonicNanoseconds()) }
                }
            }
            thread.start()
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

/// One worker's queue: pending batches, free buffers, and the condition variables readers and the worker wait on.
private final class BatchLane: @unchecked Sendable {
    // All mutable state is guarded by `mutex` (a pthread mutex, so `pthread_cond_wait` can use it).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let bufferFreed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [[UInt8]] = []
    private var free: [[UInt8]] = []
    private var stopping = false
    private var finished = false

    init(buffers: Int, bufferBytes: Int) {
        pthread_mutex_init(self.mutex, nil)
        pthread_cond_init(self.workAvailable, nil)
        pthread_cond_init(self.bufferFreed, nil)
        // One buffer is always with the reader that fills it, so `buffers - 1` are in the pool.
        for _ in 0..<(buffers - 1) {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(bufferBytes)
            self.free.append(buffer)
        }
        self.pending.reserveCapacity(buffers)
    }

    deinit {
        pthread_cond_destroy(self.workAvailable)
        pthread_cond_destroy(self.bufferFreed)
        pthread_mutex_destroy(self.mutex)
        self.mutex.deallocate()
        self.workAvailable.deallocate()
        self.bufferFreed.deallocate()
    }

    func submit(_ batch: [UInt8]) -> [UInt8] {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        while self.free.isEmpty && !self.finished { pthread_cond_wait(self.bufferFreed, self.mutex) }
        self.pending.append(batch)
        pthread_cond_signal(self.workAvailable)
        return self.free.popLast() ?? []
    }

    /// The worker loop: applies batches in arrival order until stopped and drained.
    func run(_ apply: ([UInt8]) -> Void) {
        pthread_mutex_lock(self.mutex)
        while true {
            while self.pending.isEmpty && !self.stopping { pthread_cond_wait(self.workAvailable, self.mutex) }
            if self.pending.isEmpty { break }
            var batch = self.pending.removeFirst()
            pthread_mutex_unlock(self.mutex)
            apply(batch)
            batch.removeAll(keepingCapacity: true)
            pthread_mutex_lock(self.mutex)
            self.free.append(batch)
            pthread_cond_signal(self.bufferFreed)
        }
        self.finished = true
        pthread_cond_broadcast(self.bufferFreed)
        pthread_cond_broadcast(self.workAvailable)
        pthread_mutex_unlock(self.mutex)
    }

    func stop() {
        pthread_mutex_lock(self.mutex)
        self.stopping = true
        pthread_cond_broadcast(self.workAvailable)
        pthread_mutex_unlock(self.mutex)
    }

    func waitUntilFinished() {
        pthread_mutex_lock(self.mutex)
        while !self.finished { pthread_cond_wait(self.workAvailable, self.mutex) }
        pthread_mutex_unlock(self.mutex)
    }
}

/// Sets the calling thread's kernel task name (what `top -H` and `/proc/<pid>/task/*/comm` show; Linux keeps 15
/// characters). Foundation's `Thread.name` does not reach it on Linux, and `pthread_setname_np` is not imported.
private func nameCurrentThread(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    var bytes = Array(name.utf8.prefix(15))
    _ = write(fd, &bytes, bytes.count)
    close(fd)
    #endif
}
