/// Field names and `type` values of the feed: a known-shape fast path that recognises them with one or two word
/// compares, and the general path (any escaping) it falls back to.
extension JSONFeedParser {
    /// The fields of the format.
    enum Field {
        case name, type, value, op, sampleRate, labels, help, unit, buckets, timestamp, exemplar, unknown
    }

    /// Reads the key string starting at `index` (on its opening quote) and leaves `index` after its closing quote;
    /// nil (and `index` unchanged) when the key is not one of the format's fields written plainly, or when fewer
    /// than 17 bytes remain — then the caller reads it with ``Scanner/string(_:_:)`` and ``field(_:_:)``.
    ///
    /// The fast path of the known object shape: the 8 or 16 bytes after the quote are compared, masked to the
    /// key's length plus its closing quote, with the key's bytes (little-endian words). A match means exactly
    /// this key with no escapes, so nothing is skipped that the general path would check.
    @inline(__always)
    static func knownField(_ p: UnsafeRawBufferPointer, _ index: inout Int) -> Field? {
        guard index + 17 <= p.count else { return nil }
        let a = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: index + 1, as: UInt64.self))
        let field: Field
        let length: Int  // the key and its closing quote
        switch UInt8(truncatingIfNeeded: a) {
        case UInt8(ascii: "n"):
            guard a & 0xFF_FFFF_FFFF == 0x22_656D_616E else { return nil }  // name"
            (field, length) = (.name, 5)
        case UInt8(ascii: "t"):
            if a & 0xFF_FFFF_FFFF == 0x22_6570_7974 {  // type"
                (field, length) = (.type, 5)
            } else if a == 0x6D61_7473_656D_6974, self.word(p, index + 9) & 0xFFFF == 0x2270 {  // timestam p"
                (field, length) = (.timestamp, 10)
            } else {
                return nil
            }
        case UInt8(ascii: "v"):
            guard a & 0xFFFF_FFFF_FFFF == 0x2265_756C_6176 else { return nil }  // value"
            (field, length) = (.value, 6)
        case UInt8(ascii: "l"):
            guard a & 0xFF_FFFF_FFFF_FFFF == 0x22_736C_6562_616C else { return nil }  // labels"
            (field, length) = (.labels, 7)
        case UInt8(ascii: "o"):
            guard a & 0xFF_FFFF == 0x22_706F else { return nil }  // op"
            (field, length) = (.op, 3)
        case UInt8(ascii: "h"):
            guard a & 0xFF_FFFF_FFFF == 0x22_706C_6568 else { return nil }  // help"
            (field, length) = (.help, 5)
        case UInt8(ascii: "u"):
            guard a & 0xFF_FFFF_FFFF == 0x22_7469_6E75 else { return nil }  // unit"
            (field, length) = (.unit, 5)
        case UInt8(ascii: "b"):
            guard a == 0x2273_7465_6B63_7562 else { return nil }  // buckets"
            (field, length) = (.buckets, 8)
        case UInt8(ascii: "e"):
            guard a == 0x7261_6C70_6D65_7865, p[index + 9] == UInt8(ascii: "\"") else { return nil }  // exemplar "
            (field, length) = (.exemplar, 9)
        case UInt8(ascii: "s"):
            guard a == 0x725F_656C_706D_6173, self.word(p, index + 9) & 0xFFFF_FFFF == 0x2265_7461 else {
                return nil  // sample_r ate"
            }
            (field, length) = (.sampleRate, 12)
        default:
            return nil
        }
        index += 1 + length
        return field
    }

    /// Reads the `type` string starting at `index` (on its opening quote) when it is one of the six types written
    /// plainly and 17 bytes remain, leaving `index` after its closing quote; nil (and `index` unchanged) otherwise.
    @inline(__always)
    static func knownType(_ p: UnsafeRawBufferPointer, _ index: inout Int) -> JSONFeedType? {
        guard index + 17 <= p.count else { return nil }
        let a = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: index + 1, as: UInt64.self))
        let type: JSONFeedType
        let length: Int
        switch UInt8(truncatingIfNeeded: a) {
        case UInt8(ascii: "c"):
            guard a == 0x2272_6574_6E75_6F63 else { return nil }  // counter"
            (type, length) = (.counter, 8)
        case UInt8(ascii: "g"):
            guard a & 0xFFFF_FFFF_FFFF == 0x2265_6775_6167 else { return nil }  // gauge"
            (type, length) = (.gauge, 6)
        case UInt8(ascii: "h"):
            guard a == 0x6172_676F_7473_6968, self.word(p, index + 9) & 0xFFFF == 0x226D else { return nil }  // histogra m"
            (type, length) = (.histogram, 10)
        case UInt8(ascii: "s"):
            if a == 0x2279_7261_6D6D_7573 {  // summary"
                (type, length) = (.summary, 8)
            } else if a & 0xFFFF_FFFF == 0x2274_6573 {  // set"
                (type, length) = (.set, 4)
            } else {
                return nil
            }
        case UInt8(ascii: "t"):
            guard a & 0xFFFF_FFFF_FFFF == 0x2272_656D_6974 else { return nil }  // timer"
            (type, length) = (.timer, 6)
        default:
            return nil
        }
        index += 1 + length
        return type
    }

    @inline(__always)
    private static func word(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The field a key's raw content names (the general path: any length, escapes decoded).
    static func field(_ p: UnsafeRawBufferPointer, _ key: Range<Int>) -> Field {
        if Scanner.contains(p, key, UInt8(ascii: "\\")) {
            // Rare: an escaped key; decode it and compare the text.
            guard let text = self.decodeString(p, key) else { return .unknown }
            return text.utf8.withContiguousStorageIfAvailable { self.field(UnsafeRawBufferPointer($0), 0..<$0.count) }
                ?? .unknown
        }
        switch key.count {
        case 2: return Scanner.equals(p, key, "op") ? .op : .unknown
        case 4:
            if Scanner.equals(p, key, "name") { return .name }
            if Scanner.equals(p, key, "type") { return .type }
            if Scanner.equals(p, key, "help") { return .help }
            if Scanner.equals(p, key, "unit") { return .unit }
            return .unknown
        case 5: return Scanner.equals(p, key, "value") ? .value : .unknown
        case 6: return Scanner.equals(p, key, "labels") ? .labels : .unknown
        case 7: return Scanner.equals(p, key, "buckets") ? .buckets : .unknown
        case 8: return Scanner.equals(p, key, "exemplar") ? .exemplar : .unknown
        case 9: return Scanner.equals(p, key, "timestamp") ? .timestamp : .unknown
        case 11: return Scanner.equals(p, key, "sample_rate") ? .sampleRate : .unknown
        default: return .unknown
        }
    }

    /// The type a `type` string's raw content names (the general path; escaped type names are not decoded, as
    /// before), or nil.
    static func type(_ p: UnsafeRawBufferPointer, _ text: Range<Int>) -> JSONFeedType? {
        switch text.count {
        case 3:
            if Scanner.equals(p, text, "set") { return .set }
        case 5:
            if Scanner.equals(p, text, "gauge") { return .gauge }
            if Scanner.equals(p, text, "timer") { return .timer }
        case 7:
            if Scanner.equals(p, text, "counter") { return .counter }
            if Scanner.equals(p, text, "summary") { return .summary }
        case 9:
            if Scanner.equals(p, text, "histogram") { return .histogram }
        default: break
        }
        return nil
    }
}
