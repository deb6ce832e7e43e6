extension GlobTrie {
    /// The trie as a Graphviz dot graph, in the layout of statsd_exporter's `--debug.dump-fsm` (`pkg/mapper/fsm`):
    /// left to right, unlabelled circles, one edge per name component labelled with its pattern text (`*` for a
    /// whole-component star), nodes numbered breadth-first from the start state 0 (red). A node where a rule ends
    /// is green, with the first rule ending there per `match_metric_type` class as its tooltip and external label.
    ///
    /// ```sh
    /// tributary --statsd.mapping-config=mapping.yml --debug.dump-fsm=fsm.dot &
    /// dot -Tsvg fsm.dot > fsm.svg
    /// ```
    package var dot: String {
        var out = "digraph g {\nrankdir=LR\nnode [ label=\"\",style=filled,fillcolor=white,shape=circle ]\n"
        // Breadth first, children in a stable order: literal edges by text, then partial edges, then `*`.
        var order: [Int32] = [0]
        var number: [Int32: Int] = [0: 0]
        var next = 0
        while next < order.count {
            let index = order[next]
            let from = number[index]!
            next += 1
            let node = self.nodes[Int(index)]
            var edges: [(label: String, child: Int32)] = node.literal.values.flatMap { $0 }
                .map { (String(decoding: $0.bytes, as: UTF8.self), $0.child) }
                .sorted { $0.label < $1.label }
            edges += node.partial.map { edge in
                (edge.pieces.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "*"), edge.child)
            }
            if node.star >= 0 { edges.append(("*", node.star)) }
            for edge in edges {
                let to = order.count
                order.append(edge.child)
                number[edge.child] = to
                out += "\(from) -> \(to)  [label = \"\(Self.dotEscaped(edge.label))\"];\n"
            }
        }
        for (position, index) in order.enumerated() {
            let node = self.nodes[Int(index)]
            let rules = [("counter", node.terminal.0), ("gauge", node.terminal.1), ("observer", node.terminal.2)]
                .filter { $0.1 != .max }
            guard !rules.isEmpty else { continue }
            let text = rules.map { "\($0.0): rule \($0.1)" }.joined(separator: "\\n")
            out += "\(position) [color=\"#82B366\",fillcolor=\"#D5E8D4\",xlabel=\"\(text)\",tooltip=\"\(text)\"];\n"
        }
        out += "0 [color=\"#a94442\",fillcolor=\"#f2dede\"];\n}\n"
        return out
    }

    /// A dot string literal's content: `"` and `\` escaped, newlines as `\n`.
    static func dotEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
