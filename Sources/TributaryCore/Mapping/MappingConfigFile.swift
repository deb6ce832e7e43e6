import Yams

/// The mapping YAML as written, before validation: statsd_exporter's `defaults` and `mappings` keys.
///
/// Decoded with Yams through hand-written `init(from:)`s so that unknown keys are rejected and every
/// error names its place (`MappingConfigError`). Values are only type-checked here; `CompiledMapper.load`
/// validates them and fills in defaults.
struct MappingConfigFile: Decodable {
    var defaults: RawDefaults
    var rules: [RawRule]

    init(defaults: RawDefaults = RawDefaults(), rules: [RawRule] = []) {
        self.defaults = defaults
        self.rules = rules
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ConfigKey.self)
        for key in container.allKeys where key.stringValue != "defaults" && key.stringValue != "mappings" {
            throw MappingConfigError.unknownTopLevelKey(key.stringValue)
        }
        self.defaults = RawDefaults()
        if try container.contains("defaults") && !container.decodeNil(forKey: "defaults") {
            let section = try SectionReader(
                container: container.nestedContainer(keyedBy: ConfigKey.self, forKey: "defaults"),
                location: .defaults, prefix: "", known: RawDefaults.keys)
            self.defaults = try RawDefaults(section)
        }
        self.rules = []
        if try container.contains("mappings") && !container.decodeNil(forKey: "mappings") {
            var list = try container.nestedUnkeyedContainer(forKey: "mappings")
            while !list.isAtEnd {
                let index = list.currentIndex
                let ruleContainer: KeyedDecodingContainer<ConfigKey>
                do {
                    ruleContainer = try list.nestedContainer(keyedBy: ConfigKey.self)
                } catch {
                    throw MappingConfigError.invalidRule(
                        index: index, match: "", key: "", reason: "a rule must be a mapping of keys to values")
                }
                let match = (try? ruleContainer.decodeIfPresent(String.self, forKey: "match")) ?? nil
                let section = try SectionReader(
                    container: ruleContainer, location: .rule(index: index, match: match ?? ""), prefix: "",
                    known: RawRule.keys)
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

/// A string coding key, so any key in the YAML can be seen (and unknown ones rejected).
struct ConfigKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { self.stringValue = value }
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

/// Reads the typed values of one YAML mapping (the defaults, a rule or a nested options block), turning decoder
/// errors into `MappingConfigError`s that name the section and the (dotted) key.
struct SectionReader {
    let container: KeyedDecodingContainer<ConfigKey>
    let location: ConfigLocation
    /// Dotted path of this section inside the rule or defaults, with a trailing dot (`histogram_options.`).
    let prefix: String

    /// Wraps `container`; throws if it holds a key outside `known`.
    init(
        container: KeyedDecodingContainer<ConfigKey>, location: ConfigLocation, prefix: String, known: Set<String>
    ) throws(MappingConfigError) {
        self.container = container
        self.location = location
        self.prefix = prefix
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw location.error(key: prefix + key.stringValue, reason: "unknown key")
        }
    }

    func error(_ key: String, _ reason: String) -> MappingConfigError {
        self.location.error(key: self.prefix + key, reason: reason)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ key: String, expected: String) throws(MappingConfigError) -> T?
    {
        do {
            return try self.container.decodeIfPresent(type, forKey: ConfigKey(stringValue: key))
        } catch {
            throw self.error(key, "expected \(expected)")
        }
    }

    func string(_ key: String) throws(MappingConfigError) -> String? {
        try self.decode(String.self, key, expected: "a string")
    }

    func bool(_ key: String) throws(MappingConfigError) -> Bool? {
        try self.decode(Bool.self, key, expected: "true or false")
    }

    func double(_ key: String) throws(MappingConfigError) -> Double? {
        try self.decode(Double.self, key, expected: "a number")
    }

    func int(_ key: String) throws(MappingConfigError) -> Int? {
        guard let value = try self.decode(Int.self, key, expected: "an integer") else { return nil }
        if value < 0 { throw self.error(key, "must not be negative, got \(value)") }
        return value
    }

    func strings(_ key: String) throws(MappingConfigError) -> [String]? {
        try self.decode([String].self, key, expected: "a list of strings")
    }

    func doubles(_ key: String) throws(MappingConfigError) -> [Double]? {
        try self.decode([Double].self, key, expected: "a list of numbers")
    }

    /// A Go duration string (`30s`, `1m30s`), in seconds; negative durations are rejected.
    func duration(_ key: String) throws(MappingConfigError) -> Double? {
        guard let text = try self.decode(String.self, key, expected: "a duration such as 30s or 1m30s") else {
            return nil
        }
        guard let seconds = GoDuration.parseSeconds(text) else {
            throw self.error(
                key, "invalid duration \"\(text)\" (expected e.g. 30s, 1m30s, 1h; units ns, us, ms, s, m, h)")
        }
        if seconds < 0 { throw self.error(key, "duration must not be negative, got \"\(text)\"") }
        return seconds
    }

    /// A nested options block, or nil when absent or null.
    func nested(_ key: String, known: Set<String>) throws(MappingConfigError) -> SectionReader? {
        let codingKey = ConfigKey(stringValue: key)
        guard self.container.contains(codingKey) else { return nil }
        do {
            if try self.container.decodeNil(forKey: codingKey) { return nil }
            let nested = try self.container.nestedContainer(keyedBy: ConfigKey.self, forKey: codingKey)
            return try SectionReader(
                container: nested, location: self.location, prefix: self.prefix + key + ".", known: known)
        } catch let error as MappingConfigError {
            throw error
        } catch {
            throw self.error(key, "expected a mapping of keys to values")
        }
    }

    /// A list of `{quantile, error}` objects.
    func objectives(_ key: String) throws(MappingConfigError) -> [SummaryObjective]? {
        let codingKey = ConfigKey(stringValue: key)
        guard self.container.contains(codingKey) else { return nil }
        do {
            if try self.container.decodeNil(forKey: codingKey) { return nil }
            var list = try self.container.nestedUnkeyedContainer(forKey: codingKey)
            var result: [SummaryObjective] = []
            while !list.isAtEnd {
                let itemKey = "\(key)[\(list.currentIndex)]"
                guard let item = try? list.nestedContainer(keyedBy: ConfigKey.self) else {
                    throw self.error(itemKey, "expected a mapping with quantile and error")
                }
                let reader = try SectionReader(
                    container: item, location: self.location, prefix: self.prefix + itemKey + ".",
                    known: ["quantile", "error"])
                guard let quantile = try reader.double("quantile") else { throw reader.error("quantile", "missing") }
                guard let error = try reader.double("error") else { throw reader.error("error", "missing") }
                result.append(SummaryObjective(quantile: quantile, error: error))
            }
            return result
        } catch let error as MappingConfigError {
            throw error
        } catch {
            throw self.error(key, "expected a list of {quantile, error} mappings")
        }
    }

    /// `labels`: label name → value template, in the order written.
    func labels(_ key: String) throws(MappingConfigError) -> [(name: String, value: String)] {
        let codingKey = ConfigKey(stringValue: key)
        guard self.container.contains(codingKey) else { return [] }
        do {
            if try self.container.decodeNil(forKey: codingKey) { return [] }
            let nested = try self.container.nestedContainer(keyedBy: ConfigKey.self, forKey: codingKey)
            var result: [(name: String, value: String)] = []
            for labelKey in nested.allKeys {
                guard let value = try? nested.decode(String.self, forKey: labelKey) else {
                    throw self.error("\(key).\(labelKey.stringValue)", "expected a string")
                }
                result.append((labelKey.stringValue, value))
            }
            return result
        } catch let error as MappingConfigError {
            throw error
        } catch {
            throw self.error(key, "expected a mapping of label names to values")
        }
    }

    func observerType() throws(MappingConfigError) -> ObserverType? {
        // `observer_type` wins over the deprecated `timer_type`, as in statsd_exporter.
        for key in ["observer_type", "timer_type"] {
            guard let text = try self.string(key), !text.isEmpty else { continue }
            guard let value = ObserverType(rawValue: text) else {
                throw self.error(key, "invalid observer type \"\(text)\" (expected summary or histogram)")
            }
            return value
        }
        return nil
    }

    func matchType() throws(MappingConfigError) -> MatchType? {
        guard let text = try self.string("match_type"), !text.isEmpty else { return nil }
        guard let value = MatchType(rawValue: text) else {
            throw self.error("match_type", "invalid match type \"\(text)\" (expected glob or regex)")
        }
        return value
    }

    func matchMetricType() throws(MappingConfigError) -> MatchMetricType? {
        guard let text = try self.string("match_metric_type"), !text.isEmpty else { return nil }
        // `timer` is the name older statsd_exporter documentation used for `observer`.
        if text == "timer" { return .observer }
        guard let value = MatchMetricType(rawValue: text) else {
            throw self.error(
                "match_metric_type", "invalid metric type \"\(text)\" (expected counter, gauge or observer)")
        }
        return value
    }

    func action() throws(MappingConfigError) -> MappingOutcome.Action? {
        guard let text = try self.string("action"), !text.isEmpty else { return nil }
        guard let value = MappingOutcome.Action(rawValue: text) else {
            throw self.error("action", "invalid action \"\(text)\" (expected map or drop)")
        }
        return value
    }
}
