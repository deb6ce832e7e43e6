import Synchronization

/// A thread-safe home for one ``ShardState``: listeners apply whole datagrams under one lock
/// acquisition, scrapes lock briefly to write.
///
/// Each listener channel is bound to one shard when it starts and parses and applies inline on its
/// event-loop thread: no actor hop, task or queue per line.
package final class AggregationShard: Sendable {
    private let state: Mutex<ShardState>

    package init(settings: AggregationSettings = AggregationSettings(), mapper: CompiledMapper = .empty) {
        self.state = Mutex(ShardState(settings: settings, mapper: mapper))
    }

    /// Applies the lines in `bytes` (a datagram, or complete lines from a stream). `now`: monotonic ns.
    @inline(__always)
    package func apply(lines bytes: UnsafeRawBufferPointer, now: UInt64) {
        self.state.withLock { $0.apply(lines: bytes, now: now) }
    }

    /// Applies JSON feed lines (complete stream lines, or one datagram). `now`: monotonic ns.
    package func applyJSON(lines bytes: UnsafeRawBufferPointer, now: UInt64) {
        self.state.withLock { $0.applyJSON(lines: bytes, now: now) }
    }

    package func countRejectedJSONLine(_ failure: JSONFeedFailure) {
        self.state.withLock { $0.countRejectedJSONLine(failure) }
    }

    package func countRejectedLine(_ failure: ParseFailure) {
        self.state.withLock { $0.countRejectedLine(failure) }
    }

    /// Appends the text exposition of every series to `bytes`, from a ``scrapeCopy()`` (outside the lock).
    package func writeText(into bytes: inout [UInt8], now: UInt64) {
        var copy = self.scrapeCopy()
        copy.writeText(into: &bytes, now: now)
    }

    /// Calls `sink` for every live series (OpenMetrics and protobuf exposition), from a ``scrapeCopy()``.
    package func visit(_ sink: inout some ExpositionSink, now: UInt64) {
        var copy = self.scrapeCopy()
        copy.visit(&sink, now: now)
    }

    /// A consistent copy of the state for one scrape, so that writing 100 000 series does not hold the lock.
    ///
    /// Sort orders are refreshed under the lock (cheap unless series were added), then the copy itself is
    /// O(1): the value arrays are copy-on-write. Ingest pays for the copy lazily — the first update of each
    /// array (and of each histogram's or summary's own buffers) while the scrape still holds the copy copies
    /// it once — instead of waiting for the whole exposition to be written.
    /// Scrapes write series and self-metric counts from one copy, so both describe the same instant.
    package func scrapeCopy() -> ShardState {
        self.state.withLock { state in
            state.sortForExposition()
            return state
        }
    }

    /// Sets wall-clock minus monotonic seconds, used to timestamp new series (`_created`) and exemplars.
    package func setWallClockOffset(seconds: Double) {
        self.state.withLock { $0.wallClockOffsetSeconds = seconds }
    }

    /// Turns recording of rejected-line examples on or off (on only when debug logging is).
    package func setRecordsRejectedExamples(_ enabled: Bool) {
        self.state.withLock { $0.rejected.enabled = enabled }
    }

    /// The rejected-line examples recorded since the last call.
    package func takeRejectedExamples() -> [RejectedExamples.Example] {
        self.state.withLock { $0.rejected.take() }
    }

    package func replaceMapper(_ mapper: CompiledMapper) {
        self.state.withLock { $0.replaceMapper(mapper) }
    }

    @discardableResult
    package func expire(now: UInt64) -> Int {
        self.state.withLock { $0.expire(now: now) }
    }

    /// A copy of the self-observation counts and series counts.
    package func snapshot() -> (counts: IngestCounts, seriesByKind: [StorageKind: Int]) {
        self.state.withLock { ($0.counts, $0.seriesCountByKind) }
    }

    /// The route decision ingest would carry out now for this name, labels and type (for the explainer;
    /// read-only, under the lock).
    package func decide(tags: StatsDTagParser.Resolved, request: RouteRequest) -> RouteDecision {
        self.state.withLock { $0.decide(tags: tags, request: request) }
    }

    /// A copy of the unmapped names recorded so far.
    package func unmappedNames() -> UnmappedNames {
        self.state.withLock { $0.unmappedNames }
    }

    /// Runs `body` with exclusive access (tests and tools).
    package func withState<R>(_ body: (inout ShardState) -> R) -> R {
        self.state.withLock { body(&$0) }
    }
}
