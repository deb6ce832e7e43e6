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
        return (h ^ Self.tail(bytes, from: index)) &* 0x94D0_49BB_1331_11EB
    }

    /// The last `count - start` (< 8) bytes as a little-endian number — what a byte-by-byte loop would build — read
    /// with at most three loads that stay inside the buffer (overlapping ones, their bytes shifted into place), so
    /// the hash of a line's key takes no loop over its last bytes.
    @inline(__always)
    static func tail(_ bytes: UnsafeRawBufferPointer, from start: Int) -> UInt64 {
        let count = bytes.count
        let remaining = count &- start
        if remaining <= 0 { return 0 }
        if count >= 8 {
            let last = bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            return last &>> UInt64(truncatingIfNeeded: (8 &- remaining) &* 8)
        }
        // The whole key is shorter than a word (start == 0).
        if count >= 4 {
            let low = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(bytes.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            return low | high &<< UInt64(truncatingIfNeeded: (count &- 4) &* 8)
        }
        let middle = count >> 1
        return UInt64(bytes[0]) | UInt64(bytes[middle]) &<< UInt64(truncatingIfNeeded: middle &* 8)
            | UInt64(bytes[count &- 1]) &<< UInt64(truncatingIfNeeded: (count &- 1) &* 8)
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
