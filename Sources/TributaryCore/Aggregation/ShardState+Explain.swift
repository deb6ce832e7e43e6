/// What a shard already holds for the series a line shape would update: read-only, for the explainer.
package struct SeriesCheck: Sendable, Equatable, Encodable {
    /// A family that would make the sample be rejected as a type conflict.
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
}

extension ShardState {
    /// The storage kind of the family `name`, nil when there is none.
    package func familyType(named name: String) -> StorageKind? {
        self.familyByName[name].map { self.families[Int($0)].storage }
    }

    /// What this shard holds for `shape`'s series, and whether applying it would conflict. Does not modify state.
    package func check(_ shape: LineShape) -> SeriesCheck {
        let name = shape.outcome.name
        var check = SeriesCheck(familyType: nil, seriesExists: false, conflict: nil)
        if let id = self.familyByName[name] {
            let family = self.families[Int(id)]
            check.familyType = family.storage.label
            if family.storage != shape.storage {
                check.conflict = .init(family: name, existingType: family.storage.label, reason: .typeMismatch)
            } else {
                check.seriesExists = family.seriesByLabels[Self.renderLabels(shape.labelPairs)] != nil
            }
        } else if let other = self.suffixCollision(name: name, storage: shape.storage) {
            let family = self.families[Int(other)]
            check.conflict = .init(family: family.name, existingType: family.storage.label, reason: .reservedSuffix)
        }
        return check
    }
}
