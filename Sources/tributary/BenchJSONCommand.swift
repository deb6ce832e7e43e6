import ArgumentParser
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TributaryCore
import TributaryServer

/// `tributary bench-json`: a load generator for the JSON feed.
///
/// Without `--socket`, parses and applies generated lines in process (one shard, one core) and prints
/// ns/sample. With `--socket PATH`, writes them to a running Tributary's `--json.listen-unix` socket; since
/// Tributary applies what it read before reading more, the write rate is its ingest rate.
struct BenchJSONCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary bench-json",
        abstract: "Measure JSON feed ingest speed (in process, or over a running Tributary's stream socket)."
    )

    @Option(help: "Objects to send.")
    var samples = 2_000_000

    @Option(help: "Distinct series (label values) cycled through.")
    var series = 100

    @Option(help: "Objects per line: 1 sends one object per line, more send batches (JSON arrays of objects).")
    var batch = 1

    @Option(help: "Unix stream socket of a running Tributary; omit to measure in process.")
    var socket: String?

    func validate() throws {
        guard self.batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard self.series >= 1 else { throw ValidationError("--series must be at least 1") }
    }

    /// One line per `batch` objects, cycling through `series` label values.
    static func chunk(series: Int, batch: Int) -> [UInt8] {
        var chunk: [UInt8] = []
        for index in 0..<series {
            let object = #"{"name":"http_request_duration_seconds","type":"histogram","value":0.042,"#
                + #""labels":{"route":"/api/users/\#(index)","method":"GET","status_code":"200"}}"#
            let position = index % batch
            let last = position == batch - 1 || index == series - 1
            if batch > 1 { chunk.append(position == 0 ? UInt8(ascii: "[") : UInt8(ascii: ",")) }
            chunk.append(contentsOf: object.utf8)
            if batch > 1 && last { chunk.append(UInt8(ascii: "]")) }
            if last { chunk.append(UInt8(ascii: "\n")) }
        }
        return chunk
    }

    func run() async throws {
        let chunk = Self.chunk(series: self.series, batch: self.batch)
        let rounds = max(1, self.samples / self.series)
        let total = rounds * self.series
        let start = DispatchTime.now().uptimeNanoseconds
        if let path = self.socket {
            try Self.send(chunk, rounds: rounds, to: path)
        } else {
            let shard = AggregationShard()
            chunk.withUnsafeBytes { bytes in
                for round in 0..<rounds { shard.applyJSON(lines: bytes, now: UInt64(round)) }
            }
            precondition(shard.snapshot().counts.jsonSamples == UInt64(total), "not every sample was applied")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = Double(total) / seconds
        print(
            "\(total) samples in \(String(printf: "%.3f", seconds)) s: \(String(printf: "%.0f", rate)) samples/s, "
                + "\(String(printf: "%.1f", 1e9 / rate)) ns/sample (\(self.socket == nil ? "in process" : "over the socket")"
                + (self.batch > 1 ? ", \(self.batch) objects per line)" : ")"))
    }

    private static func send(_ chunk: [UInt8], rounds: Int, to path: String) throws {
        #if canImport(Glibc)
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = Darwin.socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ValidationError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // A deep send buffer (up to the kernel's limit, net.core.wmem_max): the reader drains what is queued instead
        // of waiting for this writer to be scheduled again after each 200 KiB, so the rate is Tributary's.
        var sendBuffer: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, socklen_t(MemoryLayout<Int32>.size))
        let connected = UnixSocketFile.withSockaddr(path: path) { address, length in connect(fd, address, length) }
        guard connected == 0 else { throw ValidationError("connect \(path): \(String(cString: strerror(errno)))") }
        var batch: [UInt8] = []
        let copies = max(1, 256 * 1024 / chunk.count)
        for _ in 0..<copies { batch.append(contentsOf: chunk) }
        var remaining = rounds
        while remaining > 0 {
            let n = min(copies, remaining)
            let length = n * chunk.count
            var offset = 0
            try batch.withUnsafeBytes { bytes in
                while offset < length {
                    let written = write(fd, bytes.baseAddress! + offset, length - offset)
                    guard written > 0 else { throw ValidationError("write: \(String(cString: strerror(errno)))") }
                    offset += written
                }
            }
            remaining -= n
        }
    }
}
