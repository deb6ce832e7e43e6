import Testing

@testable import TributaryCore

/// `--debug.dump-fsm`: the trie as a dot graph in statsd_exporter's layout.
struct GlobTrieDotTests {
    @Test func writesEveryEdgeAndTerminal() throws {
        let mapper = try CompiledMapper.load(
            yaml: """
                mappings:
                - match: "web.*.requests"
                  name: web_requests_total
                - match: "web.*.latency"
                  match_metric_type: observer
                  name: web_latency_seconds
                - match: "db.q*x.count"
                  name: db_total
                - match: "say.\\"hi\\".now"
                  name: quoted
                """)
        let dot = mapper.globTrie.dot
        #expect(dot.hasPrefix("digraph g {\nrankdir=LR\nnode [ label=\"\",style=filled,fillcolor=white,shape=circle ]\n"))
        #expect(dot.hasSuffix("0 [color=\"#a94442\",fillcolor=\"#f2dede\"];\n}\n"))
        // Breadth first, literal edges sorted: db, say, web from the start state.
        #expect(dot.contains("0 -> 1  [label = \"db\"];\n0 -> 2  [label = \"say\"];\n0 -> 3  [label = \"web\"];\n"))
        #expect(dot.contains("[label = \"q*x\"]"))
        #expect(dot.contains("[label = \"*\"]"))
        #expect(dot.contains("[label = \"\\\"hi\\\"\"]"))
        let edges = dot.split(separator: "\n").filter { $0.contains(" -> ") }
        #expect(edges.count == 10)  // web, *, requests, latency, db, q*x, count, say, "hi", now
        #expect(dot.contains("xlabel=\"counter: rule 0\\ngauge: rule 0\\nobserver: rule 0\""))
        #expect(dot.contains("xlabel=\"observer: rule 1\""))
    }

    @Test func emptyMapperIsTheStartStateOnly() {
        let dot = CompiledMapper.empty.globTrie.dot
        #expect(!dot.contains("->"))
        #expect(dot.contains("0 [color=\"#a94442\""))
    }
}
