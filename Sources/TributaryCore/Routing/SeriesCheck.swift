/// What a shard already holds for the series a line shape would update, as the explainer reports it (derived from
/// the same ``RouteDecision`` ingest carries out).
package struct SeriesCheck: Sendable, Equatable, Encodable {
    /// A family that makes the sample be rejected as a type conflict.
    package struct Conflict: Sendable, Equatable, Encodable {
        package enum Reason: String, Sendable, Equatable, Encodable {
            /// A family of this name exists with another type.
            case typeMismatch = "type_mismatch"
            /// The name collides with a summary's or histogram's `_sum`/`_count`/`_bucket` series.
            case reservedSuffix = "reserved_suffix"
        }

        /// The existing family's name.
        package var family: String
        /// Its storage (`counter`, `gauge`, `set`, `summary`, `histogram`).
        package var existingType: String
        package var reason: Reason

        enum CodingKeys: String, CodingKey {
            case family
            case existingType = "existing_type"
            case reason
        }
    }

    /// Storage of the family with the resulting name, nil when there is none yet.
    package var familyType: String?
    /// True when a live series with exactly these labels exists (the sample would update it).
    package var seriesExists: Bool
    package var conflict: Conflict?

    enum CodingKeys: String, CodingKey {
        case familyType = "family_type"
        case seriesExists = "series_exists"
        case conflict
    }

    package init(familyType: String?, seriesExists: Bool, conflict: Conflict?) {
        self.familyType = familyType
        self.seriesExists = seriesExists
        self.conflict = conflict
    }

    /// What `decision` found in the store.
    package init(_ decision: RouteDecision) {
        self.familyType = decision.existingFamilyStorage?.label
        self.seriesExists = decision.verdict == .accept(existing: true, folded: false)
        self.conflict = decision.conflictingFamily.map { family in
            Conflict(
                family: family.name, existingType: family.storage.label,
                reason: decision.existingFamilyStorage == nil ? .reservedSuffix : .typeMismatch)
        }
    }
}
