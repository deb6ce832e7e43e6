// libFuzzer target: one input = the bytes a client sends on one HTTP connection.
//
// They go through the server's own connection pipeline (`MetricsHTTPServer.connectionInitializer`: NIOHTTP1's
// decoder, encoder, pipelining and error handler, the deadlines, basic auth, router and `MetricsHTTPHandler`) on an
// `EmbeddedChannel`, in reads of at most `readSize` bytes, against a `TributaryApplication` that holds a few series,
// loaded a mapping file and serves every route (`/metrics`, `/-/ready`, `/-/reload`, `/api/v1/*`, the status page).
// Slow work runs inline (`HTTPOffload.inline`), so each input is handled deterministically on this thread.
// Besides crashes, sanitizer reports and leaks, `ResponseChecker` fails the input when the server writes a malformed
// response stream (parts out of order, a body that disagrees with Content-Length or follows a HEAD request).
//
// The input's length picks the variant (like the json_feed target): bit 0 the server (open, with the lifecycle API
// and OpenMetrics; or basic auth, not ready), bit 1 how the client leaves (hangs up, or goes quiet until the
// deadlines close the connection).
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import TributaryCore
import TributaryServer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequests(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    let server = count % 2 == 0 ? FuzzServers.shared.open : FuzzServers.shared.authenticated
    serveConnection(bytes, server: server, hangUp: count % 4 < 2)
    return 0
}

/// Bytes per read, as a socket would deliver a longer stream.
private let readSize = 256

/// Feeds `bytes` to one new connection, running its event loop after every read, then ends the connection.
private func serveConnection(_ bytes: UnsafeRawBufferPointer, server: HTTPConnectionInitializer, hangUp: Bool) {
    let channel = EmbeddedChannel()
    do {
        let pipeline = channel.pipeline.syncOperations
        try server.addHandlers(to: pipeline)
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(ResponseChecker(), position: .after(decoder))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
    } catch {
        fatalError("cannot set up the connection: \(error)")
    }
    var offset = 0
    while offset < bytes.count && channel.isActive {
        let end = min(offset + readSize, bytes.count)
        // Errors that reach the pipeline's tail are rethrown here; the server closes the connection on them.
        _ = try? channel.writeInbound(channel.allocator.buffer(bytes: bytes[offset..<end]))
        channel.embeddedEventLoop.run()
        discardOutbound(channel)
        offset = end
    }
    if !hangUp {
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))  // past the idle and request deadlines
        discardOutbound(channel)
    }
    _ = try? channel.finish(acceptAlreadyClosed: true)
}

/// Drops what the server wrote so far (a real client would read it).
private func discardOutbound(_ channel: EmbeddedChannel) {
    while (try? channel.readOutbound(as: IOData.self)) != nil {}
}

/// Sits right after the request decoder: sees every decoded request head and every response part the server writes
/// (including NIO's 400 for a malformed request) and stops the fuzzer on a response a client could not parse or
/// NIO's encoder would refuse (it drops a body written after a HEAD request and fails that write).
private final class ResponseChecker: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart

    /// Methods of decoded requests whose response has not started, oldest first.
    private var waiting: [HTTPMethod] = []
    /// The response being written: whether it may have a body, its Content-Length, body bytes so far.
    private var open: (bodyAllowed: Bool, contentLength: Int?, sent: Int)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = self.unwrapInboundIn(data) { self.waiting.append(head.method) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head):
            guard self.open == nil else { fatalError("response head \(head.status) while a response is open") }
            // NIO's 400 may answer bytes that never became a head.
            let method = self.waiting.isEmpty ? HTTPMethod.GET : self.waiting.removeFirst()
            let status = head.status.code
            let bodyAllowed = method != .HEAD && status >= 200 && status != 204 && status != 304
            let lengths = head.headers["content-length"]
            guard lengths.count <= 1 else { fatalError("several Content-Length fields: \(lengths)") }
            let length = lengths.first.map { Int($0) ?? -1 }
            guard (length ?? 0) >= 0 else { fatalError("Content-Length \(lengths) is not a number") }
            self.open = (bodyAllowed, length, 0)
        case .body(let body):
            guard let open = self.open else { fatalError("response body without a head") }
            guard open.bodyAllowed || body.readableBytes == 0 else {
                fatalError("response body after HEAD, 1xx, 204 or 304")
            }
            self.open = (open.bodyAllowed, open.contentLength, open.sent + body.readableBytes)
        case .end:
            guard let open = self.open else { fatalError("response end without a head") }
            if open.bodyAllowed, let length = open.contentLength, length != open.sent {
                fatalError("Content-Length \(length) but \(open.sent) body bytes")
            }
            self.open = nil
        }
        context.write(data, promise: promise)
    }
}

