/// A byte-level scanner for JSON feed lines: one object, or an array of objects (a batch).
///
/// Scans the line once without building a dictionary or any `String`: fields become byte ranges
/// (``JSONFeedSample``), numbers are parsed in place, values go into a reused ``JSONFeedScratch``.
/// Syntax is checked fully (RFC 8259 strings, numbers, literals, nesting up to ``maxDepth``); within a
/// well-formed batch a semantically bad object is reported and the next one is parsed.
package enum JSONFeedParser {
    /// Deepest nesting accepted (objects and arrays), counting the batch array.
    package static let maxDepth = 16

    /// Calls `body` for every object of `line` with the parsed sample or the reason it was rejected.
    ///
    /// `scratch` holds the sample's values while `body` runs. An unparseable batch reports one
    /// `.invalidJSON` (or `.tooDeep`) for its remaining objects, since their boundaries are unknown.
    package static func forEachObject(
        in line: UnsafeRawBufferPointer, scratch: inout JSONFeedScratch,
        _ body: (Result<JSONFeedSample, JSONFeedFailure>, JSONFeedScratch) -> Void
    ) {
        var index = 0
        Scanner.skipWhitespace(line, &index)
        guard index < line.count else { return }
        if line[index] == UInt8(ascii: "{") {
            let result = self.parseObject(line, at: &index, scratch: &scratch, depth: 1)
            if case .success = result {
                Scanner.skipWhitespace(line, &index)
                if index != line.count {
                    body(.failure(.invalidJSON), scratch)
                    return
                }
            }
            body(result, scratch)
            return
        }
        guard line[index] == UInt8(ascii: "[") else {
            body(.failure(.invalidJSON), scratch)
            return
        }
        index += 1
        Scanner.skipWhitespace(line, &index)
        if index < line.count && line[index] == UInt8(ascii: "]") {
            index += 1
            Scanner.skipWhitespace(line, &index)
            if index != line.count { body(.failure(.invalidJSON), scratch) }
            return
        }
        while true {
            guard index < line.count, line[index] == UInt8(ascii: "{") else {
                body(.failure(.invalidJSON), scratch)
                return
            }
            let result = self.parseObject(line, at: &index, scratch: &scratch, depth: 2)
            if case .failure(let failure) = result, failure.isSyntactic {
                body(result, scratch)
                return
            }
            Scanner.skipWhitespace(line, &index)
            guard index < line.count else {
                body(.failure(.invalidJSON), scratch)
                return
            }
            let delimiter = line[index]
            index += 1
            Scanner.skipWhitespace(line, &index)
            if delimiter == UInt8(ascii: "]") {
                if index != line.count { body(.failure(.invalidJSON), scratch); return }
                body(result, scratch)
                return
            }
            guard delimiter == UInt8(ascii: ",") else {
                body(.failure(.invalidJSON), scratch)
                return
            }
            body(result, scratch)
        }
    }

    /// The fields of the format.
    private enum Field {
        case name, type, value, op, sampleRate, labels, help, unit, buckets, timestamp, exemplar, unknown
    }

    @inline(__always)
    private static func field(_ p: UnsafeRawBufferPointer, _ key: Range<Int>) -> Field {
        if Scanner.contains(p, key, UInt8(ascii: "\\")) {
            // Rare: an escaped key; decode it and compare the text.
            guard let text = self.decodeString(p, key) else { return .unknown }
            return text.utf8.withContiguousStorageIfAvailable { self.field(UnsafeRawBufferPointer($0), 0..<$0.count) }
                ?? .unknown
        }
        switch key.count {
        case 2: return Scanner.equals(p, key, "op") ? .op : .unknown
        case 4:
            if Scanner.equals(p, key, "name") { return .name }
            if Scanner.equals(p, key, "type") { return .type }
            if Scanner.equals(p, key, "help") { return .help }
            if Scanner.equals(p, key, "unit") { return .unit }
            return .unknown
        case 5: return Scanner.equals(p, key, "value") ? .value : .unknown
        case 6: return Scanner.equals(p, key, "labels") ? .labels : .unknown
        case 7: return Scanner.equals(p, key, "buckets") ? .buckets : .unknown
        case 8: return Scanner.equals(p, key, "exemplar") ? .exemplar : .unknown
        case 9: return Scanner.equals(p, key, "timestamp") ? .timestamp : .unknown
        case 11: return Scanner.equals(p, key, "sample_rate") ? .sampleRate : .unknown
        default: return .unknown
        }
    }

    @inline(__always)
    private static func type(_ p: UnsafeRawBufferPointer, _ text: Range<Int>) -> JSONFeedType? {
        switch text.count {
        case 3:
            if Scanner.equals(p, text, "set") { return .set }
        case 5:
            if Scanner.equals(p, text, "gauge") { return .gauge }
            if Scanner.equals(p, text, "timer") { return .timer }
        case 7:
            if Scanner.equals(p, text, "counter") { return .counter }
            if Scanner.equals(p, text, "summary") { return .summary }
        case 9:
            if Scanner.equals(p, text, "histogram") { return .histogram }
        default: break
        }
        return nil
    }

    /// Parses the object starting at `index` (on its `{`) and leaves `index` after its `}`.
    ///
    /// A syntax error returns at once; a semantic error is remembered and the object scanned to its end,
    /// so that a batch can continue.
    static func parseObject(
        _ p: UnsafeRawBufferPointer, at index: inout Int, scratch: inout JSONFeedScratch, depth: Int
    ) -> Result<JSONFeedSample, JSONFeedFailure> {
        if depth > self.maxDepth { return .failure(.tooDeep) }
        let n = p.count
        index += 1
        var problem: JSONFeedFailure?
        var name: Range<Int>?
        var type: JSONFeedType?
        var sawType = false
        var value: Range<Int>?
        var sample = JSONFeedSample(type: .counter, name: 0..<0)
        var sawOp = false

        Scanner.skipWhitespace(p, &index)
        if index < n && p[index] == UInt8(ascii: "}") {
            index += 1
            return .failure(.missingName)
        }
        while true {
            guard index < n, p[index] == UInt8(ascii: "\"") else { return .failure(.invalidJSON) }
            guard let key = Scanner.string(p, &index) else { return .failure(.invalidJSON) }
            Scanner.skipWhitespace(p, &index)
            guard index < n, p[index] == UInt8(ascii: ":") else { return .failure(.invalidJSON) }
            index += 1
            Scanner.skipWhitespace(p, &index)
            guard index < n else { return .failure(.invalidJSON) }
            let start = index
            let isString = p[index] == UInt8(ascii: "\"")
            let field = self.field(p, key)
            switch field {
            case .name, .help, .unit, .op, .type:
                guard isString else {
                    if let failure = Scanner.skipValue(p, &index, depth: depth) { return .failure(failure) }
                    let reason: JSONFeedFailure =
                        switch field {
                        case .name: .badName
                        case .type: .unknownType
                        default: .badField
                        }
                    problem = problem ?? reason
                    break
                }
                guard let text = Scanner.string(p, &index) else { return .failure(.invalidJSON) }
                switch field {
                case .name: name = text
                case .help: sample.help = text
                case .unit: sample.unit = text
                case .type:
                    sawType = true
                    type = self.type(p, text)
                    if type == nil { problem = problem ?? .unknownType }
                default:
                    sawOp = true
                    if Scanner.equals(p, text, "add") {
                        sample.gaugeAdd = true
                    } else if Scanner.equals(p, text, "set") {
                        sample.gaugeAdd = false
                    } else {
                        problem = problem ?? .badField
                    }
                }
            case .value:
                if let failure = Scanner.skipValue(p, &index, depth: depth) { return .failure(failure) }
                value = start..<index
            case .sampleRate, .timestamp:
                guard let number = Scanner.number(p, &index) else {
                    if let failure = Scanner.skipValue(p, &index, depth: depth) { return .failure(failure) }
                    problem = problem ?? (field == .sampleRate ? .badSampleRate : .badField)
                    break
                }
                if field == .sampleRate {
                    if !(number > 0 && number <= 1) { problem = problem ?? .badSampleRate }
                    sample.sampleRate = number
                } else {
                    sample.timestampMilliseconds = number
                }
            case .labels:
                switch Scanner.labels(p, &index, depth: depth) {
                case .failure(let failure):
                    if failure.isSyntactic { return .failure(failure) }
                    problem = problem ?? failure
                case .success:
                    sample.labels = start..<index
                }
            case .buckets:
                switch Scanner.buckets(p, &index, depth: depth) {
                case .failure(let failure):
                    if failure.isSyntactic { return .failure(failure) }
                    problem = problem ?? failure
                case .success:
                    sample.buckets = start..<index
                }
            case .exemplar:
                switch Scanner.exemplar(p, &index, depth: depth) {
                case .failure(let failure):
                    if failure.isSyntactic { return .failure(failure) }
                    problem = problem ?? failure
                case .success(let ids):
                    sample.exemplarTraceID = ids.traceID
                    sample.exemplarSpanID = ids.spanID
                }
            case .unknown:
                if let failure = Scanner.skipValue(p, &index, depth: depth) { return .failure(failure) }
                problem = problem ?? .unknownField
            }
            Scanner.skipWhitespace(p, &index)
            guard index < n else { return .failure(.invalidJSON) }
            if p[index] == UInt8(ascii: ",") {
                index += 1
                Scanner.skipWhitespace(p, &index)
                continue
            }
            guard p[index] == UInt8(ascii: "}") else { return .failure(.invalidJSON) }
            index += 1
            break
        }

        if let problem { return .failure(problem) }
        guard let name else { return .failure(.missingName) }
        if name.isEmpty { return .failure(.badName) }
        guard sawType else { return .failure(.missingType) }
        guard let type else { return .failure(.unknownType) }
        guard let value else { return .failure(.missingValue) }
        sample.name = name
        sample.type = type
        if sawOp && type != .gauge { return .failure(.badField) }
        if sample.buckets != nil && type != .histogram && type != .timer { return .failure(.badBuckets) }
        if let failure = self.readValues(p, value, type: type, into: &scratch) { return .failure(failure) }
        return .success(sample)
    }

    /// Reads the (already syntax-checked) `value` into `scratch` according to the type.
    private static func readValues(
        _ p: UnsafeRawBufferPointer, _ range: Range<Int>, type: JSONFeedType, into scratch: inout JSONFeedScratch
    ) -> JSONFeedFailure? {
        scratch.values.removeAll(keepingCapacity: true)
        scratch.members.removeAll(keepingCapacity: true)
        var index = range.lowerBound
        let isArray = p[index] == UInt8(ascii: "[")
        if isArray {
            index += 1
            Scanner.skipWhitespace(p, &index)
            if p[index] == UInt8(ascii: "]") { return .badValue }
        }
        while true {
            if type == .set {
                let start = index
                if p[index] == UInt8(ascii: "\"") {
                    guard let text = Scanner.string(p, &index) else { return .badValue }
                    scratch.members.append(RawKey.hash(UnsafeRawBufferPointer(rebasing: p[text])))
                } else {
                    guard Scanner.number(p, &index) != nil else { return .badValue }
                    scratch.members.append(RawKey.hash(UnsafeRawBufferPointer(rebasing: p[start..<index])))
                }
            } else {
                guard let number = Scanner.number(p, &index), number.isFinite else { return .badValue }
                if type == .counter && number < 0 { return .negativeCounter }
                scratch.values.append(number)
            }
            if !isArray { return nil }
            Scanner.skipWhitespace(p, &index)
            if p[index] == UInt8(ascii: "]") { return nil }
            index += 1  // the ',' (syntax already checked)
            Scanner.skipWhitespace(p, &index)
        }
    }
}
