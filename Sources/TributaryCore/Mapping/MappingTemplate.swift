/// A `name` or label value template of a mapping rule: literal text with `$n`, `${n}` or `${name}` references
/// to capture groups.
///
/// Parsed with Go's `regexp.Expand` rules, which statsd_exporter applies to regex rules (and, in effect, to
/// glob rules): `$name` takes the *longest* run of `[A-Za-z0-9_]`, so `$1_total` refers to a group called
/// `1_total` (write `${1}_total`); `$$` is a literal `$`; a `$` not followed by a name is kept literally.
/// Unlike statsd_exporter, which silently expands a missing group to the empty string, `CompiledMapper.load`
/// rejects templates that refer to groups the match cannot produce.
package struct MappingTemplate: Sendable, Hashable {
    package enum Segment: Sendable, Hashable {
        case literal(String)
        /// A numbered group; 0 is the whole regex match.
        case group(Int)
        /// A named regex group (`(?P<name>…)`).
        case namedGroup(String)
    }

    package let source: String
    package let segments: [Segment]

    /// True when the template has no references (it expands to its literal text).
    package var isConstant: Bool {
        self.segments.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The text with each reference replaced by `placeholder` (used to validate names statically).
    package func withPlaceholders(_ placeholder: String) -> String {
        var out = ""
        for segment in self.segments {
            switch segment {
            case .literal(let text): out += text
            case .group, .namedGroup: out += placeholder
            }
        }
        return out
    }

    package init(_ source: String) {
        self.source = source
        var segments: [Segment] = []
        var literal = ""
        let scalars = Array(source.unicodeScalars)
        var i = 0
        func isNameScalar(_ s: Unicode.Scalar) -> Bool {
            s.isASCII && MetricNameEscaping.isNameByte(UInt8(s.value))
        }
        func flush() {
            if !literal.isEmpty {
                segments.append(.literal(literal))
                literal = ""
            }
        }
        while i < scalars.count {
            let scalar = scalars[i]
            guard scalar == "$", i + 1 < scalars.count else {
                literal.unicodeScalars.append(scalar)
                i += 1
                continue
            }
            if scalars[i + 1] == "$" {
                literal.append("$")
                i += 2
                continue
            }
            var name = ""
            var next = i + 1
            if scalars[next] == "{" {
                var j = next + 1
                while j < scalars.count, isNameScalar(scalars[j]) {
                    name.unicodeScalars.append(scalars[j])
                    j += 1
                }
                if name.isEmpty || j >= scalars.count || scalars[j] != "}" {
                    name = ""
                } else {
                    next = j + 1
                }
            } else {
                var j = next
                while j < scalars.count, isNameScalar(scalars[j]) {
                    name.unicodeScalars.append(scalars[j])
                    j += 1
                }
                next = j
            }
            if name.isEmpty {
                // Malformed reference: Go keeps the `$` as text.
                literal.append("$")
                i += 1
                continue
            }
            flush()
            if name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), name.utf8.count <= 8,
                let number = Int(name)
            {
                segments.append(.group(number))
            } else {
                segments.append(.namedGroup(name))
            }
            i = next
        }
        flush()
        self.segments = segments
    }

    /// Expands the template; `capture` returns the text of a group, or nil for a group that did not participate
    /// (expanded as the empty string, like Go).
    package func expand(_ capture: (Segment) -> Substring?) -> String {
        if self.segments.count == 1, case .literal(let text) = self.segments[0] { return text }
        var out = ""
        var i = 0
        while i < self.segments.count {  // not `for … in`: unspecialized iterators allocate in debug builds
            let segment = self.segments[i]
            i += 1
            switch segment {
            case .literal(let text): out += text
            case .group, .namedGroup: out += capture(segment) ?? ""
            }
        }
        return out
    }
}
