/// All glob rules of a mapping compiled into one trie over name components (statsd_exporter's FSM).
///
/// Each node has hashed literal edges (one dictionary probe per name component, whatever the number of rules),
/// a list of the partial-component edges (`foo*bar`) leaving that node, and at most one `*` edge. Terminal
/// nodes hold, per `match_metric_type` class (counter, gauge, observer), the first rule (lowest index) ending
/// there; a rule without `match_metric_type` is entered for all three classes.
///
/// Lookup is a depth-first search, pruned by the component count still to match (each node knows the
/// shortest and longest remaining pattern below it) and by the lowest rule index below each node:
/// - with ordering (the default), the result is the matching rule with the lowest index, as if rules were tried
///   in file order; subtrees that cannot beat the best match so far are skipped;
/// - with `glob_disable_ordering`, at each component a literal edge is tried before partial edges and those
///   before `*`, and the first complete match wins ("`*` has lower priority than a general string").
///
/// Lookup allocates nothing: name bytes are read in place, component bounds and captures live in
/// `withUnsafeTemporaryAllocation` (stack) buffers, recursion depth is the component count.
package struct GlobTrie: Sendable {
    struct LiteralEdge: Sendable {
        var bytes: [UInt8]
        var child: Int32
    }

    struct PartialEdge: Sendable {
        var pieces: [[UInt8]]
        var child: Int32
    }

    struct Node: Sendable {
        var literal: [UInt64: [LiteralEdge]] = [:]
        var partial: [PartialEdge] = []
        var star: Int32 = -1
        /// First rule ending here, per class index; `Int32.max` when none.
        var terminal: (Int32, Int32, Int32) = (.max, .max, .max)
        /// Lowest rule index of any terminal in this subtree (including here), per class.
        var subtreeMin: (Int32, Int32, Int32) = (.max, .max, .max)
        /// Fewest and most components still to match below this node to reach a terminal.
        var minRemaining = Int.max
        var maxRemaining = -1

        func terminal(_ classIndex: Int) -> Int32 {
            switch classIndex {
            case 0: self.terminal.0
            case 1: self.terminal.1
            default: self.terminal.2
            }
        }

        func subtreeMin(_ classIndex: Int) -> Int32 {
            switch classIndex {
            case 0: self.subtreeMin.0
            case 1: self.subtreeMin.1
            default: self.subtreeMin.2
            }
        }
    }

    private(set) var nodes: [Node] = [Node()]
    package let orderingDisabled: Bool
    /// Most captures of any pattern (size of the capture buffers).
    private(set) var maxCaptureCount = 0

    package var isEmpty: Bool { self.nodes.count == 1 }

    package init(orderingDisabled: Bool) {
        self.orderingDisabled = orderingDisabled
    }

    /// The class index a `match_metric_type` class uses in the trie.
    static func classIndex(_ type: MatchMetricType) -> Int {
        switch type {
        case .counter: 0
        case .gauge: 1
        case .observer: 2
        }
    }

    /// Adds a rule; rules must be added in file order (the first rule for a pattern and class wins).
    package mutating func insert(_ pattern: GlobPattern, ruleIndex: Int, matchMetricType: MatchMetricType?) {
        let classes = matchMetricType.map { [Self.classIndex($0)] } ?? [0, 1, 2]
        let rule = Int32(ruleIndex)
        let count = pattern.components.count
        self.maxCaptureCount = max(self.maxCaptureCount, pattern.captureCount)
        var path: [Int] = [0]
        var current = 0
        for component in pattern.components {
            current = self.child(of: current, for: component)
            path.append(current)
        }
        for (depth, node) in path.enumerated() {
            let remaining = count - depth
            self.nodes[node].minRemaining = min(self.nodes[node].minRemaining, remaining)
            self.nodes[node].maxRemaining = max(self.nodes[node].maxRemaining, remaining)
            for classIndex in classes {
                Self.lower(&self.nodes[node].subtreeMin, classIndex, to: rule)
            }
        }
        for classIndex in classes {
            Self.lower(&self.nodes[current].terminal, classIndex, to: rule)
        }
    }

    private static func lower(_ triple: inout (Int32, Int32, Int32), _ classIndex: Int, to value: Int32) {
        switch classIndex {
        case 0: triple.0 = min(triple.0, value)
        case 1: triple.1 = min(triple.1, value)
        default: triple.2 = min(triple.2, value)
        }
    }

    /// The child of `node` along `component`, created when missing.
    private mutating func child(of node: Int, for component: GlobPattern.Component) -> Int {
        switch component {
        case .star:
            if self.nodes[node].star >= 0 { return Int(self.nodes[node].star) }
            let child = self.newNode()
            self.nodes[node].star = Int32(child)
            return child
        case .literal(let bytes):
            let hash = bytes.withUnsafeBufferPointer { Self.hash($0, 0..<$0.count) }
            if let edge = self.nodes[node].literal[hash]?.first(where: { $0.bytes == bytes }) {
                return Int(edge.child)
            }
            let child = self.newNode()
            self.nodes[node].literal[hash, default: []].append(LiteralEdge(bytes: bytes, child: Int32(child)))
            return child
        case .partial(let pieces):
            if let edge = self.nodes[node].partial.first(where: { $0.pieces == pieces }) { return Int(edge.child) }
            let child = self.newNode()
            self.nodes[node].partial.append(PartialEdge(pieces: pieces, child: Int32(child)))
            return child
        }
    }

    private mutating func newNode() -> Int {
        self.nodes.append(Node())
        return self.nodes.count - 1
    }

    /// FNV-1a over `bytes[range]`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in range {
            hash = (hash ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Finds the rule for `name` of class `type`; calls `body` with the rule index, the captures as
    /// (start, end) UTF-8 offset pairs into `bytes`, and the name's bytes. Returns nil when no glob matches.
    ///
    /// `visits` is incremented once per trie node examined (to check that lookups do not scan all rules).
    package func lookup<R>(
        name: String, type: MatchMetricType, visits: inout Int,
        _ body: (_ rule: Int, _ captures: UnsafeBufferPointer<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> R
    ) -> R? {
        if self.isEmpty { return nil }
        var name = name
        return name.withUTF8 { bytes -> R? in
            var componentCount = 1
            for byte in bytes where byte == UInt8(ascii: ".") { componentCount += 1 }
            // Quick reject: no pattern has this many components.
            guard componentCount >= self.nodes[0].minRemaining, componentCount <= self.nodes[0].maxRemaining else {
                return nil
            }
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: componentCount + 1) { starts -> R? in
                var c = 0
                starts[0] = 0
                for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") {
                    c += 1
                    starts[c] = i + 1
                }
                starts[componentCount] = bytes.count + 1
                let slots = max(2 * self.maxCaptureCount, 1)
                return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * slots) { buffer -> R? in
                    var state = SearchState(
                        bytes: bytes, starts: UnsafeBufferPointer(starts), componentCount: componentCount,
                        classIndex: Self.classIndex(type),
                        captures: UnsafeMutableBufferPointer(rebasing: buffer[0..<slots]),
                        best: UnsafeMutableBufferPointer(rebasing: buffer[slots..<(2 * slots)]))
                    _ = self.visit(node: 0, depth: 0, captureCount: 0, state: &state)
                    visits += state.visits
                    guard state.bestRule != .max else { return nil }
                    return body(
                        Int(state.bestRule),
                        UnsafeBufferPointer(rebasing: state.best[0..<(2 * state.bestCaptureCount)]),
                        bytes)
                }
            }
        }
    }

    private struct SearchState {
        let bytes: UnsafeBufferPointer<UInt8>
        /// Component `i` is `starts[i] ..< starts[i + 1] - 1`.
        let starts: UnsafeBufferPointer<Int>
        let componentCount: Int
        let classIndex: Int
        let captures: UnsafeMutableBufferPointer<Int>
        let best: UnsafeMutableBufferPointer<Int>
        var bestRule: Int32 = .max
        var bestCaptureCount = 0
        var visits = 0
    }

    /// Whether `child` can still lead to a better match with `remainingAfter` components left after it.
    @inline(__always)
    private func isViable(_ child: Int32, _ remainingAfter: Int, _ state: SearchState) -> Bool {
        let node = self.nodes[Int(child)]
        return node.subtreeMin(state.classIndex) < state.bestRule && remainingAfter >= node.minRemaining
            && remainingAfter <= node.maxRemaining
    }

    /// Depth-first search from `node`, which has consumed `depth` components; returns true to stop the search.
    private func visit(node index: Int32, depth: Int, captureCount: Int, state: inout SearchState) -> Bool {
        state.visits += 1
        let node = self.nodes[Int(index)]
        if depth == state.componentCount {
            let rule = node.terminal(state.classIndex)
            if rule < state.bestRule {
                state.bestRule = rule
                state.bestCaptureCount = captureCount
                var i = 0
                while i < 2 * captureCount {
                    state.best[i] = state.captures[i]
                    i += 1
                }
                return self.orderingDisabled
            }
            return false
        }
        let remainingAfter = state.componentCount - depth - 1
        let lower = state.starts[depth]
        let upper = state.starts[depth + 1] - 1
        // Index loops rather than `for … in`: unspecialized iterators allocate in debug builds.
        if !node.literal.isEmpty, let edges = node.literal[Self.hash(state.bytes, lower..<upper)] {
            var i = 0
            while i < edges.count {
                let edge = edges[i]
                i += 1
                guard edge.bytes.count == upper - lower, GlobPattern.equal(state.bytes, at: lower, edge.bytes),
                    self.isViable(edge.child, remainingAfter, state)
                else { continue }
                if self.visit(node: edge.child, depth: depth + 1, captureCount: captureCount, state: &state) {
                    return true
                }
            }
        }
        var p = 0
        while p < node.partial.count {
            let edge = node.partial[p]
            p += 1
            guard self.isViable(edge.child, remainingAfter, state) else { continue }
            let captures = UnsafeMutableBufferPointer(rebasing: state.captures[(2 * captureCount)...])
            if GlobPattern.matchPartial(
                pieces: edge.pieces, bytes: state.bytes, range: lower..<upper, captures: captures),
                self.visit(
                    node: edge.child, depth: depth + 1, captureCount: captureCount + edge.pieces.count - 1,
                    state: &state)
            {
                return true
            }
        }
        if node.star >= 0, self.isViable(node.star, remainingAfter, state) {
            state.captures[2 * captureCount] = lower
            state.captures[2 * captureCount + 1] = upper
            if self.visit(node: node.star, depth: depth + 1, captureCount: captureCount + 1, state: &state) {
                return true
            }
        }
        return false
    }
}
