import CZlib
import NIOCore

/// One-shot gzip compression (RFC 1952) with the system zlib.
///
/// Used for `/metrics` bodies when the scraper sends `Accept-Encoding: gzip`. Each call allocates and frees its
/// own `z_stream`, so it is safe from any thread; call it off the event loop for large bodies.
package enum Gzip {
    /// Why compression failed; carries zlib's return code.
    package struct Failure: Error, CustomStringConvertible {
        package var code: Int32
        package var description: String { "zlib error \(self.code)" }
    }

    /// Compression level 1 (fastest) to 9 (smallest); `Z_DEFAULT_COMPRESSION` (6) like Go's `gzip.NewWriter`.
    package static let defaultLevel: Int32 = Z_DEFAULT_COMPRESSION
    /// Level for `/metrics`: zlib's fastest. Exposition text is repetitive, so level 1 still shrinks it about
    /// tenfold, at a fraction of the default level's CPU (a 10 MB scrape: ~4× faster).
    package static let scrapeLevel: Int32 = Z_BEST_SPEED

    /// Returns `bytes` as a complete gzip member (header, deflate stream, CRC-32 and size trailer).
    package static func compress(_ bytes: [UInt8], level: Int32 = defaultLevel) throws(Failure) -> [UInt8] {
        let bound = self.bound(bytes.count)
        var output = [UInt8](repeating: 0, count: bound)
        let result = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in self.deflate(input, into: out, level: level) }
        }
        switch result {
        case .success(let written):
            output.removeLast(bound - written)
            return output
        case .failure(let failure):
            throw failure
        }
    }

    /// Appends the gzip encoding of `bytes` to `buffer`.
    package static func compress(
        _ bytes: [UInt8], into buffer: inout ByteBuffer, level: Int32 = defaultLevel
    ) throws(Failure) {
        let bound = self.bound(bytes.count)
        var result: Result<Int, Failure> = .success(0)
        bytes.withUnsafeBytes { input in
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { out in
                result = self.deflate(input, into: UnsafeMutableRawBufferPointer(rebasing: out[..<bound]), level: level)
                return (try? result.get()) ?? 0
            }
        }
        _ = try result.get()
    }

    /// Appends the gzip encoding of the readable bytes of `source` to `buffer`.
    package static func compress(
        _ source: ByteBuffer, into buffer: inout ByteBuffer, level: Int32 = defaultLevel
    ) throws(Failure) {
        try self.compress(Array(source.readableBytesView), into: &buffer, level: level)
    }

    /// An output size that always suffices: zlib's worst case for stored blocks plus the gzip header and trailer.
    private static func bound(_ count: Int) -> Int {
        count + (count >> 12) + (count >> 14) + (count >> 25) + 13 + 18 + 64
    }

    /// Runs one `deflate(Z_FINISH)` from `input` into `out`; returns the bytes written.
    private static func deflate(
        _ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, level: Int32
    ) -> Result<Int, Failure> {
        var stream = z_stream()
        // windowBits 15 + 16 asks zlib for a gzip wrapper instead of a zlib one; memLevel 8 is zlib's default.
        var code = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)
        )
        guard code == Z_OK else { return .failure(Failure(code: code)) }
        defer { deflateEnd(&stream) }
        // zlib does not write through next_in; nil is fine for empty input.
        stream.next_in = input.baseAddress.map {
            UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
        }
        stream.avail_in = uInt(input.count)
        stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(out.count)
        code = CZlib.deflate(&stream, Z_FINISH)
        guard code == Z_STREAM_END else { return .failure(Failure(code: code)) }
        return .success(out.count - Int(stream.avail_out))
    }
}
