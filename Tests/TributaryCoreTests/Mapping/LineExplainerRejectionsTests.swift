import Testing

@testable import TributaryCore

/// `tributary emit` refuses what ingest would reject: the reasons come from the same parsers and route decision.
struct LineExplainerRejectionsTests {
    static let statsd: [(line: String, reasons: [String])] = [
        ("deploys:1|c|#env:prod", []),
        ("a:1|c:2|ms", []),
        ("_e{5,4}:title|text", []),
        ("x:abc|c", ["malformed_value"]),
        ("x:-1|c", ["illegal_negative_counter"]),
        ("x:1|q", ["illegal_event"]),
        ("tributary_lines_total:1|c", ["type_conflict"]),
        ("no value", ["malformed_line"]),
        ("", ["empty_line"]),
    ]

    @Test(arguments: statsd)
    func statsDLine(_ line: String, _ reasons: [String]) {
        #expect(LineExplainer(mapper: .empty).rejections(line: line) == reasons)
    }

    static let json: [(line: String, reasons: [String])] = [
        (#"{"name":"deploys_total","type":"counter","value":1,"labels":{"env":"prod"}}"#, []),
        (#"{"name":"x","type":"counter","value":1,"lables":{"a":"b"}}"#, ["unknown_field"]),
        (#"{"name":"x","type":"counter","value":"abc"}"#, ["bad_value"]),
        (#"[{"name":"x","type":"gauge","value":1},{"name":"y","type":"nope","value":1}]"#, ["unknown_type"]),
        (#"{"name":"tributary_x","type":"counter","value":1}"#, ["type_conflict"]),
        ("not json", ["invalid_json"]),
        ("", ["empty_line"]),
    ]

    @Test(arguments: json)
    func jsonLine(_ line: String, _ reasons: [String]) {
        #expect(LineExplainer(mapper: .empty).rejections(jsonLine: line) == reasons)
    }
}
