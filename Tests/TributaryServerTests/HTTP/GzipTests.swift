import NIOCore
import Testing

@testable import TributaryServer

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 100, 70_000, 1_000_000])
    func roundTripsThroughInflate(size: Int) throws {
        var input: [UInt8] = []
        input.reserveCapacity(size)
        var seed: UInt32 = 12345
        for index in 0..<size {
            // Half text-like, half pseudo-random so both compressible and incompressible runs appear.
            seed = seed &* 1_103_515_245 &+ 12345
            input.append(index % 2 == 0 ? UInt8(ascii: "a") + UInt8(index % 26) : UInt8(truncatingIfNeeded: seed >> 16))
        }
        let compressed = try Gzip.compress(input)
        #expect(compressed.prefix(2) == [0x1f, 0x8b])  // gzip magic
        #expect(try TestHTTPClient.gunzip(compressed) == input)
    }

    @Test func compressesIntoByteBufferAfterExistingBytes() throws {
        let text = Array(String(repeating: "tributary_lines_total 42\n", count: 1000).utf8)
        var buffer = ByteBuffer(string: "prefix")
        try Gzip.compress(text, into: &buffer)
        #expect(buffer.readString(length: 6) == "prefix")
        let compressed = buffer.readBytes(length: buffer.readableBytes)!
        #expect(compressed.count < text.count / 10)
        #expect(try TestHTTPClient.gunzip(compressed) == text)

        var fromBuffer = ByteBuffer()
        try Gzip.compress(ByteBuffer(bytes: text), into: &fromBuffer)
        #expect(try TestHTTPClient.gunzip(Array(fromBuffer.readableBytesView)) == text)
    }
}
