/// The pure part of routing one line shape (StatsD type, name section, DogStatsD tags): tags → labels → mapping →
/// storage kind, value multiplier and merged labels.
///
/// The first step of ``RouteDecision``, which ingest and ``LineExplainer`` share. It neither looks up nor creates
/// families and series.
package struct LineShape: Sendable {
    /// One label of the resulting series and where its value came from.
    package struct Label: Sendable, Equatable, Encodable {
        package enum Source: String, Sendable, Equatable, Encodable {
            /// A tag of the line; the rule has no label of that name.
            case tag
            /// A label of the matched rule; the line has no tag of that name.
            case rule
            /// Both have it; the rule's value replaced the tag's (`honor_labels: false`, the default).
            case ruleOverTag = "rule_over_tag"
            /// Both have it; the tag's value was kept (`honor_labels: true`).
            case tagOverRule = "tag_over_rule"
        }

        package var name: String
        package var value: String
        package var source: Source

        package init(name: String, value: String, source: Source) {
            self.name = name
            self.value = value
            self.source = source
        }
    }

    package var type: StatsDType
    /// The name (tags removed, not escaped) and the line's tags as labels.
    package var tags: StatsDTagParser.Resolved
    package var outcome: MappingOutcome
    /// How the series is stored, which decides its Prometheus type.
    package var storage: StorageKind
    /// Divisor for observed values: 1000 for `ms` (to seconds, divided like statsd_exporter so that `9|ms` is
    /// exactly 0.009); 1 otherwise.
    package var divisor: Double
    /// Multiplier for observed values: the mapping's `scale`; 1 for counters, gauges and sets.
    package var multiplier: Double
    /// Tags merged with the rule's labels, tags first in line order, then the rule's new labels; without the
    /// labels the mapping's ``LabelFilter`` removes.
    package var labels: [Label]
    /// The merged labels the mapping's ``LabelFilter`` removed (`tributary_drop_labels` / `tributary_keep_labels`),
    /// in merge order.
    package var droppedLabels: [Label] = []

    /// Maps resolved tags for a sample type.
    /// - Parameters:
    ///   - storage: storage fixed by the sample itself (JSON `histogram`/`summary`); nil lets the mapping decide.
    ///   - useMapping: false skips the rules (unmapped defaults), for `--json.disable-mapping`.
    package init(
        type: StatsDType, tags: StatsDTagParser.Resolved, mapper: CompiledMapper, storage: StorageKind? = nil,
        useMapping: Bool = true
    ) {
        self.type = type
        self.tags = tags
        let outcome = useMapping ? mapper.map(name: tags.name, type: type) : mapper.unmappedOutcome(name: tags.name)
        self.outcome = outcome
        if let storage {
            self.storage = storage
        } else {
            switch type {
            case .counter: self.storage = .counter
            case .gauge: self.storage = .gauge
            case .set: self.storage = .set
            case .timer, .histogram, .distribution: self.storage = outcome.observerType == .histogram ? .histogram : .summary
            }
        }
        let observed = self.storage == .summary || self.storage == .histogram
        self.divisor = observed && type == .timer ? 1000 : 1
        self.multiplier = observed ? self.outcome.scale : 1
        self.labels = Self.mergeLabels(
            tags: tags.labels, rule: self.outcome.labels, honorLabels: self.outcome.honorLabels)
        let filter = outcome.labelFilter
        if !filter.isEmpty && !self.labels.isEmpty {
            // After the merge, so `honor_labels` has decided each value before a name is kept or dropped.
            var kept: [Label] = []
            kept.reserveCapacity(self.labels.count)
            for label in self.labels {
                if filter.keeps(label.name) { kept.append(label) } else { self.droppedLabels.append(label) }
            }
            self.labels = kept
        }
    }

    /// The labels as (name, value) pairs, in merge order.
    package var labelPairs: [(name: String, value: String)] { self.labels.map { ($0.name, $0.value) } }

    /// statsd_exporter's label merge: a rule label replaces a tag of the same name unless `honorLabels`.
    package static func mergeLabels(
        tags: [(name: String, value: String)], rule: [(name: String, value: String)], honorLabels: Bool
    ) -> [Label] {
        var labels = tags.map { Label(name: $0.name, value: $0.value, source: .tag) }
        for label in rule {
            if let existing = labels.firstIndex(where: { $0.name == label.name }) {
                if honorLabels {
                    labels[existing].source = .tagOverRule
                } else {
                    labels[existing].value = label.value
                    labels[existing].source = .ruleOverTag
                }
            } else {
                labels.append(Label(name: label.name, value: label.value, source: .rule))
            }
        }
        return labels
    }
}
