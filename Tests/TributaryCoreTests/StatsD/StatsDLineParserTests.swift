import Testing

@testable import TributaryCore

/// What parsing one line produced, in order: samples and failures.
enum ParseOutcome: Sendable, Equatable, CustomStringConvertible {
    case sample(Double, StatsDType, relative: Bool = false, rate: Double = 1)
    case failure(ParseFailure)

    static func c(_ value: Double, rate: Double = 1) -> ParseOutcome { .sample(value, .counter, rate: rate) }
    static func g(_ value: Double, relative: Bool = false) -> ParseOutcome {
        .sample(value, .gauge, relative: relative)
    }
    static func ms(_ value: Double, rate: Double = 1) -> ParseOutcome { .sample(value, .timer, rate: rate) }
    static func h(_ value: Double) -> ParseOutcome { .sample(value, .histogram) }
    static func d(_ value: Double) -> ParseOutcome { .sample(value, .distribution) }

    var description: String {
        switch self {
        case .sample(let value, let type, let relative, let rate):
            "\(relative && value >= 0 ? "+" : "")\(value)|\(type.wireName)\(rate == 1 ? "" : "|@\(rate)")"
        case .failure(let failure): "failure(\(failure.label))"
        }
    }
}

struct ParserCase: Sendable, CustomTestStringConvertible {
    var line: String
    var expected: [ParseOutcome]
    init(_ line: String, _ expected: ParseOutcome...) {
        self.line = line
        self.expected = expected
    }
    var testDescription: String { "\(self.line.debugDescription) → \(self.expected)" }
}

/// Parses `line` and records every sample and failure in order.
func parseOutcomes(_ line: String, dialects: TagDialects = .all) -> [ParseOutcome] {
    var outcomes: [ParseOutcome] = []
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { raw in
        StatsDLineParser(dialects: dialects).parse(
            line: UnsafeRawBufferPointer(raw),
            onSample: { sample, _ in
                outcomes.append(.sample(sample.value, sample.type, relative: sample.relative, rate: sample.sampleRate))
            },
            onFailure: { outcomes.append(.failure($0)) }
        )
    }
    return outcomes
}

/// Parses `line` and returns the layout of its last sample as strings.
func parseLayout(_ line: String, dialects: TagDialects = .all) -> (nameSection: String, dogTags: String?)? {
    var result: (String, String?)?
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { raw in
        let line = UnsafeRawBufferPointer(raw)
        StatsDLineParser(dialects: dialects).parse(
            line: line,
            onSample: { _, layout in
                let name = String(decoding: line[layout.nameSectionStart..<layout.nameSectionEnd], as: UTF8.self)
                let tags =
                    layout.hasDogTags
                    ? String(decoding: line[layout.dogTagsStart..<layout.dogTagsEnd], as: UTF8.self) : nil
                result = (name, tags)
            },
            onFailure: { _ in }
        )
    }
    return result
}

