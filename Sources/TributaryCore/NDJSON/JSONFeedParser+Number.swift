extension JSONFeedParser.Scanner {
    /// `10^exponent` for 0...22, the powers a double holds exactly (constants, so the hot path reads no lazily
    /// initialised table).
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`).
    ///
    /// Exact in place when the decimal mantissa fits 2^53 and the exponent is within ±22 (Clinger's fast
    /// path); otherwise the standard library parses the token. nil (and `index` unchanged) when the bytes
    /// are not a number.
    @inline(__always)
    static func number(_ p: UnsafeRawBufferPointer, _ index: inout Int) -> Double? {
        let n = p.count
        let start = index
        var i = index
        var negative = false
        if i < n && p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < n, self.isDigit(p[i]) else { return nil }
        var mantissa: UInt64 = 0
        var exponent = 0
        var exact = true
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < n && self.isDigit(p[i]) {
                if mantissa < 1 << 53 / 10 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] &- UInt8(ascii: "0"))
                } else {
                    exact = false
                }
                i += 1
            }
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, self.isDigit(p[i]) else { return nil }
            while i < n && self.isDigit(p[i]) {
                if mantissa < 1 << 53 / 10 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] &- UInt8(ascii: "0"))
                    exponent -= 1
                } else if p[i] != UInt8(ascii: "0") {
                    exact = false
                }
                i += 1
            }
        }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, self.isDigit(p[i]) else { return nil }
            var value = 0
            while i < n && self.isDigit(p[i]) {
                if value < 100_000 { value = value * 10 + Int(p[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += exponentNegative ? -value : value
        }
        index = i
        if exact && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent > 0 { value *= self.powerOfTen(exponent) }
            if exponent < 0 { value /= self.powerOfTen(-exponent) }
            return negative ? -value : value
        }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self))
    }
}
