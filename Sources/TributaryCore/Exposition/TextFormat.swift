/// Byte-level helpers for the Prometheus text exposition format 0.0.4.
package enum TextFormat {
    /// Appends a string's UTF-8 bytes: one copy from its contiguous storage (the generic `append(contentsOf:)` of a
    /// `String.UTF8View` costs several times more for the short names and label texts a scrape writes by the
    /// hundred thousand).
    @inline(__always)
    package static func appendUTF8(_ text: String, to bytes: inout [UInt8]) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: text.utf8) }
    }

    /// Appends a label value with `\`, `"` and newline escaped.
    @inline(__always)
    package static func appendEscapedLabelValue(_ value: String, to bytes: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: bytes.append(byte)
            }
        }
    }

    /// Appends `# HELP` text with `\` and newline escaped.
    package static func appendEscapedHelp(_ help: String, to bytes: inout [UInt8]) {
        // Almost every help text needs no escaping: one copy instead of a byte-by-byte append.
        let clean =
            help.utf8.withContiguousStorageIfAvailable { text in
                !text.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") }
            } ?? false
        if clean {
            appendUTF8(help, to: &bytes)
            return
        }
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: bytes.append(byte)
            }
        }
    }

    /// Appends a sample value the way Prometheus clients do: `NaN`, `+Inf`, `-Inf`, integers without
    /// a fraction, otherwise the shortest representation that round-trips.
    @inline(__always)
    package static func appendValue(_ value: Double, to bytes: inout [UInt8]) {
        if value.isNaN {
            bytes.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            bytes.append(contentsOf: (value > 0 ? "+Inf" : "-Inf").utf8)
        } else if value == value.rounded(.towardZero) && abs(value) < 1e15 {
            appendInteger(Int64(value), to: &bytes)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    @inline(__always)
    package static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64) = (0, 0)  // scratch for up to 16 digits, little-endian nibbles
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            while magnitude > 0 {
                scratch[count] = UInt8(magnitude % 10) + UInt8(ascii: "0")
                magnitude /= 10
                count += 1
            }
            while count > 0 {
                count -= 1
                bytes.append(scratch[count])
            }
        }
    }

    /// Writes `# HELP name help\n# TYPE name type\n`.
    package static func appendHeader(name: String, help: String, type: String, to bytes: inout [UInt8]) {
        appendUTF8("# HELP ", to: &bytes)
        appendUTF8(name, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        appendEscapedHelp(help, to: &bytes)
        appendUTF8("\n# TYPE ", to: &bytes)
        appendUTF8(name, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        appendUTF8(type, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes `name{labels,extra="value"} sample\n`; `labelText` is prerendered (`k="v",…`).
    @inline(__always)
    package static func appendSample(
        name: String, suffix: String = "", labelText: String, extraLabel: String? = nil, extraValue: String? = nil,
        value: Double, to bytes: inout [UInt8]
    ) {
        appendUTF8(name, to: &bytes)
        if !suffix.isEmpty { appendUTF8(suffix, to: &bytes) }
        let hasExtra = extraLabel != nil
        if !labelText.isEmpty || hasExtra {
            bytes.append(UInt8(ascii: "{"))
            appendUTF8(labelText, to: &bytes)
            if let extraLabel, let extraValue {
                if !labelText.isEmpty { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: extraLabel.utf8)
                bytes.append(contentsOf: "=\"".utf8)
                bytes.append(contentsOf: extraValue.utf8)
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        appendValue(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A bound or quantile as a label value (`0.005`, `1`, `+Inf`), as client_golang writes it.
    package static func formatBound(_ value: Double) -> String {
        var bytes: [UInt8] = []
        appendValue(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
