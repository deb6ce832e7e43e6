/// An immutable, validated set of mapping rules, ready to match StatsD metric names.
///
/// Built once per (re)load from the mapping YAML (`CompiledMapper.load(yaml:)`); shared between shards as a
/// `Sendable` value. `CompiledMapper.empty` (no file given) maps nothing: every metric keeps its escaped name,
/// observers become summaries with statsd_exporter's defaults.
///
/// Matching follows statsd_exporter: glob rules first (through one `GlobTrie`, so a lookup does not scan the
/// rules), then regex rules in file order; the first rule that matches the name and whose
/// `match_metric_type` accepts the sample's type wins.
///
/// ```swift
/// let mapper = try CompiledMapper.load(yaml: """
///     mappings:
///     - match: "web.*.requests"
///       name: "web_requests_total"
///       labels: { handler: "$1" }
///     """)
/// mapper.map(name: "web.home.requests", type: .counter)  // web_requests_total{handler="home"}
/// ```
package struct CompiledMapper: Sendable {
    /// Defaults applied to unmapped metrics and to rules that do not override them.
    package var defaultObserverType: ObserverType
    package var defaultHistogramOptions: HistogramOptions
    package var defaultSummaryOptions: SummaryOptions
    package var defaultTTLSeconds: Double
    /// The `defaults` section's label rules, for unmapped names (rules carry their own, defaults included).
    package var defaultLabelFilter: LabelFilter = .none

    /// The rules in file order.
    package private(set) var rules: [MappingRule] = []
    /// Every glob rule, compiled.
    package private(set) var globTrie = GlobTrie(orderingDisabled: false)
    /// Indices (into `rules`) of the regex rules, in file order.
    package private(set) var regexRuleIndices: [Int] = []

    /// ``SnapshotHash`` of the mapping file's text (0 for ``empty``): recorded in snapshots, so a restore knows when
    /// the mapping changed since the write.
    package var sourceHash: UInt64 = 0

    /// Number of rules (for `tributary_loaded_mappings`).
    package var ruleCount: Int { self.rules.count }

    /// `glob_disable_ordering` from the defaults.
    package var globOrderingDisabled: Bool { self.globTrie.orderingDisabled }

    package static let empty = CompiledMapper(
        defaultObserverType: .summary,
        defaultHistogramOptions: .statsdExporterDefault,
        defaultSummaryOptions: .statsdExporterDefault,
        defaultTTLSeconds: 0
    )

    package init(
        defaultObserverType: ObserverType, defaultHistogramOptions: HistogramOptions,
        defaultSummaryOptions: SummaryOptions, defaultTTLSeconds: Double
    ) {
        self.defaultObserverType = defaultObserverType
        self.defaultHistogramOptions = defaultHistogramOptions
        self.defaultSummaryOptions = defaultSummaryOptions
        self.defaultTTLSeconds = defaultTTLSeconds
    }

    /// Builds a mapper from validated rules (in file order).
    init(
        defaultObserverType: ObserverType, defaultHistogramOptions: HistogramOptions,
        defaultSummaryOptions: SummaryOptions, defaultTTLSeconds: Double, globOrderingDisabled: Bool,
        rules: [MappingRule]
    ) {
        self.init(
            defaultObserverType: defaultObserverType, defaultHistogramOptions: defaultHistogramOptions,
            defaultSummaryOptions: defaultSummaryOptions, defaultTTLSeconds: defaultTTLSeconds)
        self.rules = rules
        self.globTrie = GlobTrie(orderingDisabled: globOrderingDisabled)
        for rule in rules {
            if let glob = rule.glob {
                self.globTrie.insert(glob, ruleIndex: rule.index, matchMetricType: rule.matchMetricType)
            } else {
                self.regexRuleIndices.append(rule.index)
            }
        }
    }

    /// Maps a StatsD metric name (as sent, tags removed, not escaped) of the given type.
    ///
    /// Unmatched names yield `.map` with the escaped name and `ruleIndex == nil`. The glob path allocates only
    /// what the returned outcome holds (its name, labels array and label strings); regex rules, tried only when
    /// no glob matched, allocate inside the regex engine.
    package func map(name: String, type: StatsDType) -> MappingOutcome {
        var visits = 0
        return self.map(name: name, type: type, visits: &visits)
    }

    /// `map(name:type:)`, also counting the glob trie nodes examined (for tests of lookup cost).
    package func map(name: String, type: StatsDType, visits: inout Int) -> MappingOutcome {
        if let outcome = self.globOutcome(name: name, type: type, visits: &visits) { return outcome }
        if let (rule, capture) = self.regexMatch(name: name, type: type) { return rule.outcome(capture) }
        return self.unmappedOutcome(name: name)
    }

    /// The outcome of the best glob rule, or nil when none matches.
    ///
    /// Captures are handed to the templates as `Substring`s of `name` (no copies): the only allocations are the
    /// outcome's own strings and labels array.
    func globOutcome(name: String, type: StatsDType, visits: inout Int) -> MappingOutcome? {
        self.globTrie.lookup(name: name, type: type.matchClass, visits: &visits) { ruleIndex, captures, _ in
            self.rules[ruleIndex].outcome { segment in
                guard case .group(let number) = segment, number >= 1, 2 * number <= captures.count else { return nil }
                let utf8 = name.utf8
                let lower = utf8.index(utf8.startIndex, offsetBy: captures[2 * number - 2])
                let upper = utf8.index(utf8.startIndex, offsetBy: captures[2 * number - 1])
                return Substring(utf8[lower..<upper])
            }
        }
    }

    /// The first regex rule (in file order) that matches `name` and accepts `type`.
    func regexMatch(name: String, type: StatsDType) -> (MappingRule, (MappingTemplate.Segment) -> Substring?)? {
        for index in self.regexRuleIndices {
            let rule = self.rules[index]
            guard rule.accepts(type), let capture = rule.regex?.match(name) else { continue }
            return (rule, capture)
        }
        return nil
    }

    /// The outcome for a name no rule matched: escaped name, the defaults.
    func unmappedOutcome(name: String) -> MappingOutcome {
        var outcome = MappingOutcome(
            action: .map,
            name: MetricNameEscaping.escape(name),
            observerType: self.defaultObserverType,
            histogramOptions: self.defaultHistogramOptions,
            summaryOptions: self.defaultSummaryOptions,
            ttlSeconds: self.defaultTTLSeconds,
            ruleIndex: nil
        )
        outcome.labelFilter = self.defaultLabelFilter
        return outcome
    }
}
