/// One node of a YAML document, as composed by ``YAMLReader`` from libyaml's events: the tree the configuration
/// readers (mapping file, web config) walk, with YAML 1.1 scalar rules as Yams and Go's yaml.v2 apply them.
///
/// Typed values are read on demand (``bool``, ``double``, ``int``), so a value is what its reader asks for: a
/// plain `30` is the string "30" to a string key and the number 30 to a number key, as with a `Decodable` reader.
package enum YAMLNode: Sendable, Equatable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    /// Key/value pairs in the order written (duplicate keys kept; ``value(for:)`` takes the first).
    case mapping([YAMLPair])

    /// A plain `~`, `null`, `Null`, `NULL` or empty value (a quoted one is a string).
    package var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.isPlain else { return false }
        switch scalar.text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// A scalar's text, whatever it looks like (`30`, `true` and `"x"` all have one); nil for collections.
    package var string: String? {
        guard case .scalar(let scalar) = self else { return nil }
        return scalar.text
    }

    /// `true`/`yes`/`on` or `false`/`no`/`off`, any case, unquoted.
    package var bool: Bool? {
        guard case .scalar(let scalar) = self, scalar.isPlain else { return nil }
        switch scalar.text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A decimal or exponent number (`_` separators allowed), or `.inf`, `-.inf`, `.nan`; unquoted.
    package var double: Double? {
        guard case .scalar(let scalar) = self, scalar.isPlain else { return nil }
        switch scalar.text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            let digits = scalar.text.filter { $0 != "_" }
            guard let first = digits.first, first.isNumber || first == "-" || first == "+" || first == "." else {
                return nil  // Double("inf") and Double("nan") would accept what YAML spells .inf and .nan
            }
            return Double(digits)
        }
    }

    /// A decimal integer, or `0x` hex, `0o`/leading-`0` octal, `0b` binary (YAML 1.1); `_` separators allowed.
    package var int: Int? {
        guard case .scalar(let scalar) = self, scalar.isPlain else { return nil }
        var digits = Substring(scalar.text.filter { $0 != "_" })
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits != "0" else { return digits.isEmpty ? nil : 0 }
        let sign = negative ? "-" : ""
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int(sign + digits.dropFirst(prefix.count), radix: radix)
        }
        return Int(sign + digits)
    }

    /// The pairs of a mapping; nil for scalars and sequences.
    package var pairs: [YAMLPair]? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs
    }

    /// A mapping as a dictionary by key text (the first of duplicate keys wins); nil for scalars and sequences.
    package var dictionary: [String: YAMLNode]? {
        guard let pairs = self.pairs else { return nil }
        var result: [String: YAMLNode] = [:]
        for pair in pairs where result[pair.key.string ?? ""] == nil { result[pair.key.string ?? ""] = pair.value }
        return result
    }

    /// The items of a sequence; nil for scalars and mappings.
    package var items: [YAMLNode]? {
        guard case .sequence(let items) = self else { return nil }
        return items
    }

    /// In a mapping, the value of the first key whose text is `key`.
    package func value(for key: String) -> YAMLNode? {
        self.pairs?.first { $0.key.string == key }?.value
    }

    /// What the node is, for messages: "a mapping", "a list", "a string".
    package var kindDescription: String {
        switch self {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// A scalar's text and whether it was written plain (unquoted, untagged), which decides whether it may be read as
/// null, a boolean or a number.
package struct YAMLScalar: Sendable, Equatable {
    package var text: String
    package var isPlain: Bool

    package init(_ text: String, isPlain: Bool = true) {
        self.text = text
        self.isPlain = isPlain
    }
}

/// One `key: value` of a mapping.
package struct YAMLPair: Sendable, Equatable {
    package var key: YAMLNode
    package var value: YAMLNode

    package init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
