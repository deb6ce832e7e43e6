/// Parses decimal numbers straight from bytes, without building a `String` on the common path.
package enum NumberParsing {
    /// Exact powers of ten up to 1e22 (every one is representable as a Double).
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses `[+-]?digits[.digits]` exactly when it has at most 15 significant digits; anything else
    /// (exponents, `inf`, `NaN`, hex, long mantissas) falls back to the standard library's parser.
    /// Returns nil when the bytes are not a number.
    @inline(__always)
    package static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let count = bytes.count
        if count == 0 { return nil }
        var index = 0
        var negative = false
        let first = bytes[0]
        if first == UInt8(ascii: "-") {
            negative = true
            index = 1
        } else if first == UInt8(ascii: "+") {
            index = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawDot = false
        while index < count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
                if digits > 15 { return slowParse(bytes) }
                mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                if sawDot { fractionDigits += 1 }
            } else if byte == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                return slowParse(bytes)
            }
            index += 1
        }
        if !sawDigit { return nil }
        if fractionDigits > 22 { return slowParse(bytes) }
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
        return negative ? -value : value
    }

    /// The rare path: exponents, special values, long mantissas. Matches Go's `strconv.ParseFloat` on the
    /// forms StatsD clients send; rejects empty strings and embedded spaces.
    private static func slowParse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let text = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else { return nil }
        if text.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "_") }) { return nil }
        switch text.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: return Double(text)
        }
    }
}
