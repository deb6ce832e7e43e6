/// Why a StatsD name maps the way it does: which rule matched, why each rule tried before it did not, and the
/// result. Produced by `CompiledMapper.explain(name:type:)` for a CLI or HTTP debugging endpoint; `Codable`, so
/// `JSONEncoder` turns it into JSON directly (keys in snake_case via the `CodingKeys`).
///
/// ```json
/// {"name":"web.home.requests","statsd_type":"c","matched_rule":{"index":0,"match":"web.*.requests",
///  "match_type":"glob"},"skipped_rules":[],"action":"map","metric_name":"web_requests_total",
///  "labels":[{"name":"handler","value":"home"}], …}
/// ```
package struct MappingExplanation: Sendable, Equatable, Codable {
    /// A rule by position and `match` text.
    package struct RuleReference: Sendable, Equatable, Codable {
        package var index: Int
        package var match: String
        package var matchType: MatchType

        enum CodingKeys: String, CodingKey {
            case index, match
            case matchType = "match_type"
        }
    }

    /// Why a rule tried before the winner (or any rule, when none matched) did not apply.
    package enum SkipReason: String, Sendable, Equatable, Codable {
        /// The name does not match the glob or regex.
        case patternMismatch = "pattern_mismatch"
        /// The name matches, but the rule's `match_metric_type` is another class.
        case metricTypeMismatch = "metric_type_mismatch"
        /// With `glob_disable_ordering`: the glob matches too, but the chosen rule is more specific.
        case lessSpecific = "less_specific"
    }

    package struct SkippedRule: Sendable, Equatable, Codable {
        package var rule: RuleReference
        package var reason: SkipReason
        /// For `.metricTypeMismatch`: the class the rule wants.
        package var wantedMetricType: MatchMetricType?

        enum CodingKeys: String, CodingKey {
            case rule, reason
            case wantedMetricType = "wanted_metric_type"
        }
    }

    package struct Label: Sendable, Equatable, Codable {
        package var name: String
        package var value: String
    }

    /// The StatsD name as given.
    package var name: String
    /// The StatsD type's wire letters (`c`, `g`, `ms`, …).
    package var statsdType: String
    /// The class `match_metric_type` compares with.
    package var metricClass: MatchMetricType
    /// The rule that matched, nil when the name is unmapped.
    package var matchedRule: RuleReference?
    /// Rules tried before the match (all rules when nothing matched), in the order they were tried: globs
    /// first, then regexes.
    package var skippedRules: [SkippedRule]
    package var action: MappingOutcome.Action
    /// Final (escaped) Prometheus name.
    package var metricName: String
    package var labels: [Label]
    package var honorLabels: Bool
    /// Present for observer samples (timers, histograms, distributions).
    package var observerType: ObserverType?
    /// Classic bucket bounds when exported as a histogram.
    package var histogramBuckets: [Double]?
    /// Quantiles when exported as a summary.
    package var summaryQuantiles: [Double]?
    package var ttlSeconds: Double
    package var scale: Double
    package var help: String?

    enum CodingKeys: String, CodingKey {
        case name
        case statsdType = "statsd_type"
        case metricClass = "metric_class"
        case matchedRule = "matched_rule"
        case skippedRules = "skipped_rules"
        case action
        case metricName = "metric_name"
        case labels
        case honorLabels = "honor_labels"
        case observerType = "observer_type"
        case histogramBuckets = "histogram_buckets"
        case summaryQuantiles = "summary_quantiles"
        case ttlSeconds = "ttl_seconds"
        case scale, help
    }
}

extension MappingOutcome.Action: Codable {}

extension CompiledMapper {
    /// Explains how `name` of `type` is mapped (slow path: every rule may be matched on its own).
    ///
    /// The result always agrees with `map(name:type:)`.
    package func explain(name: String, type: StatsDType) -> MappingExplanation {
        let outcome = self.map(name: name, type: type)
        let winner = outcome.ruleIndex
        var skipped: [MappingExplanation.SkippedRule] = []

        func reference(_ rule: MappingRule) -> MappingExplanation.RuleReference {
            .init(index: rule.index, match: rule.match, matchType: rule.matchType)
        }
        /// Why `rule` does not apply, or nil when it does.
        func reason(_ rule: MappingRule) -> MappingExplanation.SkippedRule? {
            let matches = rule.glob.map { $0.match(name) != nil } ?? (rule.regex?.match(name) != nil)
            if !matches { return .init(rule: reference(rule), reason: .patternMismatch, wantedMetricType: nil) }
            if !rule.accepts(type) {
                return .init(rule: reference(rule), reason: .metricTypeMismatch, wantedMetricType: rule.matchMetricType)
            }
            return nil
        }

        let globRules = self.rules.filter { $0.glob != nil }
        let winnerIsGlob = winner.map { self.rules[$0].glob != nil } ?? false
        if self.globOrderingDisabled {
            // Globs are not tried in file order: report every other glob.
            for rule in globRules where rule.index != winner {
                skipped.append(
                    reason(rule) ?? .init(rule: reference(rule), reason: .lessSpecific, wantedMetricType: nil))
            }
        } else {
            for rule in globRules {
                if rule.index == winner { break }
                if let why = reason(rule) { skipped.append(why) }
            }
        }
        if !winnerIsGlob {
            for index in self.regexRuleIndices {
                if index == winner { break }
                if let why = reason(self.rules[index]) { skipped.append(why) }
            }
        }

        let isObserver = type.matchClass == .observer
        return MappingExplanation(
            name: name,
            statsdType: type.wireName,
            metricClass: type.matchClass,
            matchedRule: winner.map { reference(self.rules[$0]) },
            skippedRules: skipped,
            action: outcome.action,
            metricName: outcome.name,
            labels: outcome.labels.map { .init(name: $0.name, value: $0.value) },
            honorLabels: outcome.honorLabels,
            observerType: isObserver ? outcome.observerType : nil,
            histogramBuckets: isObserver && outcome.observerType == .histogram ? outcome.histogramOptions.buckets : nil,
            summaryQuantiles: isObserver && outcome.observerType == .summary
                ? outcome.summaryOptions.objectives.map(\.quantile) : nil,
            ttlSeconds: outcome.ttlSeconds,
            scale: outcome.scale,
            help: outcome.help
        )
    }
}
