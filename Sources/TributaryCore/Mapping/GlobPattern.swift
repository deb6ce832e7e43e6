/// One glob `match` of a mapping rule, split into dot-separated components.
///
/// statsd_exporter semantics: the name must have exactly as many components as the pattern (its FSM consumes
/// one name component per pattern component and accepts only after the last); a `*` component matches any one
/// component, including an empty one (`[^.]*`). As an extension (statsd_exporter rejects such patterns at
/// load), a component may also mix text and stars, `foo*bar`, with each `*` matching `[^.]*` greedily, as
/// the regex `^foo([^.]*)bar$` would. Captures are numbered by the order of the `*`s in the pattern.
package struct GlobPattern: Sendable, Hashable {
    package enum Component: Sendable, Hashable {
        /// Text that must equal the name's component byte for byte.
        case literal([UInt8])
        /// A whole-component `*`.
        case star
        /// Text around one or more `*`s: `pieces.count == stars + 1` (first and last may be empty).
        case partial(pieces: [[UInt8]])

        /// Number of captures this component produces.
        package var captureCount: Int {
            switch self {
            case .literal: 0
            case .star: 1
            case .partial(let pieces): pieces.count - 1
            }
        }
    }

    package let source: String
    package let components: [Component]
    /// Total number of `*`s, the highest `$n` a template of this rule may use.
    package let captureCount: Int

    /// Compiles `source`; nil when it is empty or has an empty component (leading, trailing or double dot).
    package init?(_ source: String) {
        let parts = source.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !source.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        var components: [Component] = []
        for part in parts {
            let bytes = Array(part)
            if bytes == [UInt8(ascii: "*")] {
                components.append(.star)
            } else if bytes.contains(UInt8(ascii: "*")) {
                let pieces = bytes.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map {
                    Array($0)
                }
                components.append(.partial(pieces: pieces))
            } else {
                components.append(.literal(bytes))
            }
        }
        self.source = source
        self.components = components
        self.captureCount = components.reduce(0) { $0 + $1.captureCount }
    }

    /// Matches a whole name outside the trie (for `explain` and tests); returns the captures, or nil.
    package func match(_ name: String) -> [Substring]? {
        let parts = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == self.components.count else { return nil }
        var captures: [Substring] = []
        for (component, part) in zip(self.components, parts) {
            let text = Substring(part)
            switch component {
            case .literal(let bytes):
                guard part.elementsEqual(bytes) else { return nil }
            case .star:
                captures.append(text)
            case .partial(let pieces):
                let bytes = Array(part)
                var ranges = [Int](repeating: 0, count: 2 * (pieces.count - 1))
                let matched = bytes.withUnsafeBufferPointer { buffer in
                    ranges.withUnsafeMutableBufferPointer { out in
                        Self.matchPartial(pieces: pieces, bytes: buffer, range: 0..<buffer.count, captures: out)
                    }
                }
                guard matched else { return nil }
                let utf8 = text.utf8
                for k in 0..<(pieces.count - 1) {
                    let lower = utf8.index(utf8.startIndex, offsetBy: ranges[2 * k])
                    let upper = utf8.index(utf8.startIndex, offsetBy: ranges[2 * k + 1])
                    captures.append(Substring(text.utf8[lower..<upper]))
                }
            }
        }
        return captures
    }

    /// Matches one name component (`bytes[range]`, no dots) against `foo*bar*baz` pieces, writing each star's
    /// capture as a pair of offsets (start, end) into `captures`. Stars are greedy, like `([^.]*)` in Go.
    /// Allocation-free.
    static func matchPartial(
        pieces: [[UInt8]], bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>,
        captures: UnsafeMutableBufferPointer<Int>
    ) -> Bool {
        let first = pieces[0]
        guard range.count >= first.count, Self.equal(bytes, at: range.lowerBound, first) else { return false }
        return Self.matchStars(
            pieces: pieces, star: 0, bytes: bytes, position: range.lowerBound + first.count, end: range.upperBound,
            captures: captures)
    }

    /// Matches star `star` (followed by `pieces[star + 1]`) and the rest, from `position`.
    private static func matchStars(
        pieces: [[UInt8]], star: Int, bytes: UnsafeBufferPointer<UInt8>, position: Int, end: Int,
        captures: UnsafeMutableBufferPointer<Int>
    ) -> Bool {
        let next = pieces[star + 1]
        let isLast = star + 2 == pieces.count
        if isLast {
            let captureEnd = end - next.count
            guard captureEnd >= position, Self.equal(bytes, at: captureEnd, next) else { return false }
            captures[2 * star] = position
            captures[2 * star + 1] = captureEnd
            return true
        }
        var captureEnd = end - next.count
        while captureEnd >= position {
            if Self.equal(bytes, at: captureEnd, next),
                Self.matchStars(
                    pieces: pieces, star: star + 1, bytes: bytes, position: captureEnd + next.count, end: end,
                    captures: captures)
            {
                captures[2 * star] = position
                captures[2 * star + 1] = captureEnd
                return true
            }
            captureEnd -= 1
        }
        return false
    }

    @inline(__always)
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, _ text: [UInt8]) -> Bool {
        guard offset + text.count <= bytes.count else { return false }
        var i = 0
        while i < text.count {
            if bytes[offset + i] != text[i] { return false }
            i += 1
        }
        return true
    }
}