struct StatsDLineParserTests {
    static let cases: [ParserCase] = [
        // Every type.
        ParserCase("orders:1|c", .c(1)),
        ParserCase("orders:0.5|c", .c(0.5)),
        ParserCase("orders:-3|c", .c(-3)),
        ParserCase("temp:20|g", .g(20)),
        ParserCase("temp:+2.5|g", .g(2.5, relative: true)),
        ParserCase("temp:-1|g", .g(-1, relative: true)),
        ParserCase("temp:0|g", .g(0)),
        ParserCase("rt:15|ms", .ms(15)),
        ParserCase("size:100|h", .h(100)),
        ParserCase("lat:0.2|d", .d(0.2)),
        ParserCase("users:alice|s", .sample(1, .set)),
        ParserCase("users:42|s", .sample(1, .set)),
        ParserCase("big:1e3|c", .c(1000)),
        // Sample rates.
        ParserCase("n:3|c|@0.2", .c(3, rate: 0.2)),
        ParserCase("n:3|c|@1", .c(3)),
        ParserCase("n:3|ms|@0.1", .ms(3, rate: 0.1)),
        ParserCase("n:3|c|@0", .failure(.invalidSampleRate)),
        ParserCase("n:3|c|@-0.5", .failure(.invalidSampleRate)),
        ParserCase("n:3|c|@1.5", .failure(.invalidSampleRate)),
        ParserCase("n:3|c|@abc", .failure(.invalidSampleRate)),
        ParserCase("n:3|c|@", .failure(.invalidSampleRate)),
        // DogStatsD tags, container id, timestamp.
        ParserCase("hits:1|c|#env:prod,zone:a", .c(1)),
        ParserCase("hits:1|c|@0.5|#env:prod", .c(1, rate: 0.5)),
        ParserCase("hits:1|c|#env:prod|@0.5", .c(1, rate: 0.5)),
        ParserCase("hits:1|c|#", .c(1)),
        ParserCase("hits:1|c|#a:b|c:abc", .c(1)),
        ParserCase("hits:1|c|#a:b|c:abc|T1700000000", .c(1)),
        ParserCase("hits:1|c|T1700000000", .c(1)),
        ParserCase("hits:1|c|Tabc", .failure(.unknownComponent)),
        ParserCase("hits:1|c|T", .failure(.unknownComponent)),
        ParserCase("hits:1|c|#a:b|c", .failure(.malformedContainerID)),
        // A container id after the type turns Etsy multi-value off, as `|#` does (statsd_exporter splits the line
        // at its `:` instead; a deliberate difference, so tag-less Datadog clients keep their metrics).
        ParserCase("hits:1|c|c:abc", .c(1)),
        // Extended aggregation.
        ParserCase("n:1:2:3|ms", .ms(1), .ms(2), .ms(3)),
        ParserCase("n:1:2:3|h|#k:v", .h(1), .h(2), .h(3)),
        ParserCase("n:1:2|d|@0.5", .sample(1, .distribution, rate: 0.5), .sample(2, .distribution, rate: 0.5)),
        ParserCase("n:1::3|ms", .ms(1), .failure(.malformedValue), .ms(3)),
        ParserCase("n:1:2|c", .failure(.invalidExtendedAggregateType)),
        ParserCase("n:1:2|g", .failure(.invalidExtendedAggregateType)),
        ParserCase("n:1:2|s", .failure(.invalidExtendedAggregateType)),
        ParserCase("n:1:2|", .failure(.invalidExtendedAggregateType)),
        ParserCase("n:1:2:3", .failure(.malformedComponent)),
        // Etsy multi-value.
        ParserCase("mv:1|c:5|c", .c(1), .c(5)),
        ParserCase("n:1|c:2|g", .c(1), .g(2)),
        ParserCase("n:1|c|@0.5:2|ms", .c(1, rate: 0.5), .ms(2)),
        ParserCase("n:1|c:x|c:3|c", .c(1), .failure(.malformedValue), .c(3)),
        ParserCase("n:1|c:", .c(1), .failure(.malformedComponent)),
        // Malformed components, values and types.
        ParserCase("n:1|c|x", .failure(.unknownComponent)),
        ParserCase("n:1|c||@0.5", .failure(.malformedComponent)),
        ParserCase("n:1|c|", .failure(.malformedComponent)),
        ParserCase("n:1|", .failure(.malformedComponent)),
        ParserCase("n:1", .failure(.malformedComponent)),
        ParserCase("n:", .failure(.malformedComponent)),
        ParserCase("broken_value:x|c", .failure(.malformedValue)),
        ParserCase("n:|c", .failure(.malformedValue)),
        ParserCase("n:1x|c", .failure(.malformedValue)),
        ParserCase("n:|s", .failure(.malformedValue)),
        ParserCase("broken_type:1|q", .failure(.unknownType)),
        ParserCase("n:1|cc", .failure(.unknownType)),
        ParserCase("n:1|mss", .failure(.unknownType)),
        ParserCase("n:x|q", .failure(.malformedValue)),
        // Malformed lines.
        ParserCase("broken", .failure(.malformedLine)),
        ParserCase(":5|c", .failure(.malformedLine)),
        ParserCase(":", .failure(.malformedLine)),
    ]

    @Test(arguments: Self.cases)
    func parsesLine(_ testCase: ParserCase) {
        #expect(parseOutcomes(testCase.line) == testCase.expected)
    }

    @Test
    func layoutCoversNameSectionAndDogTags() throws {
        let plain = try #require(parseLayout("a.b,k=v:1|c"))
        #expect(plain.nameSection == "a.b,k=v")
        #expect(plain.dogTags == nil)
        let tagged = try #require(parseLayout("hits:1|c|@0.5|#env:prod,zone:a|T1"))
        #expect(tagged.nameSection == "hits")
        #expect(tagged.dogTags == "env:prod,zone:a")
        let empty = try #require(parseLayout("hits:1|c|#"))
        #expect(empty.dogTags == "")
    }

