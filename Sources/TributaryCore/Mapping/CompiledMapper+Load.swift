extension CompiledMapper {
    /// Parses and validates a statsd_exporter mapping file (its text; the caller reads the file).
    ///
    /// Pure: no I/O. Rejects unknown keys, invalid names, label names, globs, regexes, templates that refer to
    /// missing capture groups, unsorted buckets and out-of-range quantiles, with a `MappingConfigError` naming
    /// the rule (index and `match`) or `defaults` and the key. An empty document gives a mapper without rules.
    package static func load(yaml: String) throws(MappingConfigError) -> CompiledMapper {
        let root: YAMLNode?
        do {
            root = try YAMLReader.parse(yaml)
        } catch {
            throw .invalidYAML(error.description)
        }
        var mapper = try Self.compile(MappingConfigFile(root))
        mapper.sourceHash = SnapshotHash.hash(yaml)
        return mapper
    }

    /// Validates the decoded file and builds the mapper.
    static func compile(_ file: MappingConfigFile) throws(MappingConfigError) -> CompiledMapper {
        let raw = file.defaults
        let defaults = ConfigLocation.defaults
        let histogram = try Self.histogramOptions(
            raw.histogramOptions, legacyBuckets: raw.legacyBuckets, inheriting: .statsdExporterDefault, at: defaults)
        let summary = try Self.summaryOptions(
            raw.summaryOptions, legacyQuantiles: raw.legacyQuantiles, inheriting: .statsdExporterDefault, at: defaults)
        let observerType = raw.observerType ?? .summary
        let ttl = raw.ttlSeconds ?? 0
        let matchType = raw.matchType ?? .glob
        let labelFilter = try LabelFilter.validated(drop: raw.dropLabels, keep: raw.keepLabels, at: defaults)

        var rules: [MappingRule] = []
        rules.reserveCapacity(file.rules.count)
        for rawRule in file.rules {
            rules.append(
                try Self.rule(
                    rawRule, defaultMatchType: matchType, observerType: observerType, histogram: histogram,
                    summary: summary, ttlSeconds: ttl, labelFilter: labelFilter))
        }
        var mapper = CompiledMapper(
            defaultObserverType: observerType, defaultHistogramOptions: histogram, defaultSummaryOptions: summary,
            defaultTTLSeconds: ttl, globOrderingDisabled: raw.globDisableOrdering, rules: rules)
        mapper.defaultLabelFilter = labelFilter
        return mapper
    }

    // swift-format-ignore: ParameterCount
    private static func rule(
        _ raw: RawRule, defaultMatchType: MatchType, observerType defaultObserver: ObserverType,
        histogram defaultHistogram: HistogramOptions, summary defaultSummary: SummaryOptions,
        ttlSeconds defaultTTL: Double, labelFilter defaultFilter: LabelFilter
    ) throws(MappingConfigError) -> MappingRule {
        let match = raw.match ?? ""
        let location = ConfigLocation.rule(index: raw.index, match: match)
        func fail(_ key: String, _ reason: String) -> MappingConfigError { location.error(key: key, reason: reason) }

        guard !match.isEmpty else { throw fail("match", "missing or empty") }
        let action = raw.action ?? .map
        let matchType = raw.matchType ?? defaultMatchType

        // Pattern and the capture groups it offers to templates.
        var glob: GlobPattern?
        var regex: CompiledRegex?
        switch matchType {
        case .glob:
            guard let pattern = GlobPattern(match) else {
                throw fail("match", "invalid glob: components separated by '.' must not be empty")
            }
            glob = pattern
        case .regex:
            do {
                regex = try CompiledRegex(match)
            } catch {
                throw fail("match", "invalid regex: \(error)")
            }
        }
        func checkReferences(_ template: MappingTemplate, key: String) throws(MappingConfigError) {
            for segment in template.segments {
                switch segment {
                case .literal:
                    continue
                case .group(let number):
                    if let glob, number < 1 || number > glob.captureCount {
                        throw fail(
                            key,
                            "template \"\(template.source)\" refers to $\(number), but the glob has \(glob.captureCount) '*' capture(s)"
                        )
                    }
                    if let regex, number > regex.groupCount {
                        throw fail(
                            key,
                            "template \"\(template.source)\" refers to $\(number), but the regex has \(regex.groupCount) group(s)"
                        )
                    }
                case .namedGroup(let name):
                    if let regex, regex.groupNames.contains(name) { continue }
                    let hint = name.first?.isNumber == true ? " (write ${N} to put text right after group N)" : ""
                    throw fail(
                        key,
                        "template \"\(template.source)\" refers to a group named \"\(name)\" that the match does not define\(hint)"
                    )
                }
            }
        }

        // Name.
        var name: MappingTemplate?
        if let text = raw.name, !text.isEmpty {
            let template = MappingTemplate(text)
            if !MetricNameEscaping.isValidLabelName(template.withPlaceholders("a")) {
                throw fail(
                    "name",
                    "invalid metric name \"\(text)\" (letters, digits and '_' plus $n references; not starting with a digit)"
                )
            }
            try checkReferences(template, key: "name")
            name = template
        } else if action == .map {
            throw fail("name", "missing; a rule needs a metric name unless its action is drop")
        }

        // Labels.
        var labels: [(name: String, value: MappingTemplate)] = []
        var seen: Set<String> = []
        for (labelName, value) in raw.labels {
            guard MetricNameEscaping.isValidLabelName(labelName) else {
                throw fail("labels.\(labelName)", "invalid label name \"\(labelName)\"")
            }
            guard seen.insert(labelName).inserted else { throw fail("labels.\(labelName)", "duplicate label name") }
            let template = MappingTemplate(value)
            try checkReferences(template, key: "labels.\(labelName)")
            labels.append((labelName, template))
        }

        // Observer options. statsd_exporter rejects options of the other observer type; we do so when the rule
        // names its observer type itself (an inherited type leaves both blocks harmlessly carried).
        let observerType = raw.observerType ?? defaultObserver
        if raw.observerType == .histogram, raw.summaryOptions != nil {
            throw fail("summary_options", "cannot be used with observer_type histogram")
        }
        if raw.observerType == .summary, raw.histogramOptions != nil {
            throw fail("histogram_options", "cannot be used with observer_type summary")
        }
        let histogram = try Self.histogramOptions(
            raw.histogramOptions, legacyBuckets: raw.legacyBuckets, inheriting: defaultHistogram, at: location)
        let summary = try Self.summaryOptions(
            raw.summaryOptions, legacyQuantiles: raw.legacyQuantiles, inheriting: defaultSummary, at: location)

        let scale = raw.scale ?? 1
        guard scale.isFinite else { throw fail("scale", "must be a finite number") }
        let ownFilter = try LabelFilter.validated(drop: raw.dropLabels, keep: raw.keepLabels, at: location)

        return MappingRule(
            index: raw.index, match: match, matchType: matchType, matchMetricType: raw.matchMetricType,
            action: action, name: name, labels: labels, help: raw.help.flatMap { $0.isEmpty ? nil : $0 },
            honorLabels: raw.honorLabels, observerType: observerType, histogramOptions: histogram,
            summaryOptions: summary,
            // As in statsd_exporter, `ttl: 0` on a rule means "not set": the default TTL applies.
            ttlSeconds: (raw.ttlSeconds ?? 0) > 0 ? raw.ttlSeconds! : defaultTTL,
            scale: scale, glob: glob, regex: regex, maxSeriesPerMetric: raw.maxSeriesPerMetric,
            labelFilter: defaultFilter.refined(by: ownFilter))
    }

    /// Resolves `histogram_options` (or deprecated `buckets`) over `inherited`, validating what is set.
    private static func histogramOptions(
        _ raw: RawHistogramOptions?, legacyBuckets: [Double]?, inheriting inherited: HistogramOptions,
        at location: ConfigLocation
    ) throws(MappingConfigError) -> HistogramOptions {
        var result = inherited
        let nested = raw?.buckets.flatMap { $0.isEmpty ? nil : $0 }
        let legacy = legacyBuckets.flatMap { $0.isEmpty ? nil : $0 }
        if nested != nil, legacy != nil {
            throw location.error(key: "buckets", reason: "cannot be used together with histogram_options.buckets")
        }
        if let buckets = nested ?? legacy {
            let key = nested != nil ? "histogram_options.buckets" : "buckets"
            for (i, bound) in buckets.enumerated() {
                guard !bound.isNaN else { throw location.error(key: key, reason: "bucket \(i) is not a number") }
                if i > 0, bound <= buckets[i - 1] {
                    throw location.error(
                        key: key, reason: "buckets must be strictly increasing, but \(bound) follows \(buckets[i - 1])")
                }
            }
            result.buckets = buckets
        }
        if let factor = raw?.nativeBucketFactor, factor != 0 {
            guard factor.isFinite, factor > 0 else {
                throw location.error(
                    key: "histogram_options.native_histogram_bucket_factor", reason: "must be a positive number")
            }
            result.nativeBucketFactor = factor
        }
        if let maxBuckets = raw?.nativeMaxBuckets, maxBuckets != 0 { result.nativeMaxBuckets = maxBuckets }
        return result
    }

    /// Resolves `summary_options` (or deprecated `quantiles`) over `inherited`, validating what is set.
    private static func summaryOptions(
        _ raw: RawSummaryOptions?, legacyQuantiles: [SummaryObjective]?, inheriting inherited: SummaryOptions,
        at location: ConfigLocation
    ) throws(MappingConfigError) -> SummaryOptions {
        var result = inherited
        let nested = raw?.quantiles.flatMap { $0.isEmpty ? nil : $0 }
        let legacy = legacyQuantiles.flatMap { $0.isEmpty ? nil : $0 }
        if nested != nil, legacy != nil {
            throw location.error(key: "quantiles", reason: "cannot be used together with summary_options.quantiles")
        }
        if let objectives = nested ?? legacy {
            let key = nested != nil ? "summary_options.quantiles" : "quantiles"
            for (i, objective) in objectives.enumerated() {
                guard objective.quantile > 0, objective.quantile < 1 else {
                    throw location.error(
                        key: "\(key)[\(i)].quantile",
                        reason: "quantile must be between 0 and 1 (exclusive), got \(objective.quantile)")
                }
                guard objective.error > 0, objective.error < 1 else {
                    throw location.error(
                        key: "\(key)[\(i)].error",
                        reason: "error must be between 0 and 1 (exclusive), got \(objective.error)")
                }
            }
            result.objectives = objectives
        }
        if let maxAge = raw?.maxAgeSeconds, maxAge > 0 { result.maxAgeSeconds = maxAge }
        if let ageBuckets = raw?.ageBuckets, ageBuckets > 0 { result.ageBuckets = ageBuckets }
        if let bufferCapacity = raw?.bufferCapacity, bufferCapacity > 0 { result.bufferCapacity = bufferCapacity }
        return result
    }
}
