/// What a listener knows about a new series besides its name and labels.
package struct RouteRequest: Sendable {
    /// The type mapping rules match against (`match_metric_type`); also decides `ms` → seconds.
    package var type: StatsDType
    /// Storage fixed by the sample itself (JSON `histogram`/`summary`); nil lets the mapping decide observers.
    package var storage: StorageKind?
    /// `# HELP` for a new family when the mapping gives none.
    package var help: String?
    /// The unit for a new family (JSON `unit`).
    package var unit: String?
    /// Histogram bounds for a new family, overriding the mapping's.
    package var buckets: [Double]?
    /// False skips the mapping rules (unmapped defaults: escaped name, default options).
    package var useMapping = true

    package init(
        type: StatsDType, storage: StorageKind? = nil, help: String? = nil, unit: String? = nil,
        buckets: [Double]? = nil, useMapping: Bool = true
    ) {
        self.type = type
        self.storage = storage
        self.help = help
        self.unit = unit
        self.buckets = buckets
        self.useMapping = useMapping
    }
}
