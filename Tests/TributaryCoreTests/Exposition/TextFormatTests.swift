import Testing

@testable import TributaryCore

struct TextFormatTests {
    struct ValueCase: Sendable, CustomTestStringConvertible {
        var value: Double
        var text: String
        init(_ value: Double, _ text: String) {
            self.value = value
            self.text = text
        }
        var testDescription: String { self.text }
    }

    @Test(arguments: [
        ValueCase(0, "0"), ValueCase(1, "1"), ValueCase(-1, "-1"), ValueCase(42, "42"), ValueCase(2.5, "2.5"),
        ValueCase(0.1, "0.1"), ValueCase(0.009, "0.009"), ValueCase(-0.25, "-0.25"),
        ValueCase(123_456_789_012_345, "123456789012345"), ValueCase(999_999_999_999_999, "999999999999999"),
        ValueCase(1e17, "1e+17"), ValueCase(1.5e300, "1.5e+300"), ValueCase(1e-7, "1e-07"),
        ValueCase(.nan, "NaN"), ValueCase(.infinity, "+Inf"), ValueCase(-.infinity, "-Inf"),
    ])
    func formatsValue(_ testCase: ValueCase) {
        var bytes: [UInt8] = []
        TextFormat.appendValue(testCase.value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == testCase.text)
        if !testCase.value.isNaN {
            #expect(parseNumber(testCase.text) == testCase.value)
        }
    }

    @Test(arguments: [Int64(0), 7, -7, 10, 1_000_000, -999_999_999_999_999, 999_999_999_999_999])
    func formatsIntegers(_ value: Int64) {
        var bytes: [UInt8] = []
        TextFormat.appendInteger(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }

    @Test
    func escapesLabelValues() {
        var bytes: [UInt8] = []
        TextFormat.appendEscapedLabelValue("a\\b\"c\nd\te ü", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"a\\b\"c\nd"# + "\t" + "e ü")
    }

    @Test
    func escapesHelpButNotQuotes() {
        var bytes: [UInt8] = []
        TextFormat.appendEscapedHelp("say \"hi\"\nback\\slash", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"say "hi"\nback\\slash"#)
    }

    @Test
    func writesSamplesWithAndWithoutLabels() {
        var bytes: [UInt8] = []
        TextFormat.appendHeader(name: "m", help: "Help.", type: "summary", to: &bytes)
        TextFormat.appendSample(name: "m", labelText: "", value: 1, to: &bytes)
        TextFormat.appendSample(name: "m", suffix: "_sum", labelText: #"a="b""#, value: 2.5, to: &bytes)
        TextFormat.appendSample(
            name: "m", labelText: "", extraLabel: "quantile", extraValue: "0.5", value: .nan, to: &bytes)
        TextFormat.appendSample(
            name: "m", labelText: #"a="b""#, extraLabel: "quantile", extraValue: "0.99", value: 3, to: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self) == """
                # HELP m Help.
                # TYPE m summary
                m 1
                m_sum{a="b"} 2.5
                m{quantile="0.5"} NaN
                m{a="b",quantile="0.99"} 3

                """)
    }

    @Test(arguments: zip([0.005, 0.5, 1, 2.5, 10, 0.99], ["0.005", "0.5", "1", "2.5", "10", "0.99"]))
    func formatsBounds(_ bound: Double, _ text: String) {
        #expect(TextFormat.formatBound(bound) == text)
    }

    @Test
    func rendersLabelsSortedAndEscaped() {
        let text = RouteDecision.renderLabels([("zone", "a"), ("env", "line\nbreak"), ("path", #"C:\dir "x""#)])
        #expect(text == #"env="line\nbreak",path="C:\\dir \"x\"",zone="a""#)
        #expect(RouteDecision.renderLabels([]) == "")
    }
}
