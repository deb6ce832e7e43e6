import Testing

@testable import TributaryCore

/// The fast paths of the JSON feed scanner against their general forms: word-compare key and type recognition
/// (``JSONFeedParser/knownField(_:_:)``, ``JSONFeedParser/knownType(_:_:)``), the eight-bytes-a-step string scan
/// (``JSONFeedParser/Scanner/specialByte(_:from:)``), and whole lines parsed by the fast and the general path.
@Suite struct JSONFeedScannerTests {
    /// `"<key>"` followed by enough bytes for the fast path; the field it reads and the index after the quote.
    private func known(_ key: String, padding: Int = 20) -> (JSONFeedParser.Field?, Int) {
        let bytes = Array(("\"" + key + "\"" + String(repeating: " ", count: padding)).utf8)
        return bytes.withUnsafeBytes { p in
            var index = 0
            let field = JSONFeedParser.knownField(p, &index)
            return (field, index)
        }
    }

    private func general(_ key: String) -> JSONFeedParser.Field {
        let bytes = Array(("\"" + key + "\"").utf8)
        return bytes.withUnsafeBytes { p in
            var index = 0
            let range = JSONFeedParser.Scanner.string(p, &index)!
            return JSONFeedParser.field(p, range)
        }
    }

    static let fieldNames = [
        "name", "type", "value", "op", "sample_rate", "labels", "help", "unit", "buckets", "timestamp", "exemplar",
    ]

    @Test(arguments: fieldNames)
    func recognisesEveryFieldAsTheGeneralPathDoes(key: String) {
        let (field, index) = self.known(key)
        #expect(field != nil)
        #expect(field == self.general(key))
        #expect(index == key.utf8.count + 2)
    }

    @Test(arguments: [
        "nam", "names", "Name", "nameX", "na\\u006de", "\\u006eame", "typ", "types", "timestamps", "timestam",
        "valu", "values", "label", "labelsx", "o", "ops", "sample_rat", "sample_rates", "help_", "uni", "bucket",
        "exemplars", "exempla", "", "x", "lables", "n\u{e9}me",
    ])
    func leavesOtherKeysToTheGeneralPath(key: String) {
        let (field, index) = self.known(key)
        #expect(field == nil)
        #expect(index == 0)
    }

    @Test func leavesKeysNearTheEndOfTheLineToTheGeneralPath() {
        // 16 bytes after the quote are needed; with fewer, the fast path declines and reads nothing.
        #expect(self.known("name", padding: 10).0 == nil)
        #expect(self.known("name", padding: 11).0 == .name)
    }

    @Test(arguments: JSONFeedType.allCases)
    func recognisesEveryTypeAsTheGeneralPathDoes(type: JSONFeedType) {
        let text = "\(type)"
        let bytes = Array(("\"" + text + "\"" + String(repeating: " ", count: 16)).utf8)
        bytes.withUnsafeBytes { p in
            var index = 0
            #expect(JSONFeedParser.knownType(p, &index) == type)
            #expect(index == text.utf8.count + 2)
            #expect(JSONFeedParser.type(p, 1..<1 + text.utf8.count) == type)
        }
    }

    @Test(arguments: ["counters", "counte", "gauges", "histogra", "histograms", "summar", "sets", "se", "timers", "Counter", "c\\u006funter", "meter"])
    func leavesOtherTypesToTheGeneralPath(text: String) {
        let bytes = Array(("\"" + text + "\"" + String(repeating: " ", count: 16)).utf8)
        bytes.withUnsafeBytes { p in
            var index = 0
            #expect(JSONFeedParser.knownType(p, &index) == nil)
            #expect(index == 0)
        }
    }

    /// The byte-at-a-time definition of ``JSONFeedParser/Scanner/specialByte(_:from:)``.
    private func slowSpecialByte(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 } ?? bytes.count
    }

    @Test func findsTheFirstSpecialByteAsAByteLoopDoes() {
        // Every byte value alone at every position of a 20-byte run, then pseudo-random runs mixing the bytes that
        // sit next to the tested ones (0x1F, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF, multibyte UTF-8).
        for special in 0...255 {
            for position in 0..<20 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 20)
                bytes[position] = UInt8(special)
                for start in [0, 3, position] where start <= position {
                    let fast = bytes.withUnsafeBytes { JSONFeedParser.Scanner.specialByte($0, from: start) }
                    #expect(fast == self.slowSpecialByte(bytes, from: start), "byte \(special) at \(position) from \(start)")
                }
            }
        }
        let alphabet: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x61, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            let length = Int(state % 40)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Mostly plain bytes, so runs longer than a word occur.
                let pick = Int(state >> 33) % (alphabet.count * 4)
                bytes.append(pick < alphabet.count ? alphabet[pick] : UInt8(ascii: "a") + UInt8(pick % 26))
            }
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let start = length == 0 ? 0 : Int(state >> 33) % length
            let fast = bytes.withUnsafeBytes { JSONFeedParser.Scanner.specialByte($0, from: start) }
            #expect(fast == self.slowSpecialByte(bytes, from: start), "\(bytes) from \(start)")
        }
    }
}
