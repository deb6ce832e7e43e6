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
/// predicates share the one condition, so a change broadcasts when a party that waits for it does, and each waiter
/// re-checks its own predicate — at most one broadcast per batch, never per line.
///
/// A reader that finds no free buffer waits until `refill` are free (half the pool), not just one: when the reader
/// outruns its worker it then sleeps once per `refill` batches instead of waking for every batch the worker
/// finishes (each wake-up is a context switch on a core the workers need). The worker still has the other half
/// pending, so it never idles while a reader waits.
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
    /// The worker is blocked in ``run(_:)`` waiting for a batch.
    private var workerWaiting = false
    /// Free buffers a waiting reader waits for (half the pool, at least 1).
    private let refill: Int
    /// ``stop()`` was called: the worker ends once `pending` is empty.
    private var stopping = false
    /// The worker loop has ended; readers no longer wait.
    private var finished = false

    /// - Parameters:
    ///   - buffers: batches in circulation, including the one a reader is filling (at least 2).
    ///   - bufferBytes: capacity reserved in each buffer.
    init(buffers: Int, bufferBytes: Int) {
        // One buffer is always with the reader that fills it, so `buffers - 1` are in the pool.
        self.refill = max(1, (buffers - 1) / 2)
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

    /// Queues `batch` and returns an empty buffer to fill next, waiting while none is free (then until `refill` are).
    /// Called by a reader.
    func submit(_ batch: [UInt8]) -> [UInt8] {
        self.condition.lock()
        defer { self.condition.unlock() }
        // Another reader already waiting goes first: a reader that kept taking each buffer as it came back would
        // hold the waiting one below `refill` for good.
        if (self.free.isEmpty || self.waitingReaders > 0) && !self.finished {
            self.waitingReaders += 1
            while self.free.count < self.refill && !self.finished { self.condition.wait() }
            self.waitingReaders -= 1
        }
        self.pending.append(batch)
        if self.workerWaiting { self.condition.broadcast() }
        return self.free.popLast() ?? []
    }

    /// The worker loop: applies batches in arrival order, outside the lock, until stopped and drained.
    func run(_ apply: ([UInt8]) -> Void) {
        self.condition.lock()
        while true {
            while self.pending.isEmpty && !self.stopping {
                self.workerWaiting = true
                self.condition.wait()
                self.workerWaiting = false
            }
            if self.pending.isEmpty { break }
            var batch = self.pending.removeFirst()
            self.condition.unlock()
            apply(batch)
            batch.removeAll(keepingCapacity: true)
            self.condition.lock()
            self.free.append(batch)
            if self.waitingReaders > 0 && self.free.count >= self.refill { self.condition.broadcast() }
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
