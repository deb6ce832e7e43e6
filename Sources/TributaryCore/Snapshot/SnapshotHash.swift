/// FNV-1a, 64 bits: the checksum of a snapshot's header and of each record, and the hash of the mapping file a
/// snapshot was written under. Not cryptographic: it detects flipped bits and cut files, not tampering.
package enum SnapshotHash {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = Self.offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* Self.prime
        }
        return hash
    }

    package static func hash(_ bytes: [UInt8], from start: Int, to end: Int) -> UInt64 {
        bytes.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    package static func hash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { Self.hash(UnsafeRawBufferPointer($0)) }
    }
}
