import Foundation
import Testing
import TributaryCore

/// A parsed object in plain values, for table comparisons.
struct Parsed: Equatable, CustomStringConvertible {
    var type: JSONFeedType
    var name: String
    var labels: [String] = []
    var values: [Double] = []
    var members = 0
    var add = false
    var rate = 1.0
    var help: String? = nil
    var unit: String? = nil
    var buckets: [Double]? = nil
    var timestamp: Double? = nil
    var trace: String? = nil
    var span: String? = nil

    var description: String { "\(self.type) \(self.name) \(self.labels) \(self.values)" }
}

/// Every object of `line` parsed, with its strings decoded.
func parseJSONFeedLine(_ line: String) -> [Result<Parsed, JSONFeedFailure>] {
    var results: [Result<Parsed, JSONFeedFailure>] = []
    var scratch = JSONFeedScratch()
    Array(line.utf8).withUnsafeBytes { p in
        JSONFeedParser.forEachObject(in: p, scratch: &scratch) { result, scratch in
            results.append(
                result.map { s in
                    Parsed(
                        type: s.type, name: JSONFeedParser.decodeString(p, s.name)!,
                        labels: s.labels.map { JSONFeedParser.decodeLabels(p, $0)!.map { "\($0.name)=\($0.value)" } } ?? [],
                        values: s.valuesInScratch ? scratch.values : s.type == .set ? [] : [s.value],
                        members: s.valuesInScratch ? scratch.members.count : s.type == .set ? 1 : 0,
                        add: s.gaugeAdd, rate: s.sampleRate,
                        help: s.help.map { JSONFeedParser.decodeString(p, $0)! },
                        unit: s.unit.map { JSONFeedParser.decodeString(p, $0)! },
                        buckets: s.buckets.map { JSONFeedParser.decodeBuckets(p, $0) },
                        timestamp: s.timestampMilliseconds,
                        trace: s.exemplarTraceID.map { JSONFeedParser.decodeString(p, $0)! },
                        span: s.exemplarSpanID.map { JSONFeedParser.decodeString(p, $0)! })
                })
        }
    }
    return results
}

private func parse(_ line: String) -> [Result<Parsed, JSONFeedFailure>] { parseJSONFeedLine(line) }

