import Synchronization
import TributaryCore

/// What the self-metrics and the status page say about persistence: the restore at start and the last write.
/// Written by ``SnapshotService`` (one writer at a time), read by scrapes and `/api/v1/status`, under one mutex.
package final class SnapshotStatus: Sendable {
    /// A plain copy of the status.
    package struct Values: Sendable, Equatable {
        /// `--storage.path`.
        package var directory: String
        /// Wall-clock seconds since the epoch of the last successful write; nil before the first.
        package var lastWriteSeconds: Double?
        /// Seconds the last successful write took (copy, encode, write, fsync, rename).
        package var lastDurationSeconds: Double = 0
        /// Bytes of the last snapshot written.
        package var lastSizeBytes: Int = 0
        /// Series in the last snapshot written.
        package var lastSeries: Int = 0
        package var writes: UInt64 = 0
        package var writeFailures: UInt64 = 0
        /// The last write failure (`rename /data/…: Permission denied`), cleared by a successful write.
        package var lastError: String?
        /// The restore at start; nil until it ran.
        package var restore: SnapshotRestoreReport?
    }

    private let values: Mutex<Values>

    package init(directory: String) {
        self.values = Mutex(Values(directory: directory))
    }

    package var current: Values { self.values.withLock { $0 } }

    func recordRestore(_ report: SnapshotRestoreReport) {
        self.values.withLock { $0.restore = report }
    }

    func recordWrite(atSeconds: Double, durationSeconds: Double, bytes: Int, series: Int) {
        self.values.withLock {
            $0.lastWriteSeconds = atSeconds
            $0.lastDurationSeconds = durationSeconds
            $0.lastSizeBytes = bytes
            $0.lastSeries = series
            $0.writes += 1
            $0.lastError = nil
        }
    }

    /// Counts a failed write; returns whether its message differs from the previous failure's (worth a log line).
    func recordFailure(_ message: String) -> Bool {
        self.values.withLock { values in
            values.writeFailures += 1
            let isNew = values.lastError != message
            values.lastError = message
            return isNew
        }
    }
}