    @Test
    func setMembersAreHashedByTheirBytes() {
        func hash(_ line: String) -> UInt64 {
            var result: UInt64 = 0
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { raw in
                StatsDLineParser().parse(
                    line: UnsafeRawBufferPointer(raw), onSample: { sample, _ in result = sample.memberHash },
                    onFailure: { _ in })
            }
            return result
        }
        #expect(hash("u:alice|s") == hash("other:alice|s"))
        #expect(hash("u:alice|s") != hash("u:bob|s"))
        #expect(hash("u:1|s") != hash("u:1.0|s"))
    }

    @Test
    func ignoresDogStatsDTagsWhenTheDialectIsOff() {
        let dialects = TagDialects(dogStatsD: false, influxDB: true, librato: true, signalFX: true)
        #expect(parseOutcomes("hits:1|c|#env:prod", dialects: dialects) == [.c(1)])
        #expect(parseLayout("hits:1|c|#env:prod", dialects: dialects)?.dogTags == nil)
        // `|#` still turns off Etsy multi-value parsing, as in statsd_exporter.
        #expect(parseOutcomes("hits:1|c|#env:prod", dialects: .all) == [.c(1)])
    }

    struct KindCase: Sendable, CustomTestStringConvertible {
        var line: String
        var kind: StatsDLineKind
        var testDescription: String { "\(self.line.debugDescription) → \(self.kind)" }
    }

    @Test(arguments: [
        KindCase(line: "_e{5,4}:title|text", kind: .dogStatsDEvent),
        KindCase(line: "_e{5,4}:title|text|#a:b", kind: .dogStatsDEvent),
        KindCase(line: "_sc|name|0", kind: .dogStatsDServiceCheck),
        KindCase(line: "_sc|name|2|#a:b|m:msg", kind: .dogStatsDServiceCheck),
        KindCase(line: "", kind: .empty),
        KindCase(line: "_sc", kind: .metric),
        KindCase(line: "_e:1|c", kind: .metric),
        KindCase(line: "_scale:1|c", kind: .metric),
        KindCase(line: "orders:1|c", kind: .metric),
    ])
    func classifiesLine(_ testCase: KindCase) {
        var bytes = Array(testCase.line.utf8)
        let kind = bytes.withUnsafeMutableBytes { StatsDLineParser.kind(of: UnsafeRawBufferPointer($0)) }
        #expect(kind == testCase.kind)
    }

    struct FramingCase: Sendable, CustomTestStringConvertible {
        var datagram: String
        var lines: [String]
        var testDescription: String { self.datagram.debugDescription }
    }

    @Test(arguments: [
        FramingCase(datagram: "", lines: []),
        FramingCase(datagram: "a:1|c", lines: ["a:1|c"]),
        FramingCase(datagram: "a:1|c\n", lines: ["a:1|c"]),
        FramingCase(datagram: "a:1|c\nb:2|g", lines: ["a:1|c", "b:2|g"]),
        FramingCase(datagram: "a:1|c\r\nb:2|g\r\n", lines: ["a:1|c", "b:2|g"]),
        FramingCase(datagram: "\n\n", lines: []),
        FramingCase(datagram: "\r\n", lines: []),
        FramingCase(datagram: "a\n\n\nb", lines: ["a", "b"]),
        FramingCase(datagram: "\na", lines: ["a"]),
        FramingCase(datagram: "a\rb\n", lines: ["a\rb"]),
        FramingCase(datagram: "a\r\r\n", lines: ["a\r"]),
    ])
    func splitsDatagramIntoLines(_ testCase: FramingCase) {
        var lines: [String] = []
        var bytes = Array(testCase.datagram.utf8)
        bytes.withUnsafeMutableBytes { raw in
            StatsDLineParser.forEachLine(in: UnsafeRawBufferPointer(raw)) { line in
                lines.append(String(decoding: line, as: UTF8.self))
            }
        }
        #expect(lines == testCase.lines)
    }

    @Test(arguments: StatsDType.allCases)
    func parsesEveryWireType(_ type: StatsDType) {
        var bytes = Array(type.wireName.utf8)
        let parsed = bytes.withUnsafeMutableBytes { StatsDLineParser.parseType(UnsafeRawBufferPointer($0)) }
        #expect(parsed == type)
    }
}
