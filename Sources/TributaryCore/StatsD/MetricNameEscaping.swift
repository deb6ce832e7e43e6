/// statsd_exporter's name escaping (`pkg/mapper/escape.go`), byte for byte.
///
/// Every Unicode scalar outside `[a-zA-Z0-9_]` becomes one `_`; a leading digit gets a `_` prefix.
/// Used for metric names and for tag keys, so dashboards built on statsd_exporter keep working.
package enum MetricNameEscaping {
    @inline(__always)
    package static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// Escapes a name; returns it unchanged when nothing needs escaping.
    package static func escape(_ name: String) -> String {
        var name = name
        let clean = name.withUTF8 { bytes in
            !bytes.isEmpty && !(bytes[0] >= UInt8(ascii: "0") && bytes[0] <= UInt8(ascii: "9")) && bytes.allSatisfy(isNameByte)
        }
        if clean || name.isEmpty { return name }
        var out = ""
        out.reserveCapacity(name.utf8.count + 1)
        if let first = name.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") {
            out.append("_")
        }
        for scalar in name.unicodeScalars {
            if scalar.isASCII, isNameByte(UInt8(scalar.value)) {
                out.unicodeScalars.append(scalar)
            } else {
                out.append("_")
            }
        }
        return out
    }

    /// True when `name` is a valid Prometheus metric name in the legacy scheme (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    package static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") { return false }
        return name.utf8.allSatisfy { isNameByte($0) || $0 == UInt8(ascii: ":") }
    }

    /// True when `name` is a valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`).
    package static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") { return false }
        return name.utf8.allSatisfy(isNameByte)
    }
}
