import Testing

@testable import TributaryCore

struct GoDurationTests {
    @Test(
        arguments: [
            ("0", 0.0), ("30s", 30), ("1m30s", 90), ("1h", 3600), ("1.5s", 1.5), ("300ms", 0.3), ("2h45m", 9900),
            ("-1m", -60), ("+5s", 5), ("1us", 0.000_001), ("1µs", 0.000_001), ("10ns", 0.000_000_01), (".5s", 0.5),
            ("1.s", 1),
        ] as [(String, Double)])
    func parsesGoDurations(_ text: String, _ seconds: Double) throws {
        let parsed = try #require(GoDuration.parseSeconds(text))
        #expect(abs(parsed - seconds) < 1e-12)
    }

    @Test(arguments: ["", "30", "s", "1x", "1d", "1m30", ".s", "--1s", "1 s"])
    func rejectsOtherText(_ text: String) {
        #expect(GoDuration.parseSeconds(text) == nil)
    }
}
