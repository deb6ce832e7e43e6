/// Tributary's label rules from the mapping file: labels removed by name (`tributary_drop_labels`) or all but a list
/// (`tributary_keep_labels`), applied after the line's tags and the rule's labels are merged (``LineShape``).
///
/// Set in `defaults` (applies to every rule and to unmapped names) and per rule. A rule's drop list adds to the
/// defaults' one; a rule's keep list replaces the defaults' one. A label survives when it is on the keep list (or
/// there is none) and not on any drop list. The `tributary_` prefix keeps the keys clear of statsd_exporter's
/// own (which rejects them): a file using them is Tributary-only.
///
/// ```yaml
/// defaults:
///   tributary_drop_labels: [user_id, request_id]
/// mappings:
/// - match: "web.*.requests"
///   name: "web_requests_total"
///   labels: { handler: "$1" }
///   tributary_keep_labels: [handler, env]
/// ```
package struct LabelFilter: Sendable, Equatable {
    /// Label names removed from every series.
    package var drop: Set<String>
    /// When set, only these label names are kept.
    package var keep: Set<String>?

    package init(drop: Set<String> = [], keep: Set<String>? = nil) {
        self.drop = drop
        self.keep = keep
    }

    /// A filter that keeps every label.
    package static let none = LabelFilter()

    package var isEmpty: Bool { self.drop.isEmpty && self.keep == nil }

    /// True when a label of this name stays on the series.
    @inline(__always)
    package func keeps(_ name: String) -> Bool {
        if let keep = self.keep, !keep.contains(name) { return false }
        return !self.drop.contains(name)
    }

    /// This (the defaults') filter with a rule's own on top: drop lists add up, the rule's keep list wins.
    package func refined(by rule: LabelFilter) -> LabelFilter {
        LabelFilter(drop: self.drop.union(rule.drop), keep: rule.keep ?? self.keep)
    }

    /// Validates the two lists of one section (defaults or a rule): label names, duplicates, a name on both lists.
    static func validated(
        drop: [String]?, keep: [String]?, at location: ConfigLocation
    ) throws(MappingConfigError) -> LabelFilter {
        func names(_ list: [String]?, key: String) throws(MappingConfigError) -> Set<String>? {
            guard let list else { return nil }
            var seen: Set<String> = []
            for (index, name) in list.enumerated() {
                guard MetricNameEscaping.isValidLabelName(name) else {
                    throw location.error(key: "\(key)[\(index)]", reason: "invalid label name \"\(name)\"")
                }
                guard seen.insert(name).inserted else {
                    throw location.error(key: "\(key)[\(index)]", reason: "duplicate label name \"\(name)\"")
                }
            }
            return seen
        }
        let dropped = try names(drop, key: MappingConfigKeys.dropLabels) ?? []
        let kept = try names(keep, key: MappingConfigKeys.keepLabels)
        if let kept, let both = dropped.intersection(kept).sorted().first {
            throw location.error(
                key: MappingConfigKeys.dropLabels,
                reason: "label \"\(both)\" is also in \(MappingConfigKeys.keepLabels); list it in one of them")
        }
        return LabelFilter(drop: dropped, keep: kept)
    }
}

/// Tributary's own mapping keys; statsd_exporter does not know them (and rejects a file that has them). The
/// `tributary_` prefix keeps them clear of any key statsd_exporter may add.
enum MappingConfigKeys {
    static let dropLabels = "tributary_drop_labels"
    static let keepLabels = "tributary_keep_labels"
    static let maxSeriesPerMetric = "tributary_max_series_per_metric"
}
