import Testing

@testable import TributaryCore

struct MappingTemplateTests {
    typealias Segment = MappingTemplate.Segment

    @Test(
        arguments: [
            ("plain", [Segment.literal("plain")]),
            ("$1", [.group(1)]),
            ("${1}_total", [.group(1), .literal("_total")]),
            ("$1_total", [.namedGroup("1_total")]),
            ("a$2b", [.literal("a"), .namedGroup("2b")]),
            ("a${2}b", [.literal("a"), .group(2), .literal("b")]),
            ("x-$1-$0", [.literal("x-"), .group(1), .literal("-"), .group(0)]),
            ("${name}", [.namedGroup("name")]),
            ("$$1", [.literal("$1")]),
            ("cost $", [.literal("cost $")]),
            ("$-", [.literal("$-")]),
            ("${1", [.literal("${1")]),
        ] as [(String, [Segment])])
    func parsesWithGoExpandRules(_ text: String, _ segments: [Segment]) {
        #expect(MappingTemplate(text).segments == segments)
    }

    @Test func expandsCapturesAndEmptyForMissingGroups() {
        let template = MappingTemplate("${1}-${2}-$3")
        let text = template.expand { segment in
            if case .group(1) = segment { return "a" }
            if case .group(2) = segment { return "b" }
            return nil
        }
        #expect(text == "a-b-")
        #expect(template.withPlaceholders("x") == "x-x-x")
        #expect(!template.isConstant)
        #expect(MappingTemplate("fixed").isConstant)
    }
}
