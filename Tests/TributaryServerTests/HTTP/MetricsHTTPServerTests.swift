import Dispatch
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
import TributaryCore

@testable import TributaryServer

/// Loopback tests: a real server on 127.0.0.1:0 and a raw TCP client.
@Suite struct MetricsHTTPServerTests {
    static let body = Array(String(repeating: "some_metric{a=\"b\"} 1\n", count: 500).utf8)

    struct ReloadFailure: Error, CustomStringConvertible {
        var description: String { "mapping line 3: unknown key 'foo'" }
    }

    /// Starts a server, runs `body` with its port, shuts it down.
    static func withServer(
        configuration: (inout MetricsHTTPServer.Configuration) -> Void = { _ in },
        endpoints: HTTPEndpoints = HTTPEndpoints(metrics: { _ in MetricsHTTPServerTests.body }),
        _ body: (Int, MetricsHTTPServer) async throws -> Void
    ) async throws {
        var config = MetricsHTTPServer.Configuration(
            address: ListenAddress(host: "127.0.0.1", port: 0), version: "1.2.3-test")
        configuration(&config)
        let server = MetricsHTTPServer(
            configuration: config, endpoints: endpoints, logger: Logger(label: "test"))
        let address = try await server.start()
        let port = try #require(address.port)
        do {
            try await body(port, server)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    @Test func servesMetricsUncompressedByDefault() async throws {
        try await Self.withServer { port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.headers["content-encoding"] == nil)
            #expect(response.body == Self.body)
        }
    }

    @Test func namesTheNegotiatedFormat() async throws {
        let endpoints = HTTPEndpoints(metrics: { negotiated in Array("\(negotiated.format)".utf8) })
        let accept = "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        try await Self.withServer(endpoints: endpoints) { port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, path: "/metrics", headers: [accept])
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.body == Array("text".utf8))
        }
        try await Self.withServer(configuration: { $0.enableOpenMetrics = true }, endpoints: endpoints) {
            port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, path: "/metrics", headers: [accept])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(response.body == Array("openMetrics".utf8))
        }
    }

    @Test func gzipsMetricsWhenAccepted() async throws {
        try await Self.withServer { port, _ async throws in
            let response = try await TestHTTPClient.request(
                port: port, path: "/metrics", headers: ["Accept-Encoding: gzip, deflate"])
            #expect(response.status == 200)
            #expect(response.headers["content-encoding"] == "gzip")
            #expect(response.body.count < Self.body.count)
            #expect(try TestHTTPClient.gunzip(response.body) == Self.body)

            let refused = try await TestHTTPClient.request(
                port: port, path: "/metrics", headers: ["Accept-Encoding: gzip;q=0"])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(refused.body == Self.body)
        }
    }

    @Test func headReturnsHeadersWithoutBody() async throws {
        try await Self.withServer { port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, method: "HEAD", path: "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-length"] == String(Self.body.count))
            #expect(response.body.isEmpty)
            let healthy = try await TestHTTPClient.request(port: port, method: "HEAD", path: "/-/healthy")
            #expect(healthy.status == 200)
        }
    }

    @Test func servesConfiguredTelemetryPathOnly() async throws {
        try await Self.withServer(configuration: { $0.telemetryPath = "/stats" }) { port, _ async throws in
            #expect(try await TestHTTPClient.request(port: port, path: "/stats").status == 200)
            #expect(try await TestHTTPClient.request(port: port, path: "/metrics").status == 404)
        }
    }

    @Test func answersHealthAndReadiness() async throws {
        let ready = Atomic<Bool>(false)
        let endpoints = HTTPEndpoints(metrics: { _ in [] }, isReady: { ready.load(ordering: .relaxed) })
        try await Self.withServer(endpoints: endpoints) { port, _ async throws in
            let healthy = try await TestHTTPClient.request(port: port, path: "/-/healthy")
            #expect(healthy.status == 200)
            #expect(healthy.text == "OK\n")
            let notReady = try await TestHTTPClient.request(port: port, path: "/-/ready")
            #expect(notReady.status == 503)
            #expect(notReady.text.contains("Not ready"))
            ready.store(true, ordering: .relaxed)
            let isReady = try await TestHTTPClient.request(port: port, path: "/-/ready")
            #expect(isReady.status == 200)
            #expect(isReady.text == "OK\n")
        }
    }

    @Test func rejectsWrongMethodWithAllowHeader() async throws {
        try await Self.withServer { port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, method: "POST", path: "/metrics")
            #expect(response.status == 405)
            #expect(response.headers["allow"] == "GET, HEAD")
            let delete = try await TestHTTPClient.request(port: port, method: "DELETE", path: "/-/healthy")
            #expect(delete.status == 405)
        }
    }

    @Test func unknownPathIs404() async throws {
        try await Self.withServer { port, _ async throws in
            #expect(try await TestHTTPClient.request(port: port, path: "/nope").status == 404)
            #expect(try await TestHTTPClient.request(port: port, path: "/metrics/x").status == 404)
        }
    }

    @Test func landingPageLinksEndpoints() async throws {
        try await Self.withServer(configuration: { $0.telemetryPath = "/stats" }) { port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, path: "/")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/html; charset=utf-8")
            #expect(response.text.contains("1.2.3-test"))
            #expect(response.text.contains("<a href=\"/stats\">"))
            #expect(response.text.contains("<a href=\"/-/healthy\">"))
            #expect(response.text.contains("<a href=\"/-/ready\">"))
        }
    }

    @Test func reloadIsForbiddenWithoutLifecycle() async throws {
        let calls = Atomic<Int>(0)
        let endpoints = HTTPEndpoints(
            metrics: { _ in [] },
            reload: { () throws -> String in
                calls.add(1, ordering: .relaxed)
                return "ok"
            })
        try await Self.withServer(endpoints: endpoints) { port, _ async throws in
            let response = try await TestHTTPClient.request(port: port, method: "POST", path: "/-/reload")
            #expect(response.status == 403)
            #expect(response.text == "Lifecycle API is not enabled.\n")
        }
        #expect(calls.load(ordering: .relaxed) == 0)
    }

    @Test func reloadRunsOnPostOrPutWithLifecycle() async throws {
        let fail = Atomic<Bool>(false)
        let endpoints = HTTPEndpoints(
            metrics: { _ in [] },
            reload: { () async -> Result<String, any Error> in
                fail.load(ordering: .relaxed) ? .failure(ReloadFailure()) : .success("Config reloaded: 3 mappings")
            })
        try await Self.withServer(configuration: { $0.enableLifecycle = true }, endpoints: endpoints) {
            port, _ async throws in
            let post = try await TestHTTPClient.request(port: port, method: "POST", path: "/-/reload")
            #expect(post.status == 200)
            #expect(post.text == "Config reloaded: 3 mappings\n")
            #expect(try await TestHTTPClient.request(port: port, method: "PUT", path: "/-/reload").status == 200)

            let get = try await TestHTTPClient.request(port: port, path: "/-/reload")
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST, PUT")

            fail.store(true, ordering: .relaxed)
            let failed = try await TestHTTPClient.request(port: port, method: "POST", path: "/-/reload")
            #expect(failed.status == 500)
            #expect(failed.text.contains("mapping line 3: unknown key 'foo'"))
        }
    }

    @Test func extraRoutesSeeTheWholeRequest() async throws {
        let endpoints = HTTPEndpoints(
            metrics: { _ in [] },
            extraRoutes: [
                "/api/echo": { request in
                    .text(
                        201,
                        "\(request.method) \(request.query ?? "-") \(request.header("x-test") ?? "-") "
                            + String(decoding: request.body, as: UTF8.self))
                }
            ])
        try await Self.withServer(endpoints: endpoints) { port, _ async throws in
            let response = try await TestHTTPClient.request(
                port: port, method: "POST", path: "/api/echo?name=a.b", headers: ["X-Test: yes"], body: "hello")
            #expect(response.status == 201)
            #expect(response.text == "POST name=a.b yes hello")
        }
    }

    @Test func rejectsLargeBodiesWith413() async throws {
        let endpoints = HTTPEndpoints(metrics: { _ in [] }, extraRoutes: ["/api/echo": { _ in .text(200, "ok") }])
        try await Self.withServer(configuration: { $0.maxRequestBodyBytes = 16 }, endpoints: endpoints) {
            port, _ async throws in
            let response = try await TestHTTPClient.request(
                port: port, method: "POST", path: "/api/echo", body: String(repeating: "x", count: 100))
            #expect(response.status == 413)
            #expect(response.headers["connection"] == "close")
            let small = try await TestHTTPClient.request(port: port, method: "POST", path: "/api/echo", body: "x")
            #expect(small.status == 200)
        }
    }

    @Test func keepsConnectionAliveAcrossRequests() async throws {
        try await Self.withServer { port, _ async throws in
            let raw =
                "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let responses = try await TestHTTPClient.exchange(port: port, raw)
            #expect(responses.map(\.status) == [200, 200, 200])
            #expect(responses[0].headers["connection"] == nil)
            #expect(responses[1].body == Self.body)
            #expect(responses[2].headers["connection"] == "close")
        }
    }

    @Test func capsConcurrentScrapes() async throws {
        let entered = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
        let endpoints = HTTPEndpoints(metrics: { _ in
            entered.add(1, ordering: .relaxed)
            release.wait()
            return Array("x 1\n".utf8)
        })
        try await Self.withServer(configuration: { $0.maxConcurrentScrapes = 1 }, endpoints: endpoints) {
            port, _ async throws in
            async let first = TestHTTPClient.request(port: port, path: "/metrics")
            while entered.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            let second = try await TestHTTPClient.request(port: port, path: "/metrics")
            #expect(second.status == 503)
            // Other endpoints are not blocked by the running scrape.
            #expect(try await TestHTTPClient.request(port: port, path: "/-/healthy").status == 200)
            release.signal()
            let firstResponse = try await first
            #expect(firstResponse.status == 200)
            #expect(firstResponse.text == "x 1\n")
            // The slot is free again.
            release.signal()
            #expect(try await TestHTTPClient.request(port: port, path: "/metrics").status == 200)
        }
    }

    @Test func countsRequestsByHandlerAndCode() async throws {
        try await Self.withServer { port, server async throws in
            _ = try await TestHTTPClient.request(port: port, path: "/metrics")
            _ = try await TestHTTPClient.request(port: port, path: "/metrics")
            _ = try await TestHTTPClient.request(port: port, path: "/-/healthy")
            _ = try await TestHTTPClient.request(port: port, path: "/missing")
            _ = try await TestHTTPClient.request(port: port, method: "POST", path: "/-/reload")
            #expect(
                server.requestCounter.snapshot() == [
                    HTTPRequestCount(handler: "/-/healthy", code: 200, count: 1),
                    HTTPRequestCount(handler: "/-/reload", code: 403, count: 1),
                    HTTPRequestCount(handler: "/metrics", code: 200, count: 2),
                    HTTPRequestCount(handler: "other", code: 404, count: 1),
                ])
        }
    }

    @Test func runServesUntilCancelledAndClosesConnections() async throws {
        let server = MetricsHTTPServer(
            configuration: .init(address: ListenAddress(host: "127.0.0.1", port: 0), version: "t"),
            endpoints: HTTPEndpoints(metrics: { _ in [] }), logger: Logger(label: "test"))
        let address = try await server.start()
        let port = try #require(address.port)
        let task = Task { try await server.run() }
        #expect(try await TestHTTPClient.request(port: port, path: "/-/healthy").status == 200)
        task.cancel()
        try await task.value
        #expect(server.localAddress == nil)
        await #expect(throws: (any Error).self) {
            _ = try await TestHTTPClient.request(port: port, path: "/-/healthy")
        }
    }
}
