/// The mapping YAML as written, before validation: statsd_exporter's `defaults` and `mappings` keys.
///
/// Read from the ``YAMLNode`` tree by hand so that unknown keys are rejected and every error names its place
/// (`MappingConfigError`). Values are only type-checked here; `CompiledMapper.load` validates them and fills in
/// defaults.
struct MappingConfigFile {
    var defaults: RawDefaults
    var rules: [RawRule]

    init(defaults: RawDefaults = RawDefaults(), rules: [RawRule] = []) {
        self.defaults = defaults
        self.rules = rules
    }

    /// Reads the document's root (nil: an empty document, no rules).
    init(_ root: YAMLNode?) throws(MappingConfigError) {
        self.init()
        guard let root, !root.isNull else { return }
        guard let top = root.pairs else {
            throw .invalidYAML("at top level: expected a mapping with defaults and mappings, found \(root.kindDescription)")
        }
        for pair in top where pair.key.string != "defaults" && pair.key.string != "mappings" {
            throw .unknownTopLevelKey(pair.key.string ?? "")
        }
        if let section = root.value(for: "defaults"), !section.isNull {
            guard let pairs = section.pairs else {
                throw .invalidYAML("at defaults: expected a mapping of keys to values, found \(section.kindDescription)")
            }
            self.defaults = try RawDefaults(
                SectionReader(pairs: pairs, location: .defaults, prefix: "", known: RawDefaults.keys))
        }
        if let list = root.value(for: "mappings"), !list.isNull {
            guard let items = list.items else {
                throw .invalidYAML("at mappings: expected a list of rules, found \(list.kindDescription)")
            }
            for (index, item) in items.enumerated() {
                guard let pairs = item.pairs else {
                    throw MappingConfigError.invalidRule(
                        index: index, match: "", key: "", reason: "a rule must be a mapping of keys to values")
                }
                let match = item.value(for: "match").flatMap { $0.isNull ? nil : $0.string }
                let section = try SectionReader(
                    pairs: pairs, location: .rule(index: index, match: match ?? ""), prefix: "", known: RawRule.keys)
                self.rules.append(try RawRule(section, index: index))
            }
        }
    }
}

/// `histogram_options` as written.
struct RawHistogramOptions {
    static let keys: Set<String> = ["buckets", "native_histogram_bucket_factor", "native_histogram_max_buckets"]
    var buckets: [Double]?
    var nativeBucketFactor: Double?
    var nativeMaxBuckets: Int?

    init(_ section: SectionReader) throws(MappingConfigError) {
        self.buckets = try section.doubles("buckets")
        self.nativeBucketFactor = try section.double("native_histogram_bucket_factor")
        self.nativeMaxBuckets = try section.int("native_histogram_max_buckets")
    }
}

/// `summary_options` as written.
struct RawSummaryOptions {
    static let keys: Set<String> = ["quantiles", "max_age", "age_buckets", "buf_cap"]
    var quantiles: [SummaryObjective]?
    var maxAgeSeconds: Double?
    var ageBuckets: Int?
    var bufferCapacity: Int?

    init(_ section: SectionReader) throws(MappingConfigError) {
        self.quantiles = try section.objectives("quantiles")
        self.maxAgeSeconds = try section.duration("max_age")
        self.ageBuckets = try section.int("age_buckets")
        self.bufferCapacity = try section.int("buf_cap")
    }
}

/// The `defaults` section as written.
struct RawDefaults {
    static let keys: Set<String> = [
        "observer_type", "timer_type", "match_type", "glob_disable_ordering", "ttl", "histogram_options",
        "summary_options", "buckets", "quantiles", MappingConfigKeys.dropLabels, MappingConfigKeys.keepLabels,
    ]
    var observerType: ObserverType?
    var matchType: MatchType?
    var globDisableOrdering = false
    var ttlSeconds: Double?
    var histogramOptions: RawHistogramOptions?
    var summaryOptions: RawSummaryOptions?
    var legacyBuckets: [Double]?
    var legacyQuantiles: [SummaryObjective]?
    /// Tributary's label rules for every rule and unmapped names (``LabelFilter``), as written.
    var dropLabels: [String]?
    var keepLabels: [String]?

