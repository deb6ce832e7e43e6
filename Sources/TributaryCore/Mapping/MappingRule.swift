/// `match_type` of a mapping rule.
package enum MatchType: String, Sendable, Hashable, Codable {
    case glob
    case regex
}

/// One validated rule of the mapping file, with every default already applied.
package struct MappingRule: Sendable {
    /// Zero-based position in `mappings`.
    package let index: Int
    /// The `match` text as written.
    package let match: String
    package let matchType: MatchType
    /// Only samples of this class match; nil matches all.
    package let matchMetricType: MatchMetricType?
    package let action: MappingOutcome.Action
    /// The `name` template; nil only for a `drop` rule without a name.
    package let name: MappingTemplate?
    /// Label name → value template, in the order written.
    package let labels: [(name: String, value: MappingTemplate)]
    package let help: String?
    package let honorLabels: Bool
    package let observerType: ObserverType
    package let histogramOptions: HistogramOptions
    package let summaryOptions: SummaryOptions
    /// 0 = never expires.
    package let ttlSeconds: Double
    package let scale: Double
    /// The compiled glob (for `glob` rules; used by `explain`, matching goes through `GlobTrie`).
    package let glob: GlobPattern?
    /// The compiled regex (for `regex` rules).
    package let regex: CompiledRegex?
    /// `tributary_max_series_per_metric`: this rule's override of `--limits.max-series-per-metric` (0 = unlimited).
    package var maxSeriesPerMetric: Int? = nil
    /// `tributary_drop_labels` / `tributary_keep_labels` of the defaults and this rule, combined.
    package var labelFilter: LabelFilter = .none

    /// The outcome of this rule for a name whose groups `capture` returns.
    func outcome(_ capture: (MappingTemplate.Segment) -> Substring?) -> MappingOutcome {
        let expandedName = self.name?.expand(capture) ?? ""
        var action = self.action
        // statsd_exporter drops a sample whose rule expands to an empty metric name.
        if action == .map && expandedName.isEmpty { action = .drop }
        // The labels array is the outcome's one allocation (an index loop: iterators allocate in debug builds).
        var labels: [(name: String, value: String)] = []
        if !self.labels.isEmpty {
            labels.reserveCapacity(self.labels.count)
            var i = 0
            while i < self.labels.count {
                labels.append((self.labels[i].name, self.labels[i].value.expand(capture)))
                i += 1
            }
        }
        var outcome = MappingOutcome(
            action: action,
            name: MetricNameEscaping.escape(expandedName),
            labels: labels,
            honorLabels: self.honorLabels,
            observerType: self.observerType,
            histogramOptions: self.histogramOptions,
            summaryOptions: self.summaryOptions,
            ttlSeconds: self.ttlSeconds,
            help: self.help,
            scale: self.scale,
            ruleIndex: self.index
        )
        outcome.maxSeriesPerMetric = self.maxSeriesPerMetric
        outcome.labelFilter = self.labelFilter
        return outcome
    }

    /// True when this rule applies to samples of `type` (its `match_metric_type` is unset or equal).
    func accepts(_ type: StatsDType) -> Bool {
        self.matchMetricType.map { $0 == type.matchClass } ?? true
    }
}

/// A regex `match`, compiled once with semantics close to Go's RE2: ASCII `\w`, `\d`, `\s`, Unicode scalars
/// (not grapheme clusters), unanchored search (statsd_exporter does not add `^`/`$`; write them yourself).
///
/// `Regex` is not `Sendable`; this box is `@unchecked Sendable` because the regex is immutable after `init`
/// and Swift's regex program is safe to match from several threads.
package final class CompiledRegex: @unchecked Sendable {
    package let pattern: String
    /// Number of capture groups (Go's `NumSubexp`), numbered from 1.
    package let groupCount: Int
    /// Names of `(?P<name>…)` / `(?<name>…)` groups.
    package let groupNames: Set<String>
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; throws the regex parser's error for an invalid pattern.
    package init(_ pattern: String) throws {
        let regex = try Regex(pattern)
        self.regex = regex.asciiOnlyWordCharacters().asciiOnlyDigits().asciiOnlyWhitespace()
            .matchingSemantics(.unicodeScalar)
        // Build the matching program now, before the regex is shared between threads.
        _ = try? self.regex.firstMatch(in: "")
        self.pattern = pattern
        let groups = GoRegexGroups(pattern)
        self.groupCount = groups.count
        self.groupNames = groups.names
    }

    /// The first match in `name`, as a capture lookup for `MappingTemplate.expand`; nil when it does not match.
    package func match(_ name: String) -> ((MappingTemplate.Segment) -> Substring?)? {
        guard let match = try? self.regex.firstMatch(in: name) else { return nil }
        let output = match.output
        return { segment in
            switch segment {
            case .group(let number): number < output.count ? output[number].substring : nil
            case .namedGroup(let groupName): output[groupName]?.substring
            case .literal: nil
            }
        }
    }
}

/// Counts the capture groups of a Go (RE2) regex pattern and collects their names, without compiling it.
struct GoRegexGroups {
    var count = 0
    var names: Set<String> = []

    init(_ pattern: String) {
        let s = Array(pattern.unicodeScalars)
        var i = 0
        var inClass = false
        while i < s.count {
            let c = s[i]
            if c == "\\" {
                if i + 1 < s.count, s[i + 1] == "Q" {
                    // \Q…\E is literal text.
                    i += 2
                    while i < s.count, !(s[i] == "\\" && i + 1 < s.count && s[i + 1] == "E") { i += 1 }
                    i += 2
                    continue
                }
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            if c == "[" {
                inClass = true
                i += 1
                // A `]` right after `[` or `[^` is literal.
                if i < s.count, s[i] == "^" { i += 1 }
                if i < s.count, s[i] == "]" { i += 1 }
                continue
            }
            if c == "(" {
                if i + 1 < s.count, s[i + 1] == "?" {
                    var j = i + 2
                    if j < s.count, s[j] == "P" { j += 1 }
                    if j < s.count, s[j] == "<", j + 1 < s.count, s[j + 1] != "=", s[j + 1] != "!" {
                        var name = ""
                        j += 1
                        while j < s.count, s[j] != ">" {
                            name.unicodeScalars.append(s[j])
                            j += 1
                        }
                        self.count += 1
                        self.names.insert(name)
                    }
                } else {
                    self.count += 1
                }
            }
            i += 1
        }
    }
}
