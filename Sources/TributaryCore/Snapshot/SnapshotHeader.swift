/// The fixed header of a snapshot file, and the layout of what follows.
///
/// ```
/// header   "TRBSNAP\0" · version u32 · shard count u32 · written at (wall-clock s) f64 · mapping hash u64 ·
///          FNV-1a of the preceding 32 bytes u64
/// record*  "TRBR" · payload length u32 · payload · FNV-1a of the payload u64
///          payload: shard u32 · family · series count u32 · series*   (one record per family and shard)
/// end      "TRBE" · record count u32 · FNV-1a of those 8 bytes u64
/// ```
/// All integers little-endian, doubles as IEEE 754 bits. A record is the unit of loss: a flipped bit drops the
/// family whose record it hit (the reader finds the next record by its marker, even when the bit hit a length), a
/// cut file the families after the cut.
package struct SnapshotHeader: Sendable, Equatable {
    package static let magic: [UInt8] = Array("TRBSNAP\0".utf8)
    /// The format this build writes and reads; any other version is dropped as a whole.
    package static let currentVersion: UInt32 = 1
    package static let byteCount = 40
    /// "TRBR", the first 4 bytes of every record, as a little-endian `UInt32`.
    package static let recordMarker: UInt32 = 0x5242_5254
    /// "TRBE", the first 4 bytes of the end record.
    package static let endMarker: UInt32 = 0x4542_5254

    package var version: UInt32 = Self.currentVersion
    /// Shards of the writing process (`--statsd.ingest-threads`); a restore with as many puts each family back in
    /// its shard, else in shard `index % count`.
    package var shardCount: UInt32
    /// Wall-clock seconds since the epoch at the write.
    package var writtenAtSeconds: Double
    /// ``SnapshotHash`` of the mapping file's text (0 without one): when it differs at restore, every family is
    /// checked against the current mapping.
    package var mappingHash: UInt64

    package init(shardCount: UInt32, writtenAtSeconds: Double, mappingHash: UInt64) {
        self.shardCount = shardCount
        self.writtenAtSeconds = writtenAtSeconds
        self.mappingHash = mappingHash
    }

    func encode(into encoder: inout SnapshotEncoder) {
        let start = encoder.bytes.count
        encoder.append(contentsOf: Self.magic)
        encoder.write(self.version)
        encoder.write(self.shardCount)
        encoder.write(self.writtenAtSeconds)
        encoder.write(self.mappingHash)
        encoder.write(SnapshotHash.hash(encoder.bytes, from: start, to: encoder.bytes.count))
    }

    /// Reads and checks the header: magic, checksum, then version (a checksum failure is reported before a version
    /// mismatch, so a flipped bit in the version is not mistaken for another format).
    static func decode(
        from decoder: inout SnapshotDecoder, bytes: UnsafeRawBufferPointer, verify: Bool = true
    ) throws(SnapshotFailure) -> Self {
        let start = decoder.offset
        guard decoder.remaining >= Self.byteCount else {
            throw decoder.remaining >= 8 && Array(bytes[start..<start + 8]) == Self.magic ? .truncated : .notASnapshot
        }
        for byte in Self.magic where try decoder.readUInt8() != byte { throw .notASnapshot }
        let version = try decoder.readUInt32()
        let shardCount = try decoder.readUInt32()
        let writtenAt = try decoder.readDouble()
        let mappingHash = try decoder.readUInt64()
        let expected = SnapshotHash.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<decoder.offset]))
        guard try decoder.readUInt64() == expected || !verify else { throw .checksumMismatch }
        guard version == Self.currentVersion else { throw .incompatibleVersion }
        guard shardCount > 0, writtenAt.isFinite else { throw .invalidValue }
        var header = Self(shardCount: shardCount, writtenAtSeconds: writtenAt, mappingHash: mappingHash)
        header.version = version
        return header
    }
}
