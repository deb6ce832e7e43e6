import Testing

@testable import TributaryCore

/// The trie must give the same answer as trying every glob in file order, and its cost must not grow with
/// the number of rules.
struct GlobTrieTests {
    @Test func lookupCostDoesNotGrowWithRuleCount() throws {
        func mapper(services: Int) throws -> CompiledMapper {
            var yaml = "mappings:\n"
            for i in 0..<services {
                yaml += "- match: \"svc\(i).*.count\"\n  name: \"svc\(i)_count\"\n  labels: {op: \"$1\"}\n"
                yaml += "- match: \"svc\(i).*.time\"\n  name: \"svc\(i)_seconds\"\n"
            }
            return try CompiledMapper.load(yaml: yaml)
        }
        let small = try mapper(services: 5)
        let large = try mapper(services: 2000)
        #expect(large.ruleCount == 4000)
        for m in [small, large] {
            var visits = 0
            let outcome = m.map(name: "svc3.get.count", type: .counter, visits: &visits)
            #expect(outcome.name == "svc3_count")
            #expect(outcome.labels.first?.value == "get")
            // root, svc3, *, count: one node per component plus the root.
            #expect(visits == 4)
            visits = 0
            _ = m.map(name: "nothing.to.see", type: .counter, visits: &visits)
            #expect(visits <= 1)
        }
    }

    @Test func trieAgreesWithLinearScan() throws {
        // Deterministic pseudo-random names over a small alphabet so that many rules overlap.
        let patterns = [
            "a.*.c", "a.b.*", "*.b.c", "a.b.c", "*.*.*", "a.*", "*.b", "b*.c", "a.b*.c*", "*.*", "c.*.a.*",
            "a.b.c.d", "*.c.*.d", "x*y.z",
        ]
        var yaml = "mappings:\n"
        for (i, p) in patterns.enumerated() {
            let type = ["", "counter", "gauge", "observer"][i % 4]
            yaml += "- match: \"\(p)\"\n  name: \"r\(i)\"\n"
            if !type.isEmpty { yaml += "  match_metric_type: \(type)\n" }
        }
        let mapper = try CompiledMapper.load(yaml: yaml)
        let pieces = ["a", "b", "c", "d", "bb", "cc", "ba", "", "xy", "xzy"]
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        for _ in 0..<3000 {
            let count = 1 + next(4)
            let name = (0..<count).map { _ in pieces[next(pieces.count)] }.joined(separator: ".")
            let type = StatsDType.allCases[next(StatsDType.allCases.count)]
            let expected = mapper.rules.first { $0.glob?.match(name) != nil && $0.accepts(type) }
            let outcome = mapper.map(name: name, type: type)
            #expect(outcome.ruleIndex == expected?.index, "\(name) \(type)")
            if let expected, let captures = expected.glob?.match(name) {
                let viaPattern = expected.outcome { segment in
                    guard case .group(let n) = segment, n >= 1, n <= captures.count else { return nil }
                    return captures[n - 1]
                }
                #expect(outcome == viaPattern, "\(name)")
            }
        }
    }
}
