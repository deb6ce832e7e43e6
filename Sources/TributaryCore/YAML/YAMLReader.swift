import CYAML

/// Parses YAML text into a ``YAMLNode`` tree with the system's libyaml (the C parser Yams bundles, without Yams'
/// Foundation-based resolver: the binary then links no Foundation, which is most of its resident memory at start).
///
/// One document per text, as Yams' `compose` and statsd_exporter read it; anchors and aliases are resolved; a
/// `!!str` tag or quotes make a scalar a string. Pure: no I/O.
package enum YAMLReader {
    /// Why the text is not YAML: libyaml's problem and where (1-based line and column).
    package struct Failure: Error, CustomStringConvertible, Equatable, Sendable {
        package var description: String
    }

    /// The document's root, or nil for an empty text (no document, or one with no content).
    package static func parse(_ text: String) throws(Failure) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(description: "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = Composer()
            return try composer.run(&parser)
        }
    }

    /// Builds nodes from the event stream: a stack of open collections, anchors by name.
    private struct Composer {
        private enum Open {
            case sequence([YAMLNode], anchor: String?)
            case mapping([YAMLPair], pendingKey: YAMLNode?, anchor: String?)
        }
        private var stack: [Open] = []
        private var anchors: [String: YAMLNode] = [:]
        private var root: YAMLNode?
        private var documents = 0

        mutating func run(_ parser: inout yaml_parser_t) throws(Failure) -> YAMLNode? {
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw Self.failure(parser) }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return self.root
                case YAML_DOCUMENT_START_EVENT:
                    self.documents += 1
                    if self.documents > 1 {
                        let mark = event.start_mark
                        throw Failure(
                            description:
                                "line \(mark.line + 1), column \(mark.column + 1): expected a single document, found a second one")
                    }
                case YAML_SCALAR_EVENT:
                    let data = event.data.scalar
                    let text = Self.string(data.value, count: data.length)
                    // Plain means: no quotes and no tag other than the implicit one.
                    let plain = data.style == YAML_PLAIN_SCALAR_STYLE && data.plain_implicit == 1
                    let node = YAMLNode.scalar(YAMLScalar(text, isPlain: plain))
                    try self.add(node, anchor: Self.optionalString(data.anchor), at: event.start_mark)
                case YAML_ALIAS_EVENT:
                    let name = Self.optionalString(event.data.alias.anchor) ?? ""
                    guard let node = self.anchors[name] else {
                        let mark = event.start_mark
                        throw Failure(description: "line \(mark.line + 1), column \(mark.column + 1): unknown alias *\(name)")
                    }
                    try self.add(node, anchor: nil, at: event.start_mark)
                case YAML_SEQUENCE_START_EVENT:
                    self.stack.append(.sequence([], anchor: Self.optionalString(event.data.sequence_start.anchor)))
                case YAML_MAPPING_START_EVENT:
                    self.stack.append(
                        .mapping([], pendingKey: nil, anchor: Self.optionalString(event.data.mapping_start.anchor)))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    switch self.stack.removeLast() {
                    case .sequence(let items, let anchor):
                        try self.add(.sequence(items), anchor: anchor, at: event.start_mark)
                    case .mapping(let pairs, _, let anchor):
                        try self.add(.mapping(Self.merged(pairs)), anchor: anchor, at: event.start_mark)
                    }
                default:
                    continue  // stream and document boundaries carry nothing we keep
                }
            }
        }

        /// Puts a finished node into the open collection (or makes it the root) and records its anchor.
        private mutating func add(_ node: YAMLNode, anchor: String?, at mark: yaml_mark_t) throws(Failure) {
            if let anchor { self.anchors[anchor] = node }
            guard let top = self.stack.popLast() else {
                self.root = node
                return
            }
            switch top {
            case .sequence(var items, let anchor):
                items.append(node)
                self.stack.append(.sequence(items, anchor: anchor))
            case .mapping(var pairs, let pendingKey, let anchor):
                if let pendingKey {
                    pairs.append(YAMLPair(key: pendingKey, value: node))
                    self.stack.append(.mapping(pairs, pendingKey: nil, anchor: anchor))
                } else {
                    self.stack.append(.mapping(pairs, pendingKey: node, anchor: anchor))
                }
            }
        }

        /// Applies YAML merge keys (`<<: *base` or `<<: [*a, *b]`): the merged mappings' pairs follow the written
        /// ones, and a key written in the mapping (or in an earlier merged one) wins, as in Yams and yaml.v2.
        private static func merged(_ pairs: [YAMLPair]) -> [YAMLPair] {
            func isMergeKey(_ node: YAMLNode) -> Bool {
                guard case .scalar(let scalar) = node else { return false }
                return scalar.isPlain && scalar.text == "<<"
            }
            guard pairs.contains(where: { isMergeKey($0.key) }) else { return pairs }
            var result = pairs.filter { !isMergeKey($0.key) }
            var seen = Set(result.compactMap(\.key.string))
            for pair in pairs where isMergeKey(pair.key) {
                let sources = pair.value.items ?? [pair.value]
                for source in sources {
                    // A merge value that is not a mapping is kept as a plain `<<` key, for the reader to reject.
                    guard let merged = source.pairs else {
                        result.append(pair)
                        continue
                    }
                    for entry in merged where seen.insert(entry.key.string ?? "").inserted { result.append(entry) }
                }
            }
            return result
        }

        private static func string(_ pointer: UnsafeMutablePointer<UInt8>?, count: Int) -> String {
            guard let pointer else { return "" }
            return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
        }

        private static func optionalString(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: pointer)
        }

        private static func failure(_ parser: yaml_parser_t) -> Failure {
            let problem = parser.problem.map { String(cString: $0) } ?? "cannot parse"
            let mark = parser.problem_mark
            var text = "line \(mark.line + 1), column \(mark.column + 1): \(problem)"
            if let context = parser.context.map({ String(cString: $0) }) { text += " (\(context))" }
            return Failure(description: text)
        }
    }
}
