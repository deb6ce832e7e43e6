import Dispatch
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
import TributaryCore
@testable import TributaryServer

@Suite struct MetricsHTTPServerProtocolTests {
    @Test func rejectsOversizedChunkedBodyAndCloses() async throws {
        let endpoints = HTTPEndpoints(metrics: { _ in [] }, extraRoutes: ["/api/echo": { _ in .text(200, "ok") }])
        try await MetricsHTTPServerTests.withServer(
            configuration: { $0.maxRequestBodyBytes = 8 }, endpoints: endpoints
        ) { port, _ async throws in
            let raw =
                "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"
            let responses = try await TestHTTPClient.exchange(port: port, raw)
            #expect(responses.map(\.status) == [413])
            #expect(responses.first?.headers["connection"] == "close")
        }
    }

    @Test func supportsHTTP10KeepAlive() async throws {
        try await MetricsHTTPServerTests.withServer { port, _ async throws in
            let raw =
                "GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET /-/healthy HTTP/1.0\r\n\r\n"
            let responses = try await TestHTTPClient.exchange(port: port, raw)
            #expect(responses.map(\.status) == [200, 200])
            #expect(responses[0].headers["connection"] == "keep-alive")
            #expect(responses[1].headers["connection"] == "close")
            #expect(responses[0].statusLine.hasPrefix("HTTP/1.0 200"))
        }
    }

    @Test func answersMalformedRequestWith400AndCountsIt() async throws {
        try await MetricsHTTPServerTests.withServer { port, server async throws in
            let responses = try await TestHTTPClient.exchange(port: port, "NOT HTTP AT ALL\r\n\r\n")
            #expect(responses.map(\.status) == [400])
            let body = String(decoding: responses.first?.body ?? [], as: UTF8.self)
            #expect(body.hasPrefix("Bad Request: "))
            #expect(server.requestCounter.failureSnapshot()[HTTPRequestFailure.malformed.rawValue] == 1)
            #expect(server.requestCounter.snapshot().isEmpty)  // never routed
        }
    }

    @Test func answersAHeadOverMaxHeaderBytesWith431() async throws {
        try await MetricsHTTPServerTests.withServer(configuration: { $0.maxHeaderBytes = 1024 }) { port, server async throws in
            let big = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 1100))\r\n\r\n"
            #expect(try await TestHTTPClient.exchange(port: port, big).map(\.status) == [431])
            let fits = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ok: \(String(repeating: "a", count: 900))\r\n\r\n"
            #expect(try await TestHTTPClient.exchange(port: port, fits).map(\.status) == [200])
            #expect(server.requestCounter.failureSnapshot()[HTTPRequestFailure.headerTooLarge.rawValue] == 1)
        }
    }

    @Test func stopsOnGracefulShutdownOfServiceGroup() async throws {
        let server = MetricsHTTPServer(
            configuration: .init(address: ListenAddress(host: "127.0.0.1", port: 0), version: "t"),
            endpoints: HTTPEndpoints(metrics: { _ in [] }), logger: Logger(label: "test"))
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var address = server.localAddress
            while address == nil {
                try await Task.sleep(for: .milliseconds(5))
                address = server.localAddress
            }
            let port = try #require(address?.port)
            // An idle keep-alive connection must not hold shutdown up.
            let idle = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            #expect(try await TestHTTPClient.request(port: port, path: "/-/healthy").status == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try await idle.closeFuture.get()
        }
        #expect(server.localAddress == nil)
    }
}
