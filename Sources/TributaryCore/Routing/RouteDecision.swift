/// The verdict on one line shape (name, labels, type), decided once and without side effects: mapping, label
/// limits, the reserved namespace, type conflicts and cardinality budgets, against what a ``SeriesStore`` holds.
///
/// StatsD ingest, the JSON feed and the explainer all call ``decide(tags:request:mapper:limits:defaultHelp:store:)``,
/// so the explainer says exactly what ingest does. Ingest then carries the decision out
/// (``ShardState``: create the family and series, cache the route, count the outcome).
///
/// ```swift
/// let decision = RouteDecision.decide(
///     tags: tags, request: RouteRequest(type: .counter), mapper: mapper, limits: .unlimited,
///     defaultHelp: "…", store: store)
/// if case .accept = decision.verdict { … }
/// ```
package struct RouteDecision: Sendable {
    package enum Verdict: Sendable, Equatable {
        /// A mapping rule's `action: drop`.
        case drop
        /// Rejected for `reason`; nothing is created.
        case rejected(RouteRejection)
        /// Over a cardinality budget with `overflow: drop`.
        case limited
        /// Applied to a series: `existing` when the series is already there, `folded` when it is the metric's
        /// overflow series (`overflow: fold`).
        case accept(existing: Bool, folded: Bool)

        /// `accept`, `drop`, `limited` or the rejection reason: a stable word for the explainer and tests.
        package var label: String {
            switch self {
            case .drop: "drop"
            case .rejected(let reason): reason.rawValue
            case .limited: "limited"
            case .accept(_, let folded): folded ? "folded" : "accept"
            }
        }
    }

    package var verdict: Verdict
    /// The mapping of the name and labels (rule, labels and their sources).
    package var shape: LineShape
    /// The metric name (the family's).
    package var name: String { self.shape.outcome.name }
    /// The series' rendered labels (`k="v",…`; the overflow label when folded).
    package var labelText: String
    /// The family that exists under ``name``, if any (conflicting or not).
    var familyID: Int32?
    /// That family's storage.
    package var existingFamilyStorage: StorageKind?
    /// The family to create when none exists (accepted only).
    var newFamily: Family?
    /// The existing series, when ``verdict`` is `accept(existing: true, …)`.
    var seriesID: Int32?
    var ttlNanos: UInt64
    /// A family that makes the sample a type conflict: its name and storage.
    package var conflictingFamily: (name: String, storage: StorageKind)?

    /// Metric names Tributary keeps for its own self-metrics; input cannot create them.
    package static let reservedPrefix = "tributary_"

    package static func decide(
        tags: StatsDTagParser.Resolved, request: RouteRequest, mapper: CompiledMapper, limits: SeriesLimits,
        defaultHelp: String, store: SeriesStore
    ) -> RouteDecision {
        let shape = LineShape(
            type: request.type, tags: tags, mapper: mapper, storage: request.storage, useMapping: request.useMapping)
        let outcome = shape.outcome
        var decision = RouteDecision(
            verdict: .drop, shape: shape, labelText: renderLabelText(shape.labels),
            ttlNanos: outcome.ttlSeconds > 0 ? UInt64(outcome.ttlSeconds * 1e9) : 0)
        if outcome.action == .drop { return decision }
        if let reason = labelLimitRejection(shape.labels, limits: limits) {
            decision.verdict = .rejected(reason)
            return decision
        }
        let overallReached = limits.maxSeries > 0 && store.liveSeriesCount >= limits.maxSeries
        guard let familyID = store.familyID(named: outcome.name) else {
            // A new metric name beyond the overall budget: there is no family to fold into, so even `fold` drops.
            if overallReached {
                decision.verdict = .limited
            } else if outcome.name.hasPrefix(reservedPrefix) {
                decision.verdict = .rejected(.reservedName)
            } else if let other = store.suffixCollision(name: outcome.name, storage: shape.storage) {
                decision.verdict = .rejected(.typeConflict)
                decision.conflictingFamily = (store.families[Int(other)].name, store.families[Int(other)].storage)
            } else {
                decision.newFamily = newFamily(shape: shape, request: request, defaultHelp: defaultHelp)
                decision.verdict = .accept(existing: false, folded: false)
            }
            return decision
        }
        decision.familyID = familyID
        let family = store.families[Int(familyID)]
        decision.existingFamilyStorage = family.storage
        guard family.storage == shape.storage else {
            decision.verdict = .rejected(.typeConflict)
            decision.conflictingFamily = (family.name, family.storage)
            return decision
        }
        if let existing = store.seriesID(family: familyID, labelText: decision.labelText) {
            decision.seriesID = existing
            decision.verdict = .accept(existing: true, folded: false)
            return decision
        }
        let perMetricLimit = outcome.maxSeriesPerMetric ?? limits.maxSeriesPerMetric
        let perMetricReached = perMetricLimit > 0 && family.series.count >= perMetricLimit
        guard perMetricReached || overallReached else {
            decision.verdict = .accept(existing: false, folded: false)
            return decision
        }
        switch limits.overflow {
        case .drop:
            decision.verdict = .limited
        case .fold:
            decision.labelText = renderLabels([SeriesLimits.overflowLabel])
            decision.seriesID = store.seriesID(family: familyID, labelText: decision.labelText)
            decision.verdict = .accept(existing: decision.seriesID != nil, folded: true)
        }
        return decision
    }

    /// The rejection `labels` earn under `--limits.max-labels` or `--limits.max-label-value-bytes`, if any.
    private static func labelLimitRejection(_ labels: [LineShape.Label], limits: SeriesLimits) -> RouteRejection? {
        if limits.maxLabels > 0 && labels.count > limits.maxLabels { return .tooManyLabels }
        if limits.maxLabelValueBytes > 0 && labels.contains(where: { $0.value.utf8.count > limits.maxLabelValueBytes }) {
            return .labelValueTooLong
        }
        return nil
    }

    /// The family a first accepted sample creates.
    private static func newFamily(shape: LineShape, request: RouteRequest, defaultHelp: String) -> Family {
        let outcome = shape.outcome
        let unmapped = outcome.ruleIndex == nil
        var family = Family(
            name: outcome.name, storage: shape.storage, help: outcome.help ?? request.help ?? defaultHelp,
            bounds: request.buckets ?? outcome.histogramOptions.buckets, summaryOptions: outcome.summaryOptions)
        family.originalName = unmapped && shape.tags.name != outcome.name ? shape.tags.name : nil
        family.unit = request.unit
        family.ruleSeriesBudget = outcome.maxSeriesPerMetric
        family.source = FamilySource(name: shape.tags.name, request: request)
        let factor = outcome.histogramOptions.nativeBucketFactor
        if shape.storage == .histogram && factor > 1 {
            family.nativeSchema = NativeHistogramState.schema(forFactor: factor)
            family.nativeMaxBuckets = max(0, outcome.histogramOptions.nativeMaxBuckets)
        }
        return family
    }

    /// `k="v",k2="v2"` with names sorted and values escaped as the text format requires.
    package static func renderLabels(_ labels: [(name: String, value: String)]) -> String {
        self.renderLabelText(labels.map { LineShape.Label(name: $0.name, value: $0.value, source: .tag) })
    }

    /// `k="v",k2="v2"` for a series' merged labels: once per new series, so it sorts only when the labels are out of
    /// order and writes into one buffer sized up front.
    static func renderLabelText(_ labels: [LineShape.Label]) -> String {
        if labels.isEmpty { return "" }
        var inOrder = true
        var capacity = 0
        for index in labels.indices {
            if index > 0 && labels[index - 1].name > labels[index].name { inOrder = false }
            // name, `="`, the value (escaping may lengthen it), `"` and `,`.
            capacity += labels[index].name.utf8.count + labels[index].value.utf8.count + 4
        }
        let sorted = inOrder ? labels : labels.sorted { $0.name < $1.name }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity + 8)
        for index in sorted.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: sorted[index].name.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "\""))
            TextFormat.appendEscapedLabelValue(sorted[index].value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
