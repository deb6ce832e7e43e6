/// What a restore put back and what it dropped, for the one log line and the self-metrics.
package struct SnapshotRestoreReport: Sendable, Equatable {
    /// The snapshot's header, when it could be read.
    package var header: SnapshotHeader?
    package var restoredFamilies = 0
    package var restoredSeries = 0
    /// Dropped parts by reason: series for ``SnapshotFailure/expired`` and ``SnapshotFailure/mappingChanged``, the
    /// whole file for ``SnapshotFailure/notASnapshot`` and ``SnapshotFailure/incompatibleVersion`` (or a bad header
    /// checksum), records (one family of one shard) otherwise.
    package var dropped: [SnapshotFailure: Int] = [:]
    /// Whether the end marker was read: the file is complete.
    package var complete = false
    /// Whether the snapshot was written under another mapping file (every family was checked against the current one).
    package var mappingChanged = false

    package init() {}

    package var droppedAnything: Bool { !self.dropped.isEmpty }

    /// `12 series in 3 families` and, if anything was dropped, `; dropped: 2 expired, 1 checksum_mismatch`.
    package var summary: String {
        var text = "\(self.restoredSeries) series in \(self.restoredFamilies) families"
        if self.mappingChanged { text += " (mapping file changed since the snapshot: families checked)" }
        if !self.dropped.isEmpty {
            let parts = SnapshotFailure.allCases.compactMap { reason in
                self.dropped[reason].map { "\($0) \(reason.label)" }
            }
            text += "; dropped: " + parts.joined(separator: ", ")
        }
        return text
    }

    mutating func drop(_ reason: SnapshotFailure, count: Int = 1) {
        guard count > 0 else { return }
        self.dropped[reason, default: 0] += count
    }
}
