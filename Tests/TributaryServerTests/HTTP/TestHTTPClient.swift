import CZlib
import NIOCore
import NIOPosix

/// A raw HTTP/1.1 client for tests: writes request bytes as given, reads until the server closes the connection,
/// and splits the bytes into responses by `Content-Length`.
enum TestHTTPClient {
    struct Response {
        var statusLine: String
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    /// Sends `raw` (should end with a request carrying `Connection: close`) and returns all responses.
    ///
    /// - Parameters:
    ///   - group: the client's event loops.
    ///   - timeout: closes the connection after this long, cutting off a response that has not arrived.
    static func exchange(
        port: Int, _ raw: String, headResponses: Set<Int> = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, timeout: TimeAmount? = nil
    ) async throws -> [Response] {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        if let timeout {
            channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        }
        try await channel.writeAndFlush(ByteBuffer(string: raw)).get()
        try await channel.closeFuture.get()
        let bytes = try await channel.eventLoop.submit { collector.bytes }.get()
        return try self.parse(bytes, headResponses: headResponses)
    }

    /// One request with `Connection: close`.
    static func request(
        port: Int, method: String = "GET", path: String, headers: [String] = [], body: String = "",
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, timeout: TimeAmount? = nil
    ) async throws -> Response {
        var raw = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for header in headers { raw += header + "\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { raw += "Content-Length: \(body.utf8.count)\r\n" }
        raw += "\r\n" + body
        let responses = try await self.exchange(
            port: port, raw, headResponses: method == "HEAD" ? [0] : [], group: group, timeout: timeout)
        guard responses.count == 1 else { throw TestError("expected 1 response, got \(responses.count)") }
        return responses[0]
    }

    struct TestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Splits a byte stream into responses; those at `headResponses` (answers to HEAD) carry a Content-Length but
    /// no body.
    static func parse(_ bytes: [UInt8], headResponses: Set<Int>) throws -> [Response] {
        var responses: [Response] = []
        var index = 0
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while index < bytes.count {
            guard let end = self.find(separator, in: bytes, from: index) else {
                throw TestError("incomplete head: \(String(decoding: bytes[index...], as: UTF8.self))")
            }
            let headText = String(decoding: bytes[index..<end], as: UTF8.self)
            var lines = headText.split(separator: "\r\n").map(String.init)
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestError("bad status \(statusLine)") }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingSpaces()
                headers[name] = headers[name].map { $0 + ", " + value } ?? value
            }
            var bodyStart = end + separator.count
            var length = Int(headers["content-length"] ?? "0") ?? 0
            let rest = bytes.count - bodyStart
            if headResponses.contains(responses.count) { length = 0 }
            length = min(length, rest)
            responses.append(
                Response(
                    statusLine: statusLine, status: status, headers: headers,
                    body: Array(bytes[bodyStart..<bodyStart + length])))
            bodyStart += length
            index = bodyStart
        }
        return responses
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Inflates a gzip (or zlib) stream.
    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TestError("inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var input = bytes
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let code: Int32 = input.withUnsafeMutableBytes { inPtr in
            stream.next_in = inPtr.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(inPtr.count)
            while true {
                let (code, produced) = chunk.withUnsafeMutableBytes { outPtr -> (Int32, Int) in
                    stream.next_out = outPtr.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(outPtr.count)
                    let code = inflate(&stream, Z_NO_FLUSH)
                    return (code, outPtr.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[..<produced])
                if code != Z_OK { return code }
            }
        }
        guard code == Z_STREAM_END, stream.avail_in == 0 else { throw TestError("inflate ended with \(code)") }
        return output
    }
}

/// Collects every inbound byte; read on the channel's event loop.
private final class Collector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var bytes: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        self.bytes.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return String(result)
    }
}
