/// Reads the typed values of one YAML mapping (the defaults, a rule or a nested options block), turning type
/// mismatches into `MappingConfigError`s that name the section and the (dotted) key.
///
/// An absent key and a null value both read as nil. Any scalar reads as a string (`ttl: 30` is the text "30"),
/// numbers and booleans only from plain scalars, as Yams' decoder and statsd_exporter's yaml.v2 read them.
struct SectionReader {
    let pairs: [YAMLPair]
    let location: ConfigLocation
    /// Dotted path of this section inside the rule or defaults, with a trailing dot (`histogram_options.`).
    let prefix: String

    /// Wraps `pairs`; throws if it holds a key outside `known`.
    init(pairs: [YAMLPair], location: ConfigLocation, prefix: String, known: Set<String>) throws(MappingConfigError) {
        self.pairs = pairs
        self.location = location
        self.prefix = prefix
        for pair in pairs {
            let key = pair.key.string ?? ""
            if !known.contains(key) { throw location.error(key: prefix + key, reason: "unknown key") }
        }
    }

    func error(_ key: String, _ reason: String) -> MappingConfigError {
        self.location.error(key: self.prefix + key, reason: reason)
    }

    /// The key's value, nil when absent or null.
    private func value(_ key: String) -> YAMLNode? {
        guard let node = self.pairs.first(where: { $0.key.string == key })?.value, !node.isNull else { return nil }
        return node
    }

    private func read<T>(_ key: String, expected: String, _ convert: (YAMLNode) -> T?) throws(MappingConfigError) -> T?
    {
        guard let node = self.value(key) else { return nil }
        guard let value = convert(node) else { throw self.error(key, "expected \(expected)") }
        return value
    }

    func string(_ key: String) throws(MappingConfigError) -> String? {
        try self.read(key, expected: "a string") { $0.string }
    }

    func bool(_ key: String) throws(MappingConfigError) -> Bool? {
        try self.read(key, expected: "true or false") { $0.bool }
    }

    func double(_ key: String) throws(MappingConfigError) -> Double? {
        try self.read(key, expected: "a number") { $0.double }
    }

    func int(_ key: String) throws(MappingConfigError) -> Int? {
        guard let value = try self.read(key, expected: "an integer", { $0.int }) else { return nil }
        if value < 0 { throw self.error(key, "must not be negative, got \(value)") }
        return value
    }

    func strings(_ key: String) throws(MappingConfigError) -> [String]? {
        try self.read(key, expected: "a list of strings") { node in
            guard let items = node.items else { return nil }
            let strings = items.compactMap(\.string)
            return strings.count == items.count ? strings : nil
        }
    }

    func doubles(_ key: String) throws(MappingConfigError) -> [Double]? {
        try self.read(key, expected: "a list of numbers") { node in
            guard let items = node.items else { return nil }
            let numbers = items.compactMap(\.double)
            return numbers.count == items.count ? numbers : nil
        }
    }

    /// A Go duration string (`30s`, `1m30s`), in seconds; negative durations are rejected.
    func duration(_ key: String) throws(MappingConfigError) -> Double? {
        guard let text = try self.read(key, expected: "a duration such as 30s or 1m30s", { $0.string }) else {
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
        guard let pairs = try self.read(key, expected: "a mapping of keys to values", { $0.pairs }) else { return nil }
        return try SectionReader(pairs: pairs, location: self.location, prefix: self.prefix + key + ".", known: known)
    }

    /// A list of `{quantile, error}` objects.
    func objectives(_ key: String) throws(MappingConfigError) -> [SummaryObjective]? {
        guard let items = try self.read(key, expected: "a list of {quantile, error} mappings", { $0.items }) else {
            return nil
        }
        var result: [SummaryObjective] = []
        for (index, item) in items.enumerated() {
            let itemKey = "\(key)[\(index)]"
            guard let pairs = item.pairs else { throw self.error(itemKey, "expected a mapping with quantile and error") }
            let reader = try SectionReader(
                pairs: pairs, location: self.location, prefix: self.prefix + itemKey + ".", known: ["quantile", "error"])
            guard let quantile = try reader.double("quantile") else { throw reader.error("quantile", "missing") }
            guard let error = try reader.double("error") else { throw reader.error("error", "missing") }
            result.append(SummaryObjective(quantile: quantile, error: error))
        }
        return result
    }

    /// `labels`: label name → value template, in the order written.
    func labels(_ key: String) throws(MappingConfigError) -> [(name: String, value: String)] {
        guard let pairs = try self.read(key, expected: "a mapping of label names to values", { $0.pairs }) else {
            return []
        }
        var result: [(name: String, value: String)] = []
        for pair in pairs {
            let name = pair.key.string ?? ""
            guard let value = pair.value.string else { throw self.error("\(key).\(name)", "expected a string") }
            result.append((name, value))
        }
        return result
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
