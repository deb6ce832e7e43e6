import Testing

@testable import TributaryServer

@Suite struct HTTPRouterTests {
    @Test(arguments: [
        ("gzip", true), ("gzip, deflate, br", true), ("deflate, GZIP;q=0.5", true), ("*", true),
        ("gzip;q=0", false), ("identity", false), ("", false), ("br, gzip ; q=0.0", false), ("x-gzip", false),
    ])
    func negotiatesGzip(header: String, accepted: Bool) {
        #expect(HTTPRouter.acceptsGzip([header]) == accepted)
    }

    @Test func noAcceptEncodingMeansIdentity() {
        #expect(!HTTPRouter.acceptsGzip([]))
    }

    @Test func routesCustomTelemetryPathAndUnknownPaths() {
        let router = HTTPRouter(telemetryPath: "/stats", enableLifecycle: false, extraRoutes: [:])
        #expect(router.route(method: "GET", path: "/stats").handler == "/stats")
        let unknown = router.route(method: "GET", path: "/metrics")
        #expect(unknown.handler == "other")
        guard case .respond(let response) = unknown.target else {
            Issue.record("expected a fixed response")
            return
        }
        #expect(response.status == 404)
    }

    @Test func splitsQueryFromPath() {
        #expect(MetricsHTTPHandler.split("/a?b=1&c") == ("/a", "b=1&c"))
        #expect(MetricsHTTPHandler.split("/a") == ("/a", nil))
    }
}

@Suite struct ListenAddressTests {
    @Test func parsesForms() throws {
        #expect(try ListenAddress(parsing: ":9102") == ListenAddress(host: nil, port: 9102))
        #expect(try ListenAddress(parsing: "127.0.0.1:0") == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(try ListenAddress(parsing: "[::1]:9102") == ListenAddress(host: "::1", port: 9102))
        #expect(try ListenAddress(parsing: "localhost:80").description == "localhost:80")
        #expect(ListenAddress(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test(arguments: ["9102", "host:", ":99999", "::1:9102", "[::1:9102", "a:b"])
    func rejectsMalformed(text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }
}
