/// The slow-path decoders of the JSON feed: strings, labels and buckets become Swift values once per new series.
extension JSONFeedParser {
    /// Decodes the raw content of a JSON string (escapes, surrogate pairs); nil when not valid UTF-8.
    ///
    /// Allocates the result: called once per new series, never for a known one.
    package static func decodeString(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
        let raw = UnsafeRawBufferPointer(rebasing: p[range])
        if !Scanner.contains(p, range, UInt8(ascii: "\\")) {
            return String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            let escape = raw[index]
            index += 1
            switch escape {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = Scanner.hex4(raw, index)
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
                    else { return nil }
                    let low = Scanner.hex4(raw, index + 2)
                    guard low >= 0xDC00 && low < 0xE000 else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                bytes.append(contentsOf: UTF8.encode(unicode)!)
            default: bytes.append(escape)  // \" \\ \/
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The label pairs of a raw `labels` object (keys as sent, not escaped), in order; nil when a string is
    /// not valid UTF-8.
    package static func decodeLabels(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> [(name: String, value: String)]? {
        var labels: [(name: String, value: String)] = []
        var index = range.lowerBound + 1
        Scanner.skipWhitespace(p, &index)
        while index < range.upperBound && p[index] == UInt8(ascii: "\"") {
            guard let key = Scanner.string(p, &index) else { return nil }
            Scanner.skipWhitespace(p, &index)
            index += 1  // ':'
            Scanner.skipWhitespace(p, &index)
            guard let value = Scanner.string(p, &index) else { return nil }
            guard let name = self.decodeString(p, key), let text = self.decodeString(p, value) else { return nil }
            labels.append((name, text))
            Scanner.skipWhitespace(p, &index)
            index += 1  // ',' or '}'
            Scanner.skipWhitespace(p, &index)
        }
        return labels
    }

    /// The numbers of a raw `buckets` array (already checked).
    package static func decodeBuckets(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> [Double] {
        var bounds: [Double] = []
        var index = range.lowerBound + 1
        while index < range.upperBound {
            Scanner.skipWhitespace(p, &index)
            guard let number = Scanner.number(p, &index) else { break }
            bounds.append(number)
            Scanner.skipWhitespace(p, &index)
            index += 1
        }
        return bounds
    }
}
