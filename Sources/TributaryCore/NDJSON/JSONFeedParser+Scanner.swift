extension JSONFeedParser {
    /// The JSON lexer under ``JSONFeedParser``: each function starts at `index` and, on success, leaves it
    /// after what it read. Syntax errors return nil (or `.invalidJSON` / `.tooDeep`).
    enum Scanner {
        @inline(__always)
        static func skipWhitespace(_ p: UnsafeRawBufferPointer, _ index: inout Int) {
            while index < p.count {
                let byte = p[index]
                guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
                index += 1
            }
        }

        @inline(__always)
        static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

        /// A string starting at its opening quote; returns the raw content range (escapes checked, not decoded).
        @inline(__always)
        static func string(_ p: UnsafeRawBufferPointer, _ index: inout Int) -> Range<Int>? {
            let n = p.count
            let start = index + 1
            var i = start
            while true {
                i = self.specialByte(p, from: i)
                guard i < n else { return nil }
                let byte = p[i]
                if byte == UInt8(ascii: "\"") {
                    index = i + 1
                    return start..<i
                }
                guard byte == UInt8(ascii: "\\"), i + 1 < n else { return nil }  // a control byte, or a lone `\`
                switch p[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= n, self.hex4(p, i + 2) >= 0 else { return nil }
                    i += 6
                default:
                    return nil
                }
            }
        }

        /// The index of the first byte from `start` that ends a run of plain string content — a quote, a backslash
        /// or a control byte (below 0x20) — or `p.count`.
        ///
        /// Eight bytes per step (SWAR): for each of the three tests, `(x - 0x01…) & ~x & 0x80…` flags the bytes that
        /// are zero after xor with the searched byte (or below 0x20); a borrow only ever spreads to bytes above a
        /// flagged one, so the lowest flag is exact.
        @inline(__always)
        static func specialByte(_ p: UnsafeRawBufferPointer, from start: Int) -> Int {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let n = p.count
            var i = start
            while i + 8 <= n {
                let word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let flags =
                    ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
                if flags != 0 { return i + flags.trailingZeroBitCount >> 3 }
                i += 8
            }
            while i < n {
                let byte = p[i]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return i }
                i += 1
            }
            return n
        }

        /// Four hex digits at `index` as a number, or -1.
        static func hex4(_ p: UnsafeRawBufferPointer, _ index: Int) -> Int {
            guard index + 4 <= p.count else { return -1 }
            var value = 0
            for i in index..<index + 4 {
                let byte = p[i]
                let digit: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
                default: return -1
                }
                value = value << 4 | digit
            }
            return value
        }

        /// Skips any JSON value, checking its syntax; nil on success.
        static func skipValue(_ p: UnsafeRawBufferPointer, _ index: inout Int, depth: Int) -> JSONFeedFailure? {
            guard index < p.count else { return .invalidJSON }
            switch p[index] {
            case UInt8(ascii: "\""):
                return self.string(p, &index) == nil ? .invalidJSON : nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = p[index] == UInt8(ascii: "{")
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if depth + 1 > JSONFeedParser.maxDepth { return .tooDeep }
                index += 1
                self.skipWhitespace(p, &index)
                if index < p.count && p[index] == close {
                    index += 1
                    return nil
                }
                while true {
                    if isObject {
                        guard index < p.count, p[index] == UInt8(ascii: "\""), self.string(p, &index) != nil else {
                            return .invalidJSON
                        }
                        self.skipWhitespace(p, &index)
                        guard index < p.count, p[index] == UInt8(ascii: ":") else { return .invalidJSON }
                        index += 1
                        self.skipWhitespace(p, &index)
                    }
                    if let failure = self.skipValue(p, &index, depth: depth + 1) { return failure }
                    self.skipWhitespace(p, &index)
                    guard index < p.count else { return .invalidJSON }
                    let byte = p[index]
                    index += 1
                    if byte == close { return nil }
                    guard byte == UInt8(ascii: ",") else { return .invalidJSON }
                    self.skipWhitespace(p, &index)
                }
            case UInt8(ascii: "t"): return self.literal(p, &index, "true")
            case UInt8(ascii: "f"): return self.literal(p, &index, "false")
            case UInt8(ascii: "n"): return self.literal(p, &index, "null")
            default:
                return self.number(p, &index) == nil ? .invalidJSON : nil
            }
        }

        private static func literal(_ p: UnsafeRawBufferPointer, _ index: inout Int, _ word: StaticString) -> JSONFeedFailure? {
            let end = index + word.utf8CodeUnitCount
            guard end <= p.count, self.equals(p, index..<end, word) else { return .invalidJSON }
            index = end
            return nil
        }

        /// A `labels` object: string keys, string values. `.badLabel` (after skipping it) when it is not one.
        static func labels(_ p: UnsafeRawBufferPointer, _ index: inout Int, depth: Int) -> Result<Void, JSONFeedFailure> {
            guard p[index] == UInt8(ascii: "{") else {
                if let failure = self.skipValue(p, &index, depth: depth) { return .failure(failure) }
                return .failure(.badLabel)
            }
            if depth + 1 > JSONFeedParser.maxDepth { return .failure(.tooDeep) }
            var problem = false
            index += 1
            self.skipWhitespace(p, &index)
            if index < p.count && p[index] == UInt8(ascii: "}") {
                index += 1
                return .success(())
            }
            while true {
                guard index < p.count, p[index] == UInt8(ascii: "\""), let key = self.string(p, &index) else {
                    return .failure(.invalidJSON)
                }
                if key.isEmpty { problem = true }
                self.skipWhitespace(p, &index)
                guard index < p.count, p[index] == UInt8(ascii: ":") else { return .failure(.invalidJSON) }
                index += 1
                self.skipWhitespace(p, &index)
                guard index < p.count else { return .failure(.invalidJSON) }
                if p[index] == UInt8(ascii: "\"") {
                    guard self.string(p, &index) != nil else { return .failure(.invalidJSON) }
                } else {
                    if let failure = self.skipValue(p, &index, depth: depth + 1) { return .failure(failure) }
                    problem = true
                }
                self.skipWhitespace(p, &index)
                guard index < p.count else { return .failure(.invalidJSON) }
                let byte = p[index]
                index += 1
                if byte == UInt8(ascii: "}") { return problem ? .failure(.badLabel) : .success(()) }
                guard byte == UInt8(ascii: ",") else { return .failure(.invalidJSON) }
                self.skipWhitespace(p, &index)
            }
        }

        /// A `buckets` array: non-empty, finite, strictly increasing numbers; `.badBuckets` otherwise.
        static func buckets(_ p: UnsafeRawBufferPointer, _ index: inout Int, depth: Int) -> Result<Void, JSONFeedFailure> {
            let start = index
            if let failure = self.skipValue(p, &index, depth: depth) { return .failure(failure) }
            let end = index
            guard p[start] == UInt8(ascii: "[") else { return .failure(.badBuckets) }
            var i = start + 1
            var previous = -Double.infinity
            var count = 0
            while i < end - 1 {
                self.skipWhitespace(p, &i)
                if p[i] == UInt8(ascii: "]") { break }
                guard let bound = self.number(p, &i), bound.isFinite, bound > previous else { return .failure(.badBuckets) }
                previous = bound
                count += 1
                self.skipWhitespace(p, &i)
                i += 1
            }
            return count > 0 ? .success(()) : .failure(.badBuckets)
        }

        /// An `exemplar` object: optional string `trace_id` and `span_id`, nothing else; `.badField` otherwise.
        static func exemplar(
            _ p: UnsafeRawBufferPointer, _ index: inout Int, depth: Int
        ) -> Result<(traceID: Range<Int>?, spanID: Range<Int>?), JSONFeedFailure> {
            let start = index
            if let failure = self.skipValue(p, &index, depth: depth) { return .failure(failure) }
            guard p[start] == UInt8(ascii: "{") else { return .failure(.badField) }
            var traceID: Range<Int>?
            var spanID: Range<Int>?
            var i = start + 1
            while true {
                self.skipWhitespace(p, &i)
                if p[i] == UInt8(ascii: "}") { break }
                guard let key = self.string(p, &i) else { return .failure(.badField) }
                self.skipWhitespace(p, &i)
                i += 1
                self.skipWhitespace(p, &i)
                guard p[i] == UInt8(ascii: "\""), let value = self.string(p, &i) else { return .failure(.badField) }
                if self.equals(p, key, "trace_id") {
                    traceID = value
                } else if self.equals(p, key, "span_id") {
                    spanID = value
                } else {
                    return .failure(.badField)
                }
                self.skipWhitespace(p, &i)
                if p[i] == UInt8(ascii: ",") { i += 1 }
            }
            return .success((traceID, spanID))
        }

        @inline(__always)
        static func equals(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString) -> Bool {
            guard range.count == text.utf8CodeUnitCount else { return false }
            let expected = text.utf8Start
            for offset in 0..<range.count where p[range.lowerBound + offset] != expected[offset] { return false }
            return true
        }

        @inline(__always)
        static func contains(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ byte: UInt8) -> Bool {
            for i in range where p[i] == byte { return true }
            return false
        }
    }
}