    init() {}

    init(_ section: SectionReader) throws(MappingConfigError) {
        self.observerType = try section.observerType()
        self.matchType = try section.matchType()
        self.globDisableOrdering = try section.bool("glob_disable_ordering") ?? false
        self.ttlSeconds = try section.duration("ttl")
        self.histogramOptions = try section.nested("histogram_options", known: RawHistogramOptions.keys)
            .map { (s) throws(MappingConfigError) in try RawHistogramOptions(s) }
        self.summaryOptions = try section.nested("summary_options", known: RawSummaryOptions.keys)
            .map { (s) throws(MappingConfigError) in try RawSummaryOptions(s) }
        self.legacyBuckets = try section.doubles("buckets")
        self.legacyQuantiles = try section.objectives("quantiles")
        self.dropLabels = try section.strings(MappingConfigKeys.dropLabels)
        self.keepLabels = try section.strings(MappingConfigKeys.keepLabels)
    }
}

/// One entry of `mappings` as written.
struct RawRule {
    static let keys: Set<String> = [
        "match", "name", "labels", "help", "match_type", "match_metric_type", "action", "honor_labels", "ttl",
        "observer_type", "timer_type", "histogram_options", "summary_options", "buckets", "quantiles", "scale",
        MappingConfigKeys.maxSeriesPerMetric, MappingConfigKeys.dropLabels, MappingConfigKeys.keepLabels,
    ]
    var index: Int
    var match: String?
    var name: String?
    var labels: [(name: String, value: String)]
    var help: String?
    var matchType: MatchType?
    var matchMetricType: MatchMetricType?
    var action: MappingOutcome.Action?
    var honorLabels: Bool
    var ttlSeconds: Double?
    var observerType: ObserverType?
    var histogramOptions: RawHistogramOptions?
    var summaryOptions: RawSummaryOptions?
    var legacyBuckets: [Double]?
    var legacyQuantiles: [SummaryObjective]?
    var scale: Double?
    /// Tributary's own key (statsd_exporter rejects it): a per-rule series budget.
    var maxSeriesPerMetric: Int?
    /// Tributary's own keys: this rule's label rules (``LabelFilter``), as written.
    var dropLabels: [String]?
    var keepLabels: [String]?

    init(_ section: SectionReader, index: Int) throws(MappingConfigError) {
        self.index = index
        self.match = try section.string("match")
        self.name = try section.string("name")
        self.labels = try section.labels("labels")
        self.help = try section.string("help")
        self.matchType = try section.matchType()
        self.matchMetricType = try section.matchMetricType()
        self.action = try section.action()
        self.honorLabels = try section.bool("honor_labels") ?? false
        self.ttlSeconds = try section.duration("ttl")
        self.observerType = try section.observerType()
        self.histogramOptions = try section.nested("histogram_options", known: RawHistogramOptions.keys)
            .map { (s) throws(MappingConfigError) in try RawHistogramOptions(s) }
        self.summaryOptions = try section.nested("summary_options", known: RawSummaryOptions.keys)
            .map { (s) throws(MappingConfigError) in try RawSummaryOptions(s) }
        self.legacyBuckets = try section.doubles("buckets")
        self.legacyQuantiles = try section.objectives("quantiles")
        self.scale = try section.double("scale")
        self.maxSeriesPerMetric = try section.int(MappingConfigKeys.maxSeriesPerMetric)
        self.dropLabels = try section.strings(MappingConfigKeys.dropLabels)
        self.keepLabels = try section.strings(MappingConfigKeys.keepLabels)
    }
}

/// Where in the configuration a section lives, to build errors that name it.
enum ConfigLocation {
    case defaults
    case rule(index: Int, match: String)

    func error(key: String, reason: String) -> MappingConfigError {
        switch self {
        case .defaults: .invalidDefaults(key: key, reason: reason)
        case .rule(let index, let match): .invalidRule(index: index, match: match, key: key, reason: reason)
        }
    }
}
