import Testing

@testable import TributaryServer

/// statsd_exporter's relay packing: lines plus `\n`, packets of at most `packetLength` bytes, long lines skipped.
struct StatsDRelayTests {
    struct PackCase: Sendable, CustomTestStringConvertible {
        var input: [String]
        var packetLength: Int
        var packets: [String]
        var lines: Int
        var long: Int
        var testDescription: String { "\(self.input) in \(self.packetLength)-byte packets" }
    }

    @Test(arguments: [
        PackCase(input: ["a:1|c\n"], packetLength: 1400, packets: ["a:1|c\n"], lines: 1, long: 0),
        // No trailing newline, CRLF and empty lines: every non-empty line, its bytes as received.
        PackCase(input: ["a:1|c\r\n\nb:2|g"], packetLength: 1400, packets: ["a:1|c\r\nb:2|g\n"], lines: 2, long: 0),
        // Exactly full packets: 4 lines of 4 bytes + newline fill 10-byte packets two by two.
        PackCase(input: ["aaaa\nbbbb\ncccc\ndddd\n"], packetLength: 10, packets: ["aaaa\nbbbb\n", "cccc\ndddd\n"], lines: 4, long: 0),
        // A line that does not fit is sent in the next packet.
        PackCase(input: ["aaaa\nbbbbb\n"], packetLength: 10, packets: ["aaaa\n", "bbbbb\n"], lines: 2, long: 0),
        // A line longer than packetLength - 1 is not relayed; the others around it are.
        PackCase(input: ["aaaa\n0123456789\nbbbb\n"], packetLength: 10, packets: ["aaaa\nbbbb\n"], lines: 2, long: 1),
        PackCase(input: ["012345678\n"], packetLength: 10, packets: ["012345678\n"], lines: 1, long: 0),
        PackCase(input: ["0123456789\n"], packetLength: 10, packets: [], lines: 0, long: 1),
        // Batches continue the open packet.
        PackCase(input: ["aa\n", "bb\n", "cc\n"], packetLength: 9, packets: ["aa\nbb\ncc\n"], lines: 3, long: 0),
        PackCase(input: ["", "\n\n"], packetLength: 9, packets: [], lines: 0, long: 0),
    ])
    func packsLines(_ testCase: PackCase) {
        var packer = RelayPacker(packetLength: testCase.packetLength)
        var packets: [String] = []
        let send: (UnsafeRawBufferPointer) -> Void = { packets.append(String(decoding: $0, as: UTF8.self)) }
        for batch in testCase.input {
            Array(batch.utf8).withUnsafeBytes { packer.add($0, send: send) }
        }
        packer.flush(send: send)
        #expect(packets == testCase.packets)
        #expect(packer.takeLines() == testCase.lines)
        #expect(packer.takeLongLines() == testCase.long)
        #expect(packets.allSatisfy { $0.utf8.count <= testCase.packetLength })
    }

    @Test(arguments: [("", 0), ("a", 1), ("a\n", 1), ("a\n\nb", 2), ("\n\n", 0), ("a\r\nb\n", 2)])
    func countsDroppedLines(_ text: String, _ expected: Int) {
        #expect(Array(text.utf8).withUnsafeBytes { StatsDRelay.countLines($0) } == expected)
    }
}
