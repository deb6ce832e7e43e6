#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One ingest worker's queue: batches waiting to be applied and the empty buffers readers fill next.
///
/// Shared by the UDP readers that submit to this worker (event-loop threads of the ingest group, never of the HTTP
/// group) and the worker thread itself. Every stored `var` is guarded by `condition`'s lock (a `ThreadCondition`, a
/// mutex with one condition variable): readers wait on it for a free buffer, the worker for a pending batch. Both
/// predicates share the one condition, so every change broadcasts and each waiter re-checks its own predicate —
/// one broadcast per batch, never per line.
///
/// A batch a reader submitted is always applied: a reader waits for a free buffer instead of dropping, and
/// ``stop()`` lets the worker drain `pending` before ``run(_:)`` returns.
final class BatchLane: @unchecked Sendable {
    /// Guards every `var` below.
    private let condition = ThreadCondition()
    /// Submitted batches, oldest first (at most `buffers` of them).
    private var pending: [[UInt8]] = []
    /// Emptied buffers (capacity kept) for readers to fill.
    private var free: [[UInt8]] = []
    /// Readers blocked in ``submit(_:)`` right now.
    private var waitingReaders = 0
    /// ``stop()`` was called: the worker ends once `pending` is empty.
    private var stopping = false
    /// The worker loop has ended; readers no longer wait.
    private var finished = false

    /// - Parameters:
    ///   - buffers: batches in circulation, including the one a reader is filling (at least 2).
    ///   - bufferBytes: capacity reserved in each buffer.
    init(buffers: Int, bufferBytes: Int) {
        // One buffer is always with the reader that fills it, so `buffers - 1` are in the pool.
        for _ in 0..<(buffers - 1) {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(bufferBytes)
            self.free.append(buffer)
        }
        self.pending.reserveCapacity(buffers)
    }

    /// Readers blocked waiting for a free buffer right now (for tests and diagnostics).
    var readersWaiting: Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.waitingReaders
    }

    /// Queues `batch` and returns an empty buffer to fill next, waiting while none is free. Called by a reader.
    func submit(_ batch: [UInt8]) -> [UInt8] {
        self.condition.lock()
        defer { self.condition.unlock() }
        if self.free.isEmpty && !self.finished {
            self.waitingReaders += 1
            while self.free.isEmpty && !self.finished { self.condition.wait() }
            self.waitingReaders -= 1
        }
        self.pending.append(batch)
        self.condition.broadcast()
        return self.free.popLast() ?? []
    }

    /// The worker loop: applies batches in arrival order, outside the lock, until stopped and drained.
    func run(_ apply: ([UInt8]) -> Void) {
        self.condition.lock()
        while true {
            while self.pending.isEmpty && !self.stopping { self.condition.wait() }
            if self.pending.isEmpty { break }
            var batch = self.pending.removeFirst()
            self.condition.unlock()
            apply(batch)
            batch.removeAll(keepingCapacity: true)
            self.condition.lock()
            self.free.append(batch)
            self.condition.broadcast()
        }
        self.finished = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// Asks the worker to end once every pending batch is applied.
    func stop() {
        self.condition.lock()
        self.stopping = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// Returns once ``run(_:)`` has ended.
    func waitUntilFinished() {
        self.condition.lock()
        while !self.finished { self.condition.wait() }
        self.condition.unlock()
    }
}
