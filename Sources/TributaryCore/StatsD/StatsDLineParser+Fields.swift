/// Type words and the DogStatsD fields the parser accepts without exporting them (for the explainer).
extension StatsDLineParser {
    /// The trailing components of a metric line that are accepted but change nothing: `e:…`, `card:…`, `T…`, and
    /// `c:<id>` or `#tags` when their label or dialect is off. For the explainer (slow: builds strings).
    package static func ignoredComponents(of line: UnsafeRawBufferPointer, dialects: TagDialects) -> [String] {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return [] }
        let components = line[(colon + 1)...].split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        var ignored: [String] = []
        for component in components.dropFirst(2) {
            guard let first = component.first else { continue }
            let text = String(decoding: component, as: UTF8.self)
            let ignore =
                switch first {
                case UInt8(ascii: "#"): !dialects.dogStatsD
                case UInt8(ascii: "c"): text.hasPrefix("card:") || (text.hasPrefix("c:") && !dialects.containerIDLabel)
                case UInt8(ascii: "e"): text.hasPrefix("e:")
                case UInt8(ascii: "T"): true
                default: false
                }
            if ignore { ignored.append(text) }
        }
        return ignored
    }

    /// `c`, `g`, `ms`, `h`, `d`, `s`.
    @inline(__always)
    package static func parseType(_ bytes: UnsafeRawBufferPointer) -> StatsDType? {
        switch bytes.count {
        case 1:
            switch bytes[0] {
            case UInt8(ascii: "c"): return .counter
            case UInt8(ascii: "g"): return .gauge
            case UInt8(ascii: "h"): return .histogram
            case UInt8(ascii: "d"): return .distribution
            case UInt8(ascii: "s"): return .set
            default: return nil
            }
        case 2:
            return bytes[0] == UInt8(ascii: "m") && bytes[1] == UInt8(ascii: "s") ? .timer : nil
        default:
            return nil
        }
    }
}
