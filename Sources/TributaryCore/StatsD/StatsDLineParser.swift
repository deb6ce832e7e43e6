#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses StatsD lines from raw bytes, as statsd_exporter's `pkg/line` does, without allocating.
///
/// The parser splits a line into its name section, DogStatsD tags and samples. It does not
/// resolve tags into labels (that happens once per new series, in ``StatsDTagParser``) and it
/// neither logs nor counts: failures are reported to the caller by reason.
///
/// Accepted forms: `name:value|type[|@rate][|#k:v,…][|c:container][|e:env][|card:cardinality][|Tunix]` (the
/// fields after the type in any order), Etsy multi-value
/// `name:1|c:2|ms`, DogStatsD extended aggregation `name:1:2:3|ms|#k:v`, and the InfluxDB
/// (`name,k=v:…`), Librato (`name#k=v:…`) and SignalFX (`name[k=v]:…`) tag forms.
package struct StatsDLineParser: Sendable {
    package var dialects: TagDialects

    package init(dialects: TagDialects = .all) {
        self.dialects = dialects
    }

    /// Splits a datagram or stream chunk into lines (`\n`, an optional `\r` before it is dropped)
    /// and calls `body` with each non-empty line.
    @inline(__always)
    package static func forEachLine(
        in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        let count = bytes.count
        while start < count {
            // memchr scans a word or a vector at a time; datagrams hold ~30 lines of ~50 bytes.
            let end = memchr(base + start, Int32(UInt8(ascii: "\n")), count - start).map { UnsafeRawPointer($0) - base } ?? count
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd > start {
                try body(UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd]))
            }
            start = end + 1
        }
    }

    /// Classifies a line before sample parsing: DogStatsD events and service checks are not metrics.
    @inline(__always)
    package static func kind(of line: UnsafeRawBufferPointer) -> StatsDLineKind {
        if line.isEmpty { return .empty }
        if line.count >= 3 && line[0] == UInt8(ascii: "_") {
            if line[1] == UInt8(ascii: "e") && line[2] == UInt8(ascii: "{") { return .dogStatsDEvent }
            if line.count >= 4 && line[1] == UInt8(ascii: "s") && line[2] == UInt8(ascii: "c")
                && line[3] == UInt8(ascii: "|")
            {
                return .dogStatsDServiceCheck
            }
        }
        return .metric
    }

    /// Parses one metric line; calls `onSample` with each good sample and the line's layout, and
    /// `onFailure` for each rejected sample (a line-level failure rejects the whole line once).
    package func parse(
        line: UnsafeRawBufferPointer,
        onSample: (StatsDSample, StatsDLineLayout) -> Void,
        onFailure: (ParseFailure) -> Void
    ) {
        let count = line.count
        let colon = Self.firstIndex(of: UInt8(ascii: ":"), in: line, from: 0, to: count)
        if colon == 0 || colon >= count {
            onFailure(.malformedLine)
            return
        }
        var layout = StatsDLineLayout()
        layout.nameSectionStart = 0
        layout.nameSectionEnd = colon
        let rest = colon + 1

        // One pass over the value section: the first `|` (end of the first component), whether that component
        // holds several values (`:`), and the first DogStatsD field (`|#tags`, `|c:id`, `|e:env`, `|card:…`), which
        // turns Etsy multi-value off for the line.
        var firstPipe = count
        var valuesHaveColon = false
        var dogTagsAt = -1
        var colonSincePipe = false
        var index = rest
        while index < count {
            let byte = line[index]
            if byte == UInt8(ascii: "|") {
                if firstPipe == count { firstPipe = index }
                if index + 1 < count, Self.startsDogStatsDField(line, at: index + 1, afterType: index != firstPipe && !colonSincePipe) {
                    dogTagsAt = index
                    break
                }
                colonSincePipe = false
            } else if byte == UInt8(ascii: ":") {
                if firstPipe == count { valuesHaveColon = true }
                colonSincePipe = true
            }
            index += 1
        }

        if valuesHaveColon {
            // DogStatsD extended aggregation: `v1:v2:v3|type|rest…`, all values share the suffix.
            guard firstPipe < count else {
                onFailure(.malformedComponent)
                return
            }
            let suffixStart = firstPipe + 1
            var typeEnd = suffixStart
            while typeEnd < count && line[typeEnd] != UInt8(ascii: "|") { typeEnd += 1 }
            let type = Self.parseType(UnsafeRawBufferPointer(rebasing: line[suffixStart..<typeEnd]))
            guard type == .timer || type == .histogram || type == .distribution else {
                onFailure(.invalidExtendedAggregateType)
                return
            }
            var valueStart = rest
            while valueStart <= firstPipe {
                var valueEnd = valueStart
                while valueEnd < firstPipe && line[valueEnd] != UInt8(ascii: ":") { valueEnd += 1 }
                self.parseSample(
                    line: line, valueStart: valueStart, valueEnd: valueEnd, suffixStart: suffixStart,
                    sampleEnd: count, layout: &layout, onSample: onSample, onFailure: onFailure)
                valueStart = valueEnd + 1
            }
        } else if dogTagsAt >= 0 {
            // With DogStatsD tags, multi-value lines are disabled: the rest is one sample.
            self.parseSample(
                line: line, valueStart: rest, valueEnd: firstPipe, suffixStart: firstPipe + 1, sampleEnd: count,
                layout: &layout, onSample: onSample, onFailure: onFailure)
        } else {
            // Etsy multi-value: `1|c:2|ms@…` — samples separated by `:`.
            var sampleStart = rest
            while sampleStart <= count {
                var sampleEnd = sampleStart
                while sampleEnd < count && line[sampleEnd] != UInt8(ascii: ":") { sampleEnd += 1 }
                var pipe = sampleStart
                while pipe < sampleEnd && line[pipe] != UInt8(ascii: "|") { pipe += 1 }
                self.parseSample(
                    line: line, valueStart: sampleStart, valueEnd: pipe, suffixStart: pipe + 1, sampleEnd: sampleEnd,
                    layout: &layout, onSample: onSample, onFailure: onFailure)
                sampleStart = sampleEnd + 1
            }
        }
    }

    /// Parses `value|type[|component…]` where the value is `line[valueStart..<valueEnd]` and the
    /// components run from `suffixStart` to `sampleEnd`.
    @inline(__always)
    private func parseSample(
        line: UnsafeRawBufferPointer, valueStart: Int, valueEnd: Int, suffixStart: Int, sampleEnd: Int,
        layout: inout StatsDLineLayout, onSample: (StatsDSample, StatsDLineLayout) -> Void, onFailure: (ParseFailure) -> Void
    ) {
        // `value` with no `|type` at all.
        guard suffixStart <= sampleEnd, valueEnd < sampleEnd else {
            onFailure(.malformedComponent)
            return
        }
        var typeEnd = suffixStart
        while typeEnd < sampleEnd && line[typeEnd] != UInt8(ascii: "|") { typeEnd += 1 }
        if typeEnd == suffixStart {
            onFailure(.malformedComponent)
            return
        }
        let valueBytes = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
        let parsedType = Self.parseType(UnsafeRawBufferPointer(rebasing: line[suffixStart..<typeEnd]))
        var sample: StatsDSample
        if parsedType == .set {
            // Set members are arbitrary tokens (user ids, IPs): hashed, not parsed as numbers.
            guard !valueBytes.isEmpty else {
                onFailure(.malformedValue)
                return
            }
            sample = StatsDSample(value: 1, type: .set)
            sample.memberHash = RawKey.hash(valueBytes)
        } else {
            guard let value = NumberParsing.parseDouble(valueBytes) else {
                onFailure(.malformedValue)
                return
            }
            guard let type = parsedType else {
                onFailure(.unknownType)
                return
            }
            sample = StatsDSample(value: value, type: type)
        }
        let type = sample.type
        if type == .gauge, let first = valueBytes.first {
            sample.relative = first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
        }

        // Components after the type.
        var componentStart = typeEnd + 1
        while componentStart <= sampleEnd && typeEnd < sampleEnd {
            let componentEnd = Self.firstIndex(of: UInt8(ascii: "|"), in: line, from: componentStart, to: sampleEnd)
            if componentEnd == componentStart {
                onFailure(.malformedComponent)
                return
            }
            switch line[componentStart] {
            case UInt8(ascii: "@"):
                let rateBytes = UnsafeRawBufferPointer(rebasing: line[(componentStart + 1)..<componentEnd])
                guard let rate = NumberParsing.parseDouble(rateBytes), rate > 0, rate <= 1 else {
                    onFailure(.invalidSampleRate)
                    return
                }
                sample.sampleRate = rate
            case UInt8(ascii: "#"):
                // With the DogStatsD dialect off the tags are ignored, not an error (as statsd_exporter).
                if self.dialects.dogStatsD {
                    layout.hasDogTags = true
                    layout.dogTagsStart = componentStart + 1
                    layout.dogTagsEnd = componentEnd
                    if self.dialects.containerIDLabel { Self.extendKeySpan(&layout, componentStart, componentEnd) }
                }
            case UInt8(ascii: "c"):
                if Self.hasPrefix(line, componentStart, componentEnd, "card:") {
                    // DogStatsD v1.6 cardinality hint for Datadog's agent: accepted, does not change the series.
                    guard componentEnd > componentStart + 5 else {
                        onFailure(.malformedComponent)
                        return
                    }
                    break
                }
                // DogStatsD v1.2 container id, as statsd_exporter 0.29+: `c:<id>`; anything else starting with `c`
                // is a malformed id and drops the sample.
                guard componentEnd > componentStart + 2 && line[componentStart + 1] == UInt8(ascii: ":") else {
                    onFailure(.malformedContainerID)
                    return
                }
                if self.dialects.containerIDLabel {
                    layout.hasContainerID = true
                    layout.containerIDStart = componentStart + 2
                    layout.containerIDEnd = componentEnd
                    Self.extendKeySpan(&layout, componentStart, componentEnd)
                }
            case UInt8(ascii: "e") where componentEnd > componentStart + 1 && line[componentStart + 1] == UInt8(ascii: ":"):
                // DogStatsD v1.5 external environment (origin detection for Datadog's agent): accepted, does not
                // change the series.
                guard componentEnd > componentStart + 2 else {
                    onFailure(.malformedComponent)
                    return
                }
            case UInt8(ascii: "T"):
                // DogStatsD v1.3 timestamp: accepted; Prometheus takes the scrape time, as for every sample.
                let digits = UnsafeRawBufferPointer(rebasing: line[(componentStart + 1)..<componentEnd])
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    onFailure(.unknownComponent)
                    return
                }
            default:
                onFailure(.unknownComponent)
                return
            }
            componentStart = componentEnd + 1
        }
        onSample(sample, layout)
    }

    /// Whether the component at `start` is a DogStatsD field that only follows the type: `#tags`, `e:…`, `card:…`,
    /// or — when `afterType` (not the first `|` of the line, and no `:` since the previous one, so not an Etsy
    /// `1|c:2|ms` type) — `c:<id>`.
    @inline(__always)
    private static func startsDogStatsDField(_ line: UnsafeRawBufferPointer, at start: Int, afterType: Bool) -> Bool {
        let count = line.count
        switch line[start] {
        case UInt8(ascii: "#"): return true
        case UInt8(ascii: "e"): return start + 1 < count && line[start + 1] == UInt8(ascii: ":")
        case UInt8(ascii: "c"):
            if start + 1 < count && line[start + 1] == UInt8(ascii: ":") { return afterType }
            return Self.hasPrefix(line, start, count, "card:")
        default: return false
        }
    }

    /// The index of the first `byte` in `line[start..<end]`, or `end`. `memchr` reads a vector at a time: a tags
    /// component is tens of bytes.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        guard start < end, let base = line.baseAddress else { return end }
        guard let found = memchr(base + start, Int32(byte), end - start) else { return end }
        return UnsafeRawPointer(found) - base
    }

    /// Whether `line[start..<end]` starts with the ASCII `prefix`.
    @inline(__always)
    private static func hasPrefix(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard end - start >= length else { return false }
        let bytes = prefix.utf8Start
        for offset in 0..<length where line[start + offset] != bytes[offset] { return false }
        return true
    }

    /// Widens the route-cache key span to cover `line[start..<end]` (a `#tags` or `c:<id>` component).
    @inline(__always)
    private static func extendKeySpan(_ layout: inout StatsDLineLayout, _ start: Int, _ end: Int) {
        if layout.keySpanEnd == 0 {
            layout.keySpanStart = start
            layout.keySpanEnd = end
        } else {
            layout.keySpanStart = min(layout.keySpanStart, start)
            layout.keySpanEnd = max(layout.keySpanEnd, end)
        }
    }

}