@Suite struct JSONFeedParserTests {
    static let accepted: [(String, Parsed)] = [
        (#"{"name":"c","type":"counter","value":3}"#, Parsed(type: .counter, name: "c", values: [3])),
        (#"{"name":"g","type":"gauge","value":-2.5}"#, Parsed(type: .gauge, name: "g", values: [-2.5])),
        (#"{"name":"g","type":"gauge","value":4,"op":"add"}"#, Parsed(type: .gauge, name: "g", values: [4], add: true)),
        (#"{"name":"g","type":"gauge","value":4,"op":"set"}"#, Parsed(type: .gauge, name: "g", values: [4])),
        (#"{"name":"h","type":"histogram","value":[0.1,0.2,3]}"#, Parsed(type: .histogram, name: "h", values: [0.1, 0.2, 3])),
        (#"{"name":"s","type":"summary","value":1e-3}"#, Parsed(type: .summary, name: "s", values: [0.001])),
        (#"{"name":"t","type":"timer","value":42,"sample_rate":0.5}"#, Parsed(type: .timer, name: "t", values: [42], rate: 0.5)),
        (#"{"name":"u","type":"set","value":"alice"}"#, Parsed(type: .set, name: "u", members: 1)),
        (#"{"name":"u","type":"set","value":["a","b",7]}"#, Parsed(type: .set, name: "u", members: 3)),
        (
            #" { "type" : "counter" , "value" : 1 , "name" : "spaced" } "#,
            Parsed(type: .counter, name: "spaced", values: [1])
        ),
        (
            #"{"name":"n","type":"gauge","value":[1.5E2,-0,0.000001,12345678901234567890,2e+1,-3.25e-2]}"#,
            Parsed(type: .gauge, name: "n", values: [150, 0, 0.000001, 12345678901234567168, 20, -0.0325])
        ),
        (
            #"{"name":"l","type":"counter","value":1,"labels":{"route":"/api/users","city":"Zürich 東京","q":"a\"b\\c\nd\u00e9\ud83d\ude00"}}"#,
            Parsed(type: .counter, name: "l", labels: ["route=/api/users", "city=Zürich 東京", "q=a\"b\\c\nd\u{e9}😀"], values: [1])
        ),
        (#"{"name":"esc\u0061ped\/x","type":"counter","value":1}"#, Parsed(type: .counter, name: "escaped/x", values: [1])),
        (
            #"{"name":"all","type":"histogram","value":1,"help":"Latency.","unit":"seconds","buckets":[0.1,1,10],"timestamp":1700000000123,"exemplar":{"trace_id":"abc","span_id":"def"},"labels":{}}"#,
            Parsed(
                type: .histogram, name: "all", values: [1], help: "Latency.", unit: "seconds", buckets: [0.1, 1, 10],
                timestamp: 1_700_000_000_123, trace: "abc", span: "def")
        ),
        (#"{"name":"k","type":"counter","value":1,"na\u006de":"renamed"}"#, Parsed(type: .counter, name: "renamed", values: [1])),
        (#"{"name":"e","type":"counter","value":2.5E+3}"#, Parsed(type: .counter, name: "e", values: [2500])),
        (#"{"name":"e","type":"gauge","value":-1.5e-7}"#, Parsed(type: .gauge, name: "e", values: [-1.5e-7])),
        (#"{"name":"e","type":"gauge","value":123456789012345678}"#, Parsed(type: .gauge, name: "e", values: [Double("123456789012345678")!])),
        (#"{"name":"e","type":"gauge","value":1e-30}"#, Parsed(type: .gauge, name: "e", values: [1e-30])),
        (#"{"name":"w","type":"counter","value": 7 ,"labels": { "k" : "v" } }"#, Parsed(type: .counter, name: "w", labels: ["k=v"], values: [7])),
        (#"{"name":"d","type":"counter","value":"x","value":3}"#, Parsed(type: .counter, name: "d", values: [3])),
        (#"{"name":"d","type":"counter","value":1,"labels":{"a":"1"},"labels":{"b":"2"}}"#, Parsed(type: .counter, name: "d", labels: ["b=2"], values: [1])),
        (#"{"name":"d","type":"gauge","type":"counter","value":1}"#, Parsed(type: .counter, name: "d", values: [1])),
        (#"{"name":"u","type":"set","value":12.5e1}"#, Parsed(type: .set, name: "u", members: 1)),
        (#"{"name":"r","type":"counter","value":1,"sample_rate":1e-1}"#, Parsed(type: .counter, name: "r", values: [1], rate: 0.1)),
        (#"{"name":"z","type":"counter","value":1,"labels":{"k":"v\u0000w"}}"#, Parsed(type: .counter, name: "z", labels: ["k=v\u{0}w"], values: [1])),
        (#"{"n\u0061me":"k","t\u0079pe":"timer","\u0076alue":[1,2]}"#, Parsed(type: .timer, name: "k", values: [1, 2])),
        (#"{"name":"a_name_longer_than_sixteen_bytes\"with\\escapes","type":"counter","value":1}"#, Parsed(type: .counter, name: "a_name_longer_than_sixteen_bytes\"with\\escapes", values: [1])),
        (#"{"value":0,"type":"counter","name":"c"}"#, Parsed(type: .counter, name: "c", values: [0])),
    ]

    @Test(arguments: accepted)
    func parsesObject(line: String, expected: Parsed) {
        #expect(parse(line) == [.success(expected)])
    }

    @Test func parsesBatch() {
        let results = parse(#"[{"name":"a","type":"counter","value":1}, {"name":"b","type":"gauge","value":2} ]"#)
        #expect(
            results == [
                .success(Parsed(type: .counter, name: "a", values: [1])), .success(Parsed(type: .gauge, name: "b", values: [2])),
            ])
        #expect(parse("[]").isEmpty)
        #expect(parse("   ").isEmpty)
    }

    @Test func continuesBatchAfterBadObject() {
        let results = parse(#"[{"name":"a","type":"nope","value":1},{"name":"b","type":"counter","value":2}]"#)
        #expect(results == [.failure(.unknownType), .success(Parsed(type: .counter, name: "b", values: [2]))])
    }

    @Test func stopsBatchAtSyntaxError() {
        let results = parse(#"[{"name":"a","type":"counter","value":1},{"name":"b",,}]"#)
        #expect(results == [.success(Parsed(type: .counter, name: "a", values: [1])), .failure(.invalidJSON)])
    }

    static let rejected: [(String, JSONFeedFailure)] = [
        ("not json", .invalidJSON),
        (#"{"name":"a","type":"counter","value":1"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1}x"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":01}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1.}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":NaN}"#, .invalidJSON),
        (#"{"name":"a\q","type":"counter","value":1}"#, .invalidJSON),
        ("{\"name\":\"a\tb\",\"type\":\"counter\",\"value\":1}", .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,}"#, .invalidJSON),
        (#"[{"name":"a","type":"counter","value":1} {"name":"b"}]"#, .invalidJSON),
        (#"[1]"#, .invalidJSON),
        (#""just a string""#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,"x":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}"#, .tooDeep),
        (#"{"type":"counter","value":1}"#, .missingName),
        (#"{}"#, .missingName),
        (#"{"name":"","type":"counter","value":1}"#, .badName),
        (#"{"name":7,"type":"counter","value":1}"#, .badName),
        (#"{"name":"a","value":1}"#, .missingType),
        (#"{"name":"a","type":"meter","value":1}"#, .unknownType),
        (#"{"name":"a","type":1,"value":1}"#, .unknownType),
        (#"{"name":"a","type":"counter"}"#, .missingValue),
        (#"{"name":"a","type":"counter","value":"1"}"#, .badValue),
        (#"{"name":"a","type":"gauge","value":[]}"#, .badValue),
        (#"{"name":"a","type":"gauge","value":[1,"x"]}"#, .badValue),
        (#"{"name":"a","type":"gauge","value":null}"#, .badValue),
        (#"{"name":"a","type":"gauge","value":1e999}"#, .badValue),
        (#"{"name":"a","type":"set","value":{}}"#, .badValue),
        (#"{"name":"a","type":"counter","value":-1}"#, .negativeCounter),
        (#"{"name":"a","type":"counter","value":[1,-1]}"#, .negativeCounter),
        (#"{"name":"a","type":"counter","value":1,"sample_rate":0}"#, .badSampleRate),
        (#"{"name":"a","type":"counter","value":1,"sample_rate":1.5}"#, .badSampleRate),
        (#"{"name":"a","type":"counter","value":1,"sample_rate":"0.1"}"#, .badSampleRate),
        (#"{"name":"a","type":"counter","value":1,"labels":{"k":1}}"#, .badLabel),
        (#"{"name":"a","type":"counter","value":1,"labels":{"":"v"}}"#, .badLabel),
        (#"{"name":"a","type":"counter","value":1,"labels":["k"]}"#, .badLabel),
        (#"{"name":"a","type":"histogram","value":1,"buckets":[1,1]}"#, .badBuckets),
        (#"{"name":"a","type":"histogram","value":1,"buckets":[]}"#, .badBuckets),
        (#"{"name":"a","type":"histogram","value":1,"buckets":"1,2"}"#, .badBuckets),
        (#"{"name":"a","type":"summary","value":1,"buckets":[1]}"#, .badBuckets),
        (#"{"name":"a","type":"counter","value":1,"op":"add"}"#, .badField),
        (#"{"name":"a","type":"gauge","value":1,"op":"mul"}"#, .badField),
        (#"{"name":"a","type":"gauge","value":1,"help":3}"#, .badField),
        (#"{"name":"a","type":"gauge","value":1,"timestamp":"now"}"#, .badField),
        (#"{"name":"a","type":"gauge","value":1,"exemplar":{"trace_id":1}}"#, .badField),
        (#"{"name":"a","type":"gauge","value":1,"exemplar":{"other":"x"}}"#, .badField),
        (#"{"name":"a","type":"gauge","value":1,"lables":{"k":"v"}}"#, .unknownField),
        (#"{"name":"a","type":"counter","value":1,"extra":{"x":[1,{"y":null,"z":true}],"w":false}}"#, .unknownField),
        (#"{"name":"a","type":"counter","value":3,"value":"x"}"#, .badValue),
        (#"{"name":"a","type":"counter","value":-}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":-a}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1e}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1E+}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":+1}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":.5}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":true}"#, .badValue),
        (#"{"name":"a","type":"counter","value":tru}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":-0.5e1}"#, .negativeCounter),
        (#"{"name":"a","type":"counter","type":"meter","value":1}"#, .unknownType),
        (#"{"name":"a","type":"meter","type":"counter","value":1}"#, .unknownType),
        (#"{"name":"a","type":"c\u006funter","value":1}"#, .unknownType),
        (#"{"name":"a","type":"counter","value":1,"labels":{"k":"v\x"}}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,"labels":{"k":"\u12G4"}}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,"labels":{"k":"v"}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,"labels":{"k":"v",}}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,"labels":{"k" "v"}}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1}}"#, .invalidJSON),
        (#"{"name":"a","type":"counter""value":1}"#, .invalidJSON),
        (#"{"name":"a","type":"counter","value":1,"sample_rate":2e-1,"name":""}"#, .badName),
        (#"{"name":"a","type":"counter","value":1,"timestamp":1e3,"labels":{"k":2}}"#, .badLabel),
    ]

    @Test(arguments: rejected)
    func rejectsObject(line: String, reason: JSONFeedFailure) {
        #expect(parse(line) == [.failure(reason)])
    }

    /// Every field name's first letter written as a `\u` escape: the same line read by the general path only.
    static func escapingKeys(_ line: String) -> String {
        var text = line
        for key in ["name", "type", "value", "op", "sample_rate", "labels", "help", "unit", "buckets", "timestamp", "exemplar"] {
            let first = key.unicodeScalars.first!.value
            let escaped = "\\u00" + String(first, radix: 16) + key.dropFirst()
            text = text.replacingOccurrences(of: "\"\(key)\":", with: "\"\(escaped)\":")
            text = text.replacingOccurrences(of: "\"\(key)\" :", with: "\"\(escaped)\" :")
        }
        return text
    }

    @Test func fastAndGeneralPathsReadEveryLineAlike() {
        let lines = Self.accepted.map(\.0) + Self.rejected.map(\.0)
        for line in lines {
            let general = Self.escapingKeys(line)
            #expect(general != line || !line.contains("\"name\""), "\(line) not rewritten")
            #expect(parse(line) == parse(general), "\(line)")
            let batch = "[" + line + "," + line + "]"
            #expect(parse(batch) == parse("[" + general + "," + general + "]"), "\(batch)")
        }
    }

    @Test func rejectsEveryTruncationOfAnAcceptedLine() {
        for (line, _) in Self.accepted {
            let bytes = Array(line.utf8)
            for length in 1..<bytes.count {
                let prefix = String(decoding: bytes[..<length], as: UTF8.self)
                let whole = prefix.trimmingCharacters(in: .whitespaces) == line.trimmingCharacters(in: .whitespaces)
                let expected: [Result<Parsed, JSONFeedFailure>] =
                    whole ? parse(line) : prefix.allSatisfy(\.isWhitespace) ? [] : [.failure(.invalidJSON)]
                #expect(parse(prefix) == expected, "\(prefix)")
            }
        }
    }

    @Test func everyReasonHasADistinctLabel() {
        let labels = Set(JSONFeedFailure.allCases.map(\.label))
        #expect(labels.count == JSONFeedFailure.allCases.count)
    }
}
