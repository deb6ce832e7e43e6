import Testing

@testable import TributaryCore

struct TagCase: Sendable, CustomTestStringConvertible {
    var nameSection: String
    var dogTags: String?
    var dialects: TagDialects
    var name: String
    var labels: [String]
    var tagErrors: Int

    /// `labels` as `"k=v"` strings, in order.
    init(
        _ nameSection: String, dog dogTags: String? = nil, dialects: TagDialects = .all, _ name: String,
        _ labels: [String] = [], errors: Int = 0
    ) {
        self.nameSection = nameSection
        self.dogTags = dogTags
        self.dialects = dialects
        self.name = name
        self.labels = labels
        self.tagErrors = errors
    }

    var testDescription: String { "\(self.nameSection)\(self.dogTags.map { " #\($0)" } ?? "")" }
}

func resolveTags(_ nameSection: String, dogTags: String?, dialects: TagDialects = .all) -> StatsDTagParser.Resolved? {
    var section = Array(nameSection.utf8)
    var tags = dogTags.map { Array($0.utf8) }
    return section.withUnsafeMutableBytes { section in
        if tags != nil {
            return tags!.withUnsafeMutableBytes { tags in
                StatsDTagParser(dialects: dialects).resolve(
                    nameSection: UnsafeRawBufferPointer(section), dogTags: UnsafeRawBufferPointer(tags))
            }
        }
        return StatsDTagParser(dialects: dialects).resolve(nameSection: UnsafeRawBufferPointer(section), dogTags: nil)
    }
}

struct StatsDTagParserTests {
    static let noSignalFX = TagDialects(dogStatsD: true, influxDB: true, librato: true, signalFX: false)
    static let noInflux = TagDialects(dogStatsD: true, influxDB: false, librato: true, signalFX: true)
    static let noLibrato = TagDialects(dogStatsD: true, influxDB: true, librato: false, signalFX: true)
    static let onlyInflux = TagDialects(dogStatsD: false, influxDB: true, librato: false, signalFX: false)
    static let none = TagDialects(dogStatsD: false, influxDB: false, librato: false, signalFX: false)

    static let cases: [TagCase] = [
        TagCase("plain", "plain"),
        TagCase("a.b-c", "a.b-c"),  // the name is escaped by the mapper, not here
        // InfluxDB.
        TagCase("influx_c,k=v", "influx_c", ["k=v"]),
        TagCase("influx_c,k=v,k2=v2", "influx_c", ["k=v", "k2=v2"]),
        TagCase("influx_c,a.b-c=x", "influx_c", ["a_b_c=x"]),
        TagCase("influx_c,k=v=w", "influx_c", ["k=v=w"]),
        TagCase("influx_c,k=v,", "influx_c", ["k=v"]),  // trailing comma: no tag, no error
        TagCase("influx_c,", "influx_c"),
        TagCase("influx_c,k=v,,k2=v2", "influx_c", ["k=v", "k2=v2"], errors: 1),
        TagCase("influx_c,novalue", "influx_c", errors: 1),
        TagCase("influx_c,=v", "influx_c", errors: 1),
        TagCase("influx_c,k=", "influx_c", errors: 1),
        TagCase("influx_c,k=1,k=2", "influx_c", ["k=2"]),
        // Librato.
        TagCase("librato_c#k=v", "librato_c", ["k=v"]),
        TagCase("librato_c#k=v,x=y", "librato_c", ["k=v", "x=y"]),
        // The first `#` or `,` decides.
        TagCase("a#k=v,x=y", "a", ["k=v", "x=y"]),
        TagCase("a,k=v#x=y", "a", ["k=v#x=y"]),
        // SignalFX.
        TagCase("sfx_c[k=v]", "sfx_c", ["k=v"]),
        TagCase("sfx[k=v,a=b].suffix", "sfx.suffix", ["k=v", "a=b"]),
        TagCase("pre.[k=v]post", "pre.post", ["k=v"]),
        TagCase("sfx[]", "sfx"),
        TagCase("sfx[k=v", "sfx[k=v", errors: 1),
        TagCase("sfxk=v]", "sfxk=v]", errors: 1),
        TagCase("sfx]k=v[", "sfx]k=v[", errors: 1),
        // SignalFX is tried first; its name part is not searched for other dialects.
        TagCase("sfx[k=v],x=y", "sfx,x=y", ["k=v"]),
        // DogStatsD.
        TagCase("n", dog: "env:prod,zone:a", "n", ["env=prod", "zone=a"]),
        TagCase("n", dog: "url:http://x:8080/a", "n", ["url=http://x:8080/a"]),
        TagCase("n", dog: "a.b-c:x", "n", ["a_b_c=x"]),
        TagCase("n", dog: "9a:x", "n", ["_9a=x"]),
        TagCase("n", dog: "a:1,a:2", "n", ["a=2"]),
        TagCase("n", dog: "a:1,,b:2", "n", ["a=1", "b=2"], errors: 1),
        TagCase("n", dog: "a:1,", "n", ["a=1"]),
        TagCase("n", dog: "", "n"),
        TagCase("n", dog: "novalue", "n", errors: 1),
        TagCase("n", dog: "a:", "n", errors: 1),
        TagCase("n", dog: ":v", "n", errors: 1),
        TagCase("n", dog: "a:1,#b:2", "n", ["a=1", "b=2"]),  // statsd_exporter trims a leading `#` per tag
        TagCase("n", dog: "a=b", "n", errors: 1),
        TagCase("n", dog: "ünï:cödé", "n", ["_n_=cödé"]),
        // Dialects switched off.
        TagCase("sfx[k=v]", dialects: Self.noSignalFX, "sfx[k=v]"),
        TagCase("a,b=c", dialects: Self.noInflux, "a,b=c"),
        TagCase("a#b=c", dialects: Self.noLibrato, "a#b=c"),
        TagCase("a#b=c,d=e", dialects: Self.noLibrato, "a#b=c", ["d=e"]),
        TagCase("a#b=c,d=e[x=y]", dialects: Self.onlyInflux, "a#b=c", ["d=e[x=y]"]),
        TagCase("a#b=c,d=e[x=y]", dialects: Self.none, "a#b=c,d=e[x=y]"),
    ]

    @Test(arguments: Self.cases)
    func resolvesNameAndTags(_ testCase: TagCase) throws {
        let resolved = try #require(
            resolveTags(testCase.nameSection, dogTags: testCase.dogTags, dialects: testCase.dialects))
        #expect(resolved.name == testCase.name)
        #expect(resolved.labels.map { "\($0.name)=\($0.value)" } == testCase.labels)
        #expect(resolved.tagErrors == testCase.tagErrors)
        #expect(resolved.hasNameTags == (testCase.dogTags == nil && !testCase.labels.isEmpty))
    }

    @Test
    func rejectsInvalidUTF8() {
        var bytes: [UInt8] = [UInt8(ascii: "a"), 0xFF, 0xFE]
        let resolved = bytes.withUnsafeMutableBytes {
            StatsDTagParser().resolve(nameSection: UnsafeRawBufferPointer($0), dogTags: nil)
        }
        #expect(resolved == nil)
        #expect(resolveTags("a", dogTags: String(decoding: [0xC3], as: UTF8.self)) != nil)  // replaced, valid again
    }

    @Test
    func reportsNameTagsSeparatelyFromDogStatsDTags() throws {
        // The shard rejects lines with both styles (mixedTaggingStyles); the parser reports both.
        let resolved = try #require(resolveTags("a,k=v", dogTags: "x:y"))
        #expect(resolved.hasNameTags)
        #expect(resolved.labels.map(\.name) == ["k", "x"])
    }
}
