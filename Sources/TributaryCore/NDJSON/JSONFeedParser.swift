/// A byte-level scanner for JSON feed lines: one object, or an array of objects (a batch).
///
/// Scans the line once without building a dictionary or any `String`: fields become byte ranges
/// (``JSONFeedSample``), numbers are parsed in place, a scalar value stays in the sample and the values of an
/// array go into a reused ``JSONFeedScratch``. The format's field names and types written plainly are recognised
/// by word compares (``knownField(_:_:)``, ``knownType(_:_:)``), anything else by the general path.
/// Syntax is checked fully (RFC 8259 strings, numbers, literals, nesting up to ``maxDepth``); within a
/// well-formed batch a semantically bad object is reported and the next one is parsed.
package enum JSONFeedParser {
    /// Deepest nesting accepted (objects and arrays), counting the batch array.
    package static let maxDepth = 16

    /// Calls `body` for every object of `line` with the parsed sample or the reason it was rejected.
    ///
    /// `scratch` holds the sample's array values while `body` runs. An unparseable batch reports one
    /// `.invalidJSON` (or `.tooDeep`) for its remaining objects, since their boundaries are unknown.
    package static func forEachObject(
        in line: UnsafeRawBufferPointer, scratch: inout JSONFeedScratch,
        _ body: (Result<JSONFeedSample, JSONFeedFailure>, JSONFeedScratch) -> Void
    ) {
        self.scanObjects(in: line, scratch: &scratch) { failure, sample, scratch in
            body(failure.map { .failure($0) } ?? .success(sample), scratch)
        }
    }

    /// ``forEachObject(in:scratch:_:)`` for the hot path: `body` gets nil and the sample, or the failure (and a
    /// sample to ignore), so no `Result` of the sample is built and copied per object. The sample is lent `inout`
    /// (one buffer reused for every object) so that passing it on does not copy its ~200 bytes.
    @inline(__always)
    package static func scanObjects(
        in line: UnsafeRawBufferPointer, scratch: inout JSONFeedScratch,
        _ body: (JSONFeedFailure?, inout JSONFeedSample, JSONFeedScratch) -> Void
    ) {
        var sample = JSONFeedSample(type: .counter, name: 0..<0)
        var index = 0
        Scanner.skipWhitespace(line, &index)
        guard index < line.count else { return }
        if line[index] == UInt8(ascii: "{") {
            let failure = self.parseObject(line, at: &index, into: &sample, scratch: &scratch, depth: 1)
            if failure == nil {
                Scanner.skipWhitespace(line, &index)
                if index != line.count {
                    body(.invalidJSON, &sample, scratch)
                    return
                }
            }
            body(failure, &sample, scratch)
            return
        }
        guard line[index] == UInt8(ascii: "[") else {
            body(.invalidJSON, &sample, scratch)
            return
        }
        index += 1
        Scanner.skipWhitespace(line, &index)
        if index < line.count && line[index] == UInt8(ascii: "]") {
            index += 1
            Scanner.skipWhitespace(line, &index)
            if index != line.count { body(.invalidJSON, &sample, scratch) }
            return
        }
        while true {
            guard index < line.count, line[index] == UInt8(ascii: "{") else {
                body(.invalidJSON, &sample, scratch)
                return
            }
            let failure = self.parseObject(line, at: &index, into: &sample, scratch: &scratch, depth: 2)
            if let failure, failure.isSyntactic {
                body(failure, &sample, scratch)
                return
            }
            Scanner.skipWhitespace(line, &index)
            guard index < line.count else {
                body(.invalidJSON, &sample, scratch)
                return
            }
            let delimiter = line[index]
            index += 1
            Scanner.skipWhitespace(line, &index)
            if delimiter == UInt8(ascii: "]") {
                if index != line.count {
                    body(.invalidJSON, &sample, scratch)
                    return
                }
                body(failure, &sample, scratch)
                return
            }
            guard delimiter == UInt8(ascii: ",") else {
                body(.invalidJSON, &sample, scratch)
                return
            }
            body(failure, &sample, scratch)
        }
    }

    /// Parses the object starting at `index` (on its `{`) into `sample` and leaves `index` after its `}`; nil on
    /// success, else the reason (`sample` is then partly filled and to be ignored).
    ///
    /// A syntax error returns at once; a semantic error is remembered and the object scanned to its end,
    /// so that a batch can continue.
    static func parseObject(
        _ p: UnsafeRawBufferPointer, at index: inout Int, into sample: inout JSONFeedSample,
        scratch: inout JSONFeedScratch, depth: Int
    ) -> JSONFeedFailure? {
        if depth > self.maxDepth { return .tooDeep }
        let n = p.count
        index += 1
        sample = JSONFeedSample(type: .counter, name: 0..<0)
        var problem: JSONFeedFailure?
        var name: Range<Int>?
        var type: JSONFeedType?
        var sawType = false
        var value: Range<Int>?
        /// The value when it is one number, parsed while scanning.
        var number: Double?
        var sawOp = false

        Scanner.skipWhitespace(p, &index)
        if index < n && p[index] == UInt8(ascii: "}") {
            index += 1
            return .missingName
        }
        while true {
            guard index < n, p[index] == UInt8(ascii: "\"") else { return .invalidJSON }
            let field: Field
            if let known = self.knownField(p, &index) {
                field = known
            } else {
                guard let key = Scanner.string(p, &index) else { return .invalidJSON }
                field = self.field(p, key)
            }
            Scanner.skipWhitespace(p, &index)
            guard index < n, p[index] == UInt8(ascii: ":") else { return .invalidJSON }
            index += 1
            Scanner.skipWhitespace(p, &index)
            guard index < n else { return .invalidJSON }
            let start = index
            let isString = p[index] == UInt8(ascii: "\"")
            switch field {
            case .type where isString:
                sawType = true
                if let known = self.knownType(p, &index) {
                    type = known
                } else {
                    guard let text = Scanner.string(p, &index) else { return .invalidJSON }
                    type = self.type(p, text)
                    if type == nil { problem = problem ?? .unknownType }
                }
            case .name, .help, .unit, .op, .type:
                guard isString else {
                    if let failure = Scanner.skipValue(p, &index, depth: depth) { return failure }
                    let reason: JSONFeedFailure =
                        switch field {
                        case .name: .badName
                        case .type: .unknownType
                        default: .badField
                        }
                    problem = problem ?? reason
                    break
                }
                guard let text = Scanner.string(p, &index) else { return .invalidJSON }
                switch field {
                case .name: name = text
                case .help: sample.help = text
                case .unit: sample.unit = text
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
                let byte = p[index]
                if byte == UInt8(ascii: "-") || Scanner.isDigit(byte) {
                    guard let parsed = Scanner.number(p, &index) else { return .invalidJSON }
                    number = parsed
                } else {
                    if let failure = Scanner.skipValue(p, &index, depth: depth) { return failure }
                    number = nil
                }
                value = start..<index
            case .sampleRate, .timestamp:
                guard let number = Scanner.number(p, &index) else {
                    if let failure = Scanner.skipValue(p, &index, depth: depth) { return failure }
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
                    if failure.isSyntactic { return failure }
                    problem = problem ?? failure
                case .success:
                    sample.labels = start..<index
                }
            case .buckets:
                switch Scanner.buckets(p, &index, depth: depth) {
                case .failure(let failure):
                    if failure.isSyntactic { return failure }
                    problem = problem ?? failure
                case .success:
                    sample.buckets = start..<index
                }
            case .exemplar:
                switch Scanner.exemplar(p, &index, depth: depth) {
                case .failure(let failure):
                    if failure.isSyntactic { return failure }
                    problem = problem ?? failure
                case .success(let ids):
                    sample.exemplarTraceID = ids.traceID
                    sample.exemplarSpanID = ids.spanID
                }
            case .unknown:
                if let failure = Scanner.skipValue(p, &index, depth: depth) { return failure }
                problem = problem ?? .unknownField
            }
            Scanner.skipWhitespace(p, &index)
            guard index < n else { return .invalidJSON }
            if p[index] == UInt8(ascii: ",") {
                index += 1
                Scanner.skipWhitespace(p, &index)
                continue
            }
            guard p[index] == UInt8(ascii: "}") else { return .invalidJSON }
            index += 1
            break
        }

        if let problem { return problem }
        guard let name else { return .missingName }
        if name.isEmpty { return .badName }
        guard sawType else { return .missingType }
        guard let type else { return .unknownType }
        guard let value else { return .missingValue }
        sample.name = name
        sample.type = type
        if sawOp && type != .gauge { return .badField }
        if sample.buckets != nil && type != .histogram && type != .timer { return .badBuckets }
        if let number, type != .set {
            return self.checkedScalar(number, type: type, into: &sample)
        }
        return self.readValues(p, value, type: type, into: &sample, scratch: &scratch)
    }
}
