extension LineExplanation {
    /// A readable, multi-line rendering for `tributary explain`.
    ///
    /// ```text
    /// line: web.home.requests:1|c|#env:prod
    ///   sample: c value 1 (sample rate 1)
    ///   name: web.home.requests  tags: env="prod"
    ///   as c: rule 1 "web.*.requests" (glob) matched
    ///     rule 0 "web.*.requests" (glob) skipped: match_metric_type is gauge, this is a counter
    ///     → counter web_requests_total{env="prod",handler="home"}
    /// ```
    package var text: String {
        var out = "line: \(self.line)\n"
        if self.kind != "metric" {
            out += "  \(self.kind.replacingUnderscores): not a metric, counted and ignored\n"
            return out
        }
        if let error {
            out += "  rejected: \(error)\n"
            return out
        }
        for sample in self.samples {
            out += "  sample: " + sample.text + "\n"
        }
        guard let name else { return out }
        out += "  name: \(name)"
        if !self.tags.isEmpty {
            out += "  tags: " + self.tags.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ")
        }
        if self.tagErrors > 0 { out += "  (\(self.tagErrors) invalid tag(s) skipped)" }
        out += "\n"
        if !self.ignored.isEmpty { out += "  ignored: " + self.ignored.map { "|" + $0 }.joined(separator: " ") + "\n" }
        for result in self.results { out += result.text }
        return out
    }
}

extension LineExplanation.Sample {
    var text: String {
        var parts: [String] = []
        if let statsdType { parts.append(statsdType) }
        if let value { parts.append("value \(Self.format(value))" + (self.relative == true ? " (relative)" : "")) }
        if let sampleRate, sampleRate != 1 { parts.append("sample rate \(Self.format(sampleRate))") }
        if let error { parts.append("rejected: \(error)") }
        return parts.joined(separator: " ")
    }

    /// `1` rather than `1.0` for whole numbers.
    static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

extension LineExplanation.Result {
    var text: String {
        let mapping = self.mapping
        var out = "  as \(self.statsdType) (\(mapping.metricClass.rawValue)): "
        if let rule = mapping.matchedRule {
            out += "rule \(rule.index) \"\(rule.match)\" (\(rule.matchType.rawValue)) matched\n"
        } else {
            out += "no rule matched (unmapped: escaped name, tags as labels)\n"
        }
        // Long rule files: list at most `shownMismatches` plain pattern mismatches, every other reason in full.
        let shownMismatches = 8
        var mismatches = 0
        for skipped in mapping.skippedRules {
            if skipped.reason == .patternMismatch {
                mismatches += 1
                if mismatches > shownMismatches { continue }
            }
            out += "    rule \(skipped.rule.index) \"\(skipped.rule.match)\" (\(skipped.rule.matchType.rawValue)) skipped: "
            switch skipped.reason {
            case .patternMismatch: out += "pattern does not match"
            case .metricTypeMismatch:
                out += "match_metric_type is \(skipped.wantedMetricType?.rawValue ?? "?"), "
                    + "this is a \(mapping.metricClass.rawValue)"
            case .lessSpecific: out += "matches, but a more specific glob wins (glob_disable_ordering)"
            }
            out += "\n"
        }
        if mismatches > shownMismatches {
            out += "    … and \(mismatches - shownMismatches) more rule(s) whose pattern does not match\n"
        }
        guard let prometheusType, let series else {
            out += "    → dropped (action: drop)\n"
            return out
        }
        out += "    → \(prometheusType) \(series)\n"
        if !self.labels.isEmpty {
            let labels = self.labels.map { label in
                let source =
                    switch label.source {
                    case .tag: "tag"
                    case .rule: "rule"
                    case .ruleOverTag: "rule, replaced tag"
                    case .tagOverRule: "tag, kept by honor_labels"
                    }
                return "\(label.name)=\"\(label.value)\" (\(source))"
            }
            out += "    labels: " + labels.joined(separator: ", ") + "\n"
        }
        if !self.droppedLabels.isEmpty {
            out += "    dropped by label rules: "
                + self.droppedLabels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "\n"
        }
        if let buckets = mapping.histogramBuckets {
            out += "    buckets: " + buckets.map(LineExplanation.Sample.format).joined(separator: ", ") + ", +Inf\n"
        }
        if let quantiles = mapping.summaryQuantiles {
            out += "    quantiles: " + quantiles.map(LineExplanation.Sample.format).joined(separator: ", ") + "\n"
        }
        if self.valueMultiplier != 1 {
            out += "    values multiplied by \(LineExplanation.Sample.format(self.valueMultiplier))\n"
        }
        out += "    ttl: " + (mapping.ttlSeconds > 0 ? "\(LineExplanation.Sample.format(mapping.ttlSeconds))s" : "none") + "\n"
        if let existing {
            if let conflict = existing.conflict {
                out += "    CONFLICT: \(conflict.family) exists as \(conflict.existingType) (\(conflict.reason.rawValue));"
                    + " samples would be rejected\n"
            } else if existing.seriesExists {
                out += "    updates an existing series\n"
            } else {
                out += "    would create a new series" + (existing.familyType == nil ? " and family\n" : "\n")
            }
        }
        return out
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(self.map { $0 == "_" ? " " : $0 }) }
}
