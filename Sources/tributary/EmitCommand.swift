import ArgumentParser
import TributaryCore
import TributaryServer

/// `tributary emit`: sends metrics from the command line, over StatsD (UDP) or the JSON feed (Unix stream socket).
///
/// ```
/// tributary emit 'deploys:1|c|#env:prod'                                   # raw StatsD lines
/// tributary emit --json.socket /tmp/tributary/feed.sock '{"name":"deploys_total","type":"counter","value":1}'
/// tributary emit --name deploys_total --type counter --value 1 --label env=prod [--json.socket PATH]
/// ```
///
/// Every line is first checked with the parsers and routing Tributary runs (``LineExplainer/rejections(line:)``):
/// when one would be rejected, nothing is sent and the command exits 1 naming the line and the reason it would be
/// counted under. What it sent is printed (UDP gives no receipt: the lines left this machine, nothing more).
struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary emit",
        abstract: "Send metrics to Tributary from the command line (StatsD over UDP, or the JSON feed).",
        discussion: """
            Give raw lines (StatsD, or JSON objects with --json.socket), or build one sample with
            --name/--type/--value/--label. Types: counter, gauge, timer (ms), histogram, distribution, set.
            Lines Tributary would reject are not sent: the command names each with its reason and exits 1.
            """
    )

    @Option(name: .customLong("statsd.address"), help: "Where to send StatsD: host:port (a name such as localhost, an IPv4 address, or [IPv6]).")
    var address = "127.0.0.1:9125"

    @Option(name: .customLong("json.socket"), help: "Send JSON feed lines to this Unix stream socket (Tributary's --json.listen-unix) instead of StatsD.")
    var jsonSocket: String?

    @Option(help: "Metric name (with --type and --value builds one sample).")
    var name: String?

    @Option(help: "counter, gauge, timer, histogram, distribution or set.")
    var type = "counter"

    @Option(help: "The value (a number; any token for a set).")
    var value: String?

    @Option(name: .customLong("label"), help: "A label as key=value (repeatable).")
    var labels: [String] = []

    @Argument(help: "Raw lines to send as they are.")
    var lines: [String] = []

    func validate() throws {
        if self.name == nil && self.lines.isEmpty {
            throw ValidationError("give lines to send, or --name, --type and --value")
        }
        if self.name != nil {
            guard self.value != nil else { throw ValidationError("--name needs --value") }
            guard EmitSample.Kind(rawValue: self.type) != nil else {
                throw ValidationError("--type must be one of \(EmitSample.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for label in self.labels where !label.contains("=") {
                throw ValidationError("--label must be key=value (got \"\(label)\")")
            }
        }
    }

    func run() throws {
        var lines = self.lines
        if let name = self.name, let value = self.value, let kind = EmitSample.Kind(rawValue: self.type) {
            let labels = self.labels.map { label -> (String, String) in
                let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), String(parts[1]))
            }
            let sample = EmitSample(name: name, kind: kind, value: value, labels: labels)
            lines.append(self.jsonSocket == nil ? sample.statsDLine : sample.jsonLine)
        }
        try self.check(lines)
        let destination: String
        if let path = self.jsonSocket {
            let sender: UnixStreamLineSender
            do {
                sender = try UnixStreamLineSender(path: path)
            } catch {
                throw UserError("--json.socket \(path): \(error); start Tributary with --json.listen-unix \(path)")
            }
            guard sender.send(lines: lines) else {
                throw UserError("--json.socket \(path): the connection closed while sending; nothing more was sent")
            }
            destination = "to the JSON feed at \(path)"
        } else {
            let address = try self.statsDAddress()
            let sender: UDPLineSender
            do {
                sender = try UDPLineSender(host: address.host ?? "localhost", port: address.port)
            } catch {
                throw UserError("--statsd.address \(self.address): \(error); give host:port, e.g. localhost:9125")
            }
            if let failure = sender.send(lines: lines) {
                throw UserError("--statsd.address \(self.address): cannot send (\(failure))")
            }
            destination = "over UDP to \(self.address)" + (sender.resolved == self.address ? "" : " (\(sender.resolved))")
        }
        print("sent \(lines.count) line\(lines.count == 1 ? "" : "s") \(destination):")
        for line in lines { print("  " + line) }
    }

    /// Fails (sending nothing) when Tributary would reject any line, naming each with its reason.
    private func check(_ lines: [String]) throws {
        let explainer = LineExplainer(mapper: .empty)
        var problems: [String] = []
        for line in lines {
            let reasons = self.jsonSocket == nil ? explainer.rejections(line: line) : explainer.rejections(jsonLine: line)
            if !reasons.isEmpty { problems.append("'\(line)' (\(reasons.joined(separator: ", ")))") }
        }
        guard !problems.isEmpty else { return }
        let what = self.jsonSocket == nil ? "tributary_sample_errors_total" : "tributary_json_errors_total"
        throw UserError(
            "Tributary would reject \(problems.joined(separator: "; ")), counting it in \(what) by that reason; nothing was sent")
    }

    /// `--statsd.address` as host and port; a missing host means localhost.
    private func statsDAddress() throws -> ListenAddress {
        guard let parsed = try? ListenAddress.parseOptional(self.address) else {
            throw ValidationError("--statsd.address must be host:port, e.g. localhost:9125 (got \"\(self.address)\")")
        }
        return parsed
    }
}
