/// Why (part of) a snapshot could not be restored: a payload-free reason, counted in
/// `tributary_snapshot_restore_dropped_series_total{reason}` and named in the restore's log line.
package enum SnapshotFailure: Int, Error, Sendable, CaseIterable, CustomStringConvertible {
    /// The bytes end inside a header, record or value (a write cut short, a truncated file).
    case truncated
    /// Not a Tributary snapshot (wrong magic bytes).
    case notASnapshot
    /// Written by a version of the format this build cannot read.
    case incompatibleVersion
    /// A header or record whose checksum does not match its bytes (a flipped bit).
    case checksumMismatch
    /// A value no writer produces (a kind out of range, an invalid window, a bucket count that does not fit).
    case invalidValue
    /// Restored under another mapping file, which no longer produces the family's name and type.
    case mappingChanged
    /// The series' TTL passed while Tributary was down.
    case expired

    /// The `reason` label.
    package var label: String {
        switch self {
        case .truncated: "truncated"
        case .notASnapshot: "not_a_snapshot"
        case .incompatibleVersion: "incompatible_version"
        case .checksumMismatch: "checksum_mismatch"
        case .invalidValue: "invalid_value"
        case .mappingChanged: "mapping_changed"
        case .expired: "expired"
        }
    }

    package var description: String { self.label }
}
