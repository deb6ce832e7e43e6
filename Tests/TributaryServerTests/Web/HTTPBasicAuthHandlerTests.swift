import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import TributaryServer

/// Basic auth through the server's whole connection pipeline on an `EmbeddedChannel` (slow work inline).
@Suite struct HTTPBasicAuthHandlerTests {
    /// `U*U` under bcrypt cost 5 (an OpenBSD test vector).
    static let users = ["prometheus": "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"]
    static let authenticator = BasicAuthenticator(users: users)

    /// Sends `raw` on a new connection; returns everything the server wrote and the response parts it wrote.
    static func exchange(_ raw: String) throws -> (written: String, parts: [String]) {
        var configuration = MetricsHTTPServer.Configuration(
            address: ListenAddress(host: "127.0.0.1", port: 0), version: "t")
        configuration.authenticator = Self.authenticator
        let server = MetricsHTTPServer(
            configuration: configuration, endpoints: HTTPEndpoints(metrics: { _ in Array("up 1\n".utf8) }),
            logger: Logger(label: "test"))
        let channel = EmbeddedChannel()
        let pipeline = channel.pipeline.syncOperations
        try server.connectionInitializer(offload: .inline).addHandlers(to: pipeline)
        let recorder = ResponsePartRecorder()
        try pipeline.addHandler(recorder, position: .after(try pipeline.handler(type: HTTPResponseEncoder.self)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: raw))
        channel.embeddedEventLoop.run()
        var written = ""
        while let part = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = part else { continue }
            written += String(buffer: buffer)
        }
        _ = try channel.finish(acceptAlreadyClosed: true)
        return (written, recorder.parts)
    }

    static func basic(_ credentials: String) -> String {
        "Authorization: Basic " + Base64Encoding.encode(Array(credentials.utf8)) + "\r\n"
    }

    @Test func validCredentialsReachTheEndpoint() throws {
        let (written, _) = try Self.exchange("GET /metrics HTTP/1.1\r\n" + Self.basic("prometheus:U*U") + "\r\n")
        #expect(written.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(written.hasSuffix("\r\n\r\nup 1\n"))
    }

    @Test func missingOrWrongCredentialsGet401() throws {
        for credentials in ["", Self.basic("prometheus:wrong"), Self.basic("nobody:U*U")] {
            let (written, _) = try Self.exchange("GET /metrics HTTP/1.1\r\n" + credentials + "\r\n")
            #expect(written.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
            #expect(written.contains("\r\nWWW-Authenticate: Basic realm=\"tributary\""))
            #expect(written.hasSuffix("\r\n\r\nUnauthorized\n"))
        }
    }

    /// Found by the `http_requests` fuzz target: the 401 to a HEAD request came with a body. NIO's encoder refused
    /// that write, so the wire was fine, but the handler must not send it.
    @Test func answersHEADWithoutCredentialsWithoutABody() throws {
        let (written, parts) = try Self.exchange("HEAD /metrics HTTP/1.1\r\n\r\nGET /-/healthy HTTP/1.1\r\n\r\n")
        #expect(parts == ["head 401", "end", "head 401", "body 13", "end"])
        let responses = written.split(separator: "HTTP/1.1 ")
        #expect(responses.count == 2)
        #expect(responses[0].contains("\r\nContent-Length: 13\r\n"))  // what a GET would get
        #expect(responses[0].hasSuffix("\r\n\r\n"))
        #expect(responses[1].hasSuffix("\r\n\r\nUnauthorized\n"))
    }
}

/// Records the response parts written towards the encoder, e.g. `head 401`, `body 13`, `end`.
private final class ResponsePartRecorder: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = HTTPServerResponsePart
    private(set) var parts: [String] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head): self.parts.append("head \(head.status.code)")
        case .body(let body): self.parts.append("body \(body.readableBytes)")
        case .end: self.parts.append("end")
        }
        context.write(data, promise: promise)
    }
}

/// Standard base64 with padding, for building `Authorization` headers.
private enum Base64Encoding {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)]) + [0, 0]
            let value = Int(chunk[0]) << 16 | Int(chunk[1]) << 8 | Int(chunk[2])
            let count = min(3, bytes.count - start)
            for index in 0..<4 {
                output.append(index <= count ? alphabet[(value >> (18 - 6 * index)) & 63] : UInt8(ascii: "="))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
