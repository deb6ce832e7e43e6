import ArgumentParser
import TributaryServer

/// `tributary demo`: sends a realistic service's metrics to a running Tributary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary demo",
        abstract: "Send demo StatsD traffic (requests, latency, runtime, cache, database) to Tributary."
    )

    @Option(name: .customLong("statsd.address"), help: "Where to send StatsD: host:port (a name such as localhost, an IPv4 address, or [IPv6]).")
    var address = "127.0.0.1:9125"

    @Option(name: .customLong("json.socket"), help: "Also send the JSON-feed half (a job queue) to this Unix stream socket.")
    var jsonSocket: String?

    @Option(help: "Scenario: normal, slow, errors, memory.")
    var scenario = "normal"

    @Option(help: "Simulated requests per second.")
    var rate = 200

    @Option(help: "Stop after this many seconds (0 = run until interrupted).")
    var duration = 0.0

    func validate() throws {
        guard DemoTraffic.Scenario(rawValue: self.scenario) != nil else {
            throw ValidationError("--scenario must be one of \(DemoTraffic.Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard self.rate > 0 else { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        guard let parsed = try? ListenAddress.parseOptional(self.address) else {
            throw ValidationError("--statsd.address must be host:port, e.g. localhost:9125 (got \"\(self.address)\")")
        }
        let sender: UDPLineSender
        do {
            sender = try UDPLineSender(host: parsed.host ?? "localhost", port: parsed.port)
        } catch {
            throw UserError("--statsd.address \(self.address): \(error); give host:port, e.g. localhost:9125")
        }
        let jsonSender: UnixStreamLineSender?
        do {
            jsonSender = try self.jsonSocket.map { try UnixStreamLineSender(path: $0) }
        } catch {
            throw UserError(
                "--json.socket \(self.jsonSocket ?? ""): \(error); start Tributary with --json.listen-unix \(self.jsonSocket ?? "")")
        }
        var traffic = DemoTraffic(scenario: DemoTraffic.Scenario(rawValue: self.scenario) ?? .normal, requestsPerSecond: self.rate)
        print("Sending \(self.scenario) demo traffic to \(self.address) (\(self.rate) requests/s); Ctrl-C to stop.")
        let clock = ContinuousClock()
        let start = clock.now
        while self.duration <= 0 || clock.now - start < .milliseconds(Int64(self.duration * 1000)) {
            sender.send(lines: traffic.nextLines())
            if let jsonSender { jsonSender.send(lines: traffic.nextJSONLines()) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