/// The two applications every input is served by, set up once per process.
private struct FuzzServers {
    static let shared = FuzzServers()

    /// No basic auth; lifecycle API and OpenMetrics enabled; ready.
    let open: HTTPConnectionInitializer
    /// Basic auth (`prometheus` / `U*U`, bcrypt cost 5); lifecycle API off; the UDP listener is not bound yet.
    let authenticated: HTTPConnectionInitializer

    private init() {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tributary-fuzz-http-\(ProcessInfo.processInfo.processIdentifier)")
        let mapping = directory.appendingPathComponent("mapping.yml")
        let webConfig = directory.appendingPathComponent("web-config.yml")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Self.mappingYAML.write(to: mapping, atomically: true, encoding: .utf8)
            try Self.webConfigYAML.write(to: webConfig, atomically: true, encoding: .utf8)
            self.open = try Self.server(mappingPath: mapping.path, webConfigPath: nil, lifecycle: true)
            self.authenticated = try Self.server(
                mappingPath: mapping.path, webConfigPath: webConfig.path, lifecycle: false)
        } catch {
            fatalError("cannot set up the fuzz servers: \(error)")
        }
    }

    private static func server(mappingPath: String, webConfigPath: String?, lifecycle: Bool) throws
        -> HTTPConnectionInitializer
    {
        var configuration = TributaryConfiguration(
            statsd: StatsDListenerConfiguration(
                udp: try ListenAddress(parsing: "127.0.0.1:9125"), tcp: nil, unixgramPath: nil),
            webListenAddress: try ListenAddress(parsing: ":9102"),
            enableLifecycle: lifecycle,
            mappingConfigPath: mappingPath)
        configuration.enableOpenMetrics = lifecycle
        configuration.webConfigPath = webConfigPath
        let application = TributaryApplication(
            configuration: configuration, logger: Logger(label: "fuzz", factory: DiscardingLogHandler.init))
        if case .failure(let error) = application.reloader.reload() { throw error }
        application.readiness.markReady("config")
        application.readiness.markReady("http")
        if lifecycle { application.readiness.markReady("statsd-udp") }
        Array(Self.lines.utf8).withUnsafeBytes { application.shard.apply(lines: $0, now: 1) }
        return try application.makeHTTPServer().connectionInitializer(offload: .inline)
    }

    /// Every sample kind, a mapped and an unmapped name, labels that need escaping, and a parse error.
    private static let lines = """
        api.requests.get.200:1|c
        api.latency:12.5|ms|@0.5
        queue.depth:42|g
        queue.depth:+3|g
        users:alice|s
        unmapped.thing:7|c|#env:prod,path:a"b\\c
        jobs.duration:3|h
        bad line
        """

    private static let mappingYAML = """
        mappings:
          - match: "api.requests.*.*"
            name: "api_requests_total"
            labels:
              method: "$1"
              code: "$2"
          - match: "jobs.*"
            name: "job_seconds"
            observer_type: histogram
            histogram_options:
              buckets: [0.5, 1, 5]
        """

    /// `U*U` under bcrypt cost 5 (an OpenBSD test vector): cheap enough to check on every input.
    private static let webConfigYAML = """
        basic_auth_users:
          prometheus: $2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW
        """
}

/// Formats every message (so log statements run) and drops it.
private struct DiscardingLogHandler: LogHandler {
    var logLevel = Logger.Level.trace
    var metadata: Logger.Metadata = [:]

    init(label: String) {}

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        _ = event.message.description
        _ = event.metadata?.description
    }
}
