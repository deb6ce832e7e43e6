import Testing

@testable import TributaryCore

func parseNumber(_ text: String) -> Double? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { NumberParsing.parseDouble(UnsafeRawBufferPointer($0)) }
}

struct NumberParsingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var value: Double
        init(_ text: String, _ value: Double) {
            self.text = text
            self.value = value
        }
        var testDescription: String { "\(self.text.debugDescription) → \(self.value)" }
    }

    @Test(arguments: [
        // Integers and decimals on the fast path.
        Case("0", 0), Case("1", 1), Case("42", 42), Case("007", 7), Case("-3", -3), Case("+4", 4),
        Case("0.5", 0.5), Case("-0.5", -0.5), Case("+2.5", 2.5), Case(".5", 0.5), Case("5.", 5), Case("0.1", 0.1),
        Case("0.2", 0.2), Case("0.3", 0.3), Case("3.14159", 3.14159), Case("123456789012345", 123_456_789_012_345),
        Case("0.000123456789012345", 0.000123456789012345), Case("1.0000000000000000000000", 1),
        // Exponents.
        Case("1e3", 1000), Case("1E3", 1000), Case("1e+3", 1000), Case("2.5e-3", 0.0025), Case("-1e-300", -1e-300),
        Case("1e308", 1e308),
        // Special values.
        Case("inf", .infinity), Case("+Inf", .infinity), Case("-inf", -.infinity), Case("Infinity", .infinity),
        Case("-Infinity", -.infinity),
        // 16+ significant digits go to the exact slow path.
        Case("1234567890123456", 1_234_567_890_123_456), Case("12345678901234567890", 1.234567890123456789e19),
        Case("0.1234567890123456789", 0.1234567890123456789), Case("9007199254740993", 9_007_199_254_740_992 /* 2^53 + 1 rounds to even */),
        Case("3.141592653589793238", 3.141592653589793238),
        Case("0.00000000000000000000000001", 1e-26),
    ])
    func parsesNumber(_ testCase: Case) throws {
        let parsed = try #require(parseNumber(testCase.text))
        #expect(parsed == testCase.value)
        #expect(parsed.sign == testCase.value.sign)
    }

    @Test(arguments: ["nan", "NaN", "NAN"])
    func parsesNaN(_ text: String) throws {
        #expect(try #require(parseNumber(text)).isNaN)
    }

    @Test(arguments: [
        "", "-", "+", ".", "-.", "x", "1x", "x1", "1.2.3", "1..2", "--1", "+-1", "1-", "1e", "e5", "1e+", " 1", "1 ",
        "1 000", "1_000", "\t1", "0x", "in", "infinit", "nanx", "1,5", "١",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(parseNumber(text) == nil)
    }

    @Test
    func parsesNegativeZero() throws {
        let value = try #require(parseNumber("-0"))
        #expect(value == 0)
        #expect(value.sign == .minus)
    }

    @Test
    func roundTripsDescriptionsOfRandomDoubles() {
        var generator = SplitMix64(seed: 0x5EED)
        var checked = 0
        for round in 0..<20_000 {
            let value: Double
            switch round % 4 {
            case 0: value = Double(bitPattern: generator.next())  // any bit pattern, any exponent
            case 1: value = Double.random(in: -1e6...1e6, using: &generator)
            case 2: value = Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &generator)) / 1000
            default: value = Double.random(in: 0..<1, using: &generator)
            }
            if value.isNaN { continue }
            let parsed = parseNumber(value.description)
            #expect(parsed == value, "\(value.description)")
            checked += 1
        }
        #expect(checked > 19_000)
    }
}

/// A deterministic generator for property tests.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
