import Foundation
import Logging
import Testing
import TributaryCore

@testable import TributaryServer

/// `GET /api/v1/status` on an application that is not running: its shard and reloader are driven directly.
@Suite struct StatusRouteTests {
    static func application(mappingPath: String?) throws -> TributaryApplication {
        let configuration = TributaryConfiguration(
            statsd: StatsDListenerConfiguration(
                udp: try ListenAddress(parsing: "127.0.0.1:0"), tcp: nil, unixgramPath: "/tmp/statsd.sock"),
            webListenAddress: try ListenAddress(parsing: ":9102"),
            mappingConfigPath: mappingPath, json: JSONFeedConfiguration(streamPath: "/tmp/feed.sock"))
        return TributaryApplication(configuration: configuration, logger: Logger(label: "test"))
    }

    static func status(_ application: TributaryApplication) throws -> (StatusResponse, [String: Any]) {
        let response = application.api.status.respond(HTTPRequestInfo(method: "GET", path: "/api/v1/status"))
        #expect(response.status == 200)
        #expect(response.headers.first { $0.name == "Content-Type" }?.value == "application/json")
        let decoded = try JSONDecoder().decode(StatusResponse.self, from: Data(response.body))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (decoded, object)
    }

    @Test func reportsCountersSeriesErrorsAndListeners() throws {
        let application = try Self.application(mappingPath: nil)
        Array("a:1|c\nb:2|g\nc:3|ms\nc:4|ms\nbad\nd:x|c\n".utf8).withUnsafeBytes {
            application.shard.apply(lines: $0, now: 1)
        }
        application.statistics.increment(.udpPackets)
        application.statistics.increment(.unixgramPackets)
        application.readiness.markReady("statsd-udp")

        let (status, object) = try Self.status(application)
        #expect(status.version == TributaryVersion.current)
        #expect(status.uptimeSeconds >= 0)
        #expect(!status.ready)
        #expect(status.counters.lines == 6)
        #expect(status.counters.samples == 4)
        #expect(status.counters.packets == 2)
        #expect(status.counters.udpPackets == 1)
        #expect(status.series == ["counter": 1, "gauge": 1, "set": 0, "summary": 1, "histogram": 0])
        #expect(status.errors.count == ParseFailure.allCases.count)
        #expect(status.errors["malformed_line"] == 1)
        #expect(status.errors["malformed_value"] == 1)
        #expect(status.errors["line_too_long"] == 0)
        #expect(
            status.listeners == [
                .init(protocol: "statsd", kind: "udp", address: "127.0.0.1:0", bound: true, port: nil, packets: 1),
                .init(
                    protocol: "statsd", kind: "unixgram", address: "/tmp/statsd.sock", bound: false, port: nil,
                    packets: 1),
                .init(
                    protocol: "json", kind: "unix", address: "/tmp/feed.sock", bound: false, port: nil, connections: 0,
                    openConnections: 0, rejectedConnections: 0),
                .init(protocol: "http", kind: "http", address: ":9102", bound: false, port: nil),
            ])
        #expect(status.jsonErrors.count == JSONFeedFailure.allCases.count)
        // snake_case keys, as the page reads them
        #expect(object["uptime_seconds"] is Double)
        let counters = try #require(object["counters"] as? [String: Any])
        #expect(counters["udp_packets"] as? Int == 1)
        #expect(status.reload.path == nil)
        #expect(status.reload.lastOutcome == nil)
    }

    @Test func reportsLastReloadOutcomeAndError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("mapping.yml").path
        try "mappings:\n- match: \"a.*\"\n  name: \"a_total\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let application = try Self.application(mappingPath: path)

        application.reloader.reload()
        var (status, _) = try Self.status(application)
        #expect(status.reload.path == path)
        #expect(status.reload.rules == 1)
        #expect(status.reload.lastOutcome == "success")
        #expect(status.reload.lastError == nil)
        #expect(abs((status.reload.lastTime ?? 0) - Date().timeIntervalSince1970) < 60)

        try "mappings:\n- match: \"a.*\"\n  nme: \"typo\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        application.reloader.reload()
        (status, _) = try Self.status(application)
        #expect(status.reload.rules == 1)
        #expect(status.reload.successes == 1)
        #expect(status.reload.failures == 1)
        #expect(status.reload.lastOutcome == "failure")
        #expect(status.reload.lastError?.contains("nme") == true)
    }

    @Test func rejectsOtherMethods() throws {
        let application = try Self.application(mappingPath: nil)
        let response = application.api.status.respond(HTTPRequestInfo(method: "POST", path: "/api/v1/status"))
        #expect(response.status == 405)
    }
}
