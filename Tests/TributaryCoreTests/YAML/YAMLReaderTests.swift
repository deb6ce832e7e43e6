import Testing

@testable import TributaryCore

/// The YAML reader on libyaml: tree shape, YAML 1.1 scalars as Yams and yaml.v2 read them, anchors, errors.
struct YAMLReaderTests {
    private func root(_ text: String) throws -> YAMLNode {
        try #require(try YAMLReader.parse(text))
    }

    @Test func emptyTextHasNoDocument() throws {
        #expect(try YAMLReader.parse("") == nil)
        #expect(try YAMLReader.parse("# only a comment\n") == nil)
    }

    @Test func keepsMappingOrderAndNesting() throws {
        let node = try self.root("b: 1\na:\n  - x\n  - {y: z}\n")
        #expect(node.pairs?.map { $0.key.string } == ["b", "a"])
        let items = try #require(node.value(for: "a")?.items)
        #expect(items.count == 2)
        #expect(items[0].string == "x")
        #expect(items[1].value(for: "y")?.string == "z")
        #expect(node.value(for: "missing") == nil)
    }

    @Test func plainScalarsReadAsNullBoolAndNumbers() throws {
        let node = try self.root(
            "n1: ~\nn2: null\nn3:\nb1: yes\nb2: Off\ni1: 0x1f\ni2: 010\ni3: -1_000\nd1: 1.5e3\nd2: -.inf\nd3: .NaN\n")
        for key in ["n1", "n2", "n3"] { #expect(node.value(for: key)?.isNull == true) }
        #expect(node.value(for: "b1")?.bool == true)
        #expect(node.value(for: "b2")?.bool == false)
        #expect(node.value(for: "i1")?.int == 31)
        #expect(node.value(for: "i2")?.int == 8)
        #expect(node.value(for: "i3")?.int == -1000)
        #expect(node.value(for: "d1")?.double == 1500)
        #expect(node.value(for: "d2")?.double == -.infinity)
        #expect(node.value(for: "d3")?.double?.isNaN == true)
        // Any scalar has text: a number key read as a string is its spelling.
        #expect(node.value(for: "i1")?.string == "0x1f")
    }

    @Test func quotedOrTaggedScalarsAreStringsOnly() throws {
        let node = try self.root("a: 'null'\nb: \"true\"\nc: !!str 12\nd: '1.5'\n")
        #expect(node.value(for: "a")?.isNull == false)
        #expect(node.value(for: "a")?.string == "null")
        #expect(node.value(for: "b")?.bool == nil)
        #expect(node.value(for: "c")?.int == nil)
        #expect(node.value(for: "c")?.string == "12")
        #expect(node.value(for: "d")?.double == nil)
    }

    @Test func wordsAreNotNumbers() throws {
        let node = try self.root("a: inf\nb: nan\nc: 1.5x\nd: 1.5\n")
        #expect(node.value(for: "a")?.double == nil)
        #expect(node.value(for: "b")?.double == nil)
        #expect(node.value(for: "c")?.double == nil)
        #expect(node.value(for: "d")?.int == nil)
    }

    @Test func resolvesAliases() throws {
        let node = try self.root("base: &b {x: 1}\nuse: *b\n")
        #expect(node.value(for: "use") == node.value(for: "base"))
        #expect(node.value(for: "use")?.value(for: "x")?.int == 1)
    }

    @Test func reportsSyntaxErrorsWithLine() {
        #expect {
            _ = try YAMLReader.parse("a: [1, 2\nb: c\n")
        } throws: { error in
            String(describing: error).hasPrefix("line ")
        }
        #expect {
            _ = try YAMLReader.parse("a: *nowhere\n")
        } throws: { error in
            String(describing: error).contains("nowhere")
        }
    }

    @Test func rejectsASecondDocument() {
        #expect {
            _ = try YAMLReader.parse("a: 1\n---\nb: 2\n")
        } throws: { error in
            String(describing: error).contains("single document")
        }
    }
}

extension YAMLReaderTests {
    @Test func mergeKeysAddPairsThatAreNotWritten() throws {
        let node = try self.root("a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  x: 0\n  <<: [*a, *b]\n")
        let c = try #require(node.value(for: "c"))
        #expect(c.pairs?.map { $0.key.string } == ["x", "y", "z"])
        #expect(c.value(for: "x")?.int == 0)
        #expect(c.value(for: "y")?.int == 2)
        #expect(c.value(for: "z")?.int == 4)
    }
}
