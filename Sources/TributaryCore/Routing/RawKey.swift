/// Hashing of raw byte keys for ``RawKeyTable``: whole byte strings, and keys in parts read in place from a line
/// (``Segmented``). The hash is fast, not keyed: tables compare the key bytes on every hit.
package enum RawKey {
    /// A fast 64-bit hash of a byte string (8 bytes per step, then a final avalanche).
    @inline(__always)
    package static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        Self.finalize(Self.absorb(key, into: 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)))
    }

    /// A key in three parts, read straight from a line: `prefix` (the type), the name section and the tags.
    package struct Segmented {
        package var prefix: UInt8
        package var name: UnsafeRawBufferPointer
        package var tags: UnsafeRawBufferPointer?

        @inline(__always)
        package init(prefix: UInt8, name: UnsafeRawBufferPointer, tags: UnsafeRawBufferPointer?) {
            self.prefix = prefix
            self.name = name
            self.tags = tags
        }

        /// Length of the stored form `prefix name [0xFF tags]`.
        @inline(__always)
        var storedCount: Int { 1 + self.name.count + (self.tags.map { 1 + $0.count } ?? 0) }

        /// The hash of the parts (not equal to ``RawKey/hash(_:)`` of the stored form).
        @inline(__always)
        package var hash: UInt64 {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(self.prefix) << 48) ^ UInt64(self.name.count)
            h = RawKey.absorb(self.name, into: h)
            if let tags = self.tags {
                h = RawKey.absorb(tags, into: h ^ (UInt64(tags.count) << 32 | 0xFF))
            }
            return RawKey.finalize(h)
        }
    }

    @inline(__always)
    static func absorb(_ bytes: UnsafeRawBufferPointer, into state: UInt64) -> UInt64 {
        var h = state
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        return (h ^ tail) &* 0x94D0_49BB_1331_11EB
    }

    @inline(__always)
    static func finalize(_ state: UInt64) -> UInt64 {
        var h = state
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}
