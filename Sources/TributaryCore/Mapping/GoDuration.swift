/// Parses Go duration strings (`time.ParseDuration`), as statsd_exporter's YAML uses them for `ttl` and
/// `max_age`.
///
/// Accepted: an optional sign, then one or more `<decimal><unit>` pairs (`1h30m`, `1.5s`, `300ms`), with units
/// `ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`; or a bare `0`. A number without a unit (`30`) is rejected,
/// as in Go.
package enum GoDuration {
    /// Returns the duration in seconds, or nil when `text` is not a Go duration.
    package static func parseSeconds(_ text: String) -> Double? {
        var scalars = Substring(text).unicodeScalars[...]
        var sign = 1.0
        if let first = scalars.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            scalars = scalars.dropFirst()
        }
        if String(scalars) == "0" { return 0 }
        if scalars.isEmpty { return nil }
        var total = 0.0
        while !scalars.isEmpty {
            // Number: digits, optional fraction; at least one digit overall.
            var number = ""
            var digits = 0
            while let c = scalars.first, ("0"..."9").contains(c) {
                number.unicodeScalars.append(c)
                digits += 1
                scalars = scalars.dropFirst()
            }
            if let c = scalars.first, c == "." {
                number.append(".")
                scalars = scalars.dropFirst()
                while let c = scalars.first, ("0"..."9").contains(c) {
                    number.unicodeScalars.append(c)
                    digits += 1
                    scalars = scalars.dropFirst()
                }
            }
            guard digits > 0, let value = Double(number.hasSuffix(".") ? number + "0" : number) else { return nil }
            // Unit: a run of non-digit, non-dot scalars.
            var unit = ""
            while let c = scalars.first, !("0"..."9").contains(c), c != "." {
                unit.unicodeScalars.append(c)
                scalars = scalars.dropFirst()
            }
            guard let multiplier = Self.unitSeconds(unit) else { return nil }
            total += value * multiplier
        }
        return sign * total
    }

    private static func unitSeconds(_ unit: String) -> Double? {
        switch unit {
        case "ns": 1e-9
        case "us", "\u{00B5}s", "\u{03BC}s": 1e-6
        case "ms": 1e-3
        case "s": 1
        case "m": 60
        case "h": 3600
        default: nil
        }
    }
}
