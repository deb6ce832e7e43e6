/// Counts the distinct values of each label name over one family's series, for ``CardinalityReport``.
///
/// Reads each series' rendered label text (`k="v",k2="v2"`, values escaped) in place: a value is hashed from its
/// bytes, and a `String` is made only for a label name seen the first time and for the few example values.
enum LabelCensus {
    private struct Tally {
        var name: [UInt8]
        var hashes: Set<Int> = []
        var examples: [String] = []
    }

    static func labels(of family: Family, in series: [SeriesRecord], examples: Int) -> [CardinalityReport.Label] {
        var tallies: [Tally] = []
        for id in family.series {
            var text = series[Int(id)].labelText
            if text.isEmpty { continue }
            text.withUTF8 { bytes in Self.count(bytes, into: &tallies, examples: examples) }
        }
        return
            tallies
            .map {
                CardinalityReport.Label(
                    name: String(decoding: $0.name, as: UTF8.self), distinctValues: $0.hashes.count,
                    exampleValues: $0.examples)
            }
            .sorted { ($1.distinctValues, $0.name) < ($0.distinctValues, $1.name) }
    }

    /// Adds the labels of one label text to `tallies`.
    private static func count(_ bytes: UnsafeBufferPointer<UInt8>, into tallies: inout [Tally], examples: Int) {
        let equals = UInt8(ascii: "="), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var i = 0
        var position = 0
        while i < bytes.count {
            let nameStart = i
            while i < bytes.count && bytes[i] != equals { i += 1 }
            let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<i])
            i += 2  // `="`
            guard i <= bytes.count else { return }
            let valueStart = i
            while i < bytes.count && bytes[i] != quote { i += bytes[i] == backslash ? 2 : 1 }
            guard i <= bytes.count else { return }
            let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<i])
            i += 2  // `",`
            // Series of one family usually carry the same names in the same order: try the same position first.
            let index: Int
            if position < tallies.count && tallies[position].name.elementsEqual(name) {
                index = position
            } else if let found = tallies.firstIndex(where: { $0.name.elementsEqual(name) }) {
                index = found
            } else {
                tallies.append(Tally(name: Array(name)))
                index = tallies.count - 1
            }
            position = index + 1
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(value))
            if tallies[index].hashes.insert(hasher.finalize()).inserted && tallies[index].examples.count < examples {
                tallies[index].examples.append(Self.unescape(value))
            }
        }
    }

    /// A label value as sent: `\\`, `\"` and `\n` undone.
    private static func unescape(_ value: UnsafeBufferPointer<UInt8>) -> String {
        guard value.contains(UInt8(ascii: "\\")) else { return String(decoding: value, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.count)
        var i = 0
        while i < value.count {
            if value[i] == UInt8(ascii: "\\") && i + 1 < value.count {
                bytes.append(value[i + 1] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : value[i + 1])
                i += 2
            } else {
                bytes.append(value[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
