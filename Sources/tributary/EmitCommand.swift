import ArgumentParser
import TributaryServer

/// `tributary emit`: sends metrics from the command line, over StatsD (UDP) or the JSON feed (Unix stream socket).
///
/// ```
/// tributary emit 'deploys:1|c|#env:prod'                                   # raw StatsD lines
/// tributary emit --json.socket /tmp/tributary/feed.sock '{"name":"deploys_total","type":"counter","value":1}'
/// tributary emit --name deploys_total --type counter --value 1 --label env=prod [--json.socket PATH]
/// ```
struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary emit",
        abstract: "Send metrics to Tributary from the command line (StatsD over UDP, or the JSON feed).",
        discussion: """
            Give raw lines (StatsD, or JSON objects with --json.socket), or build one sample with
            --name/--type/--value/--label. Types: counter, gauge, timer (ms), histogram, distribution, set.
            """
    )

    @Option(name: .customLong("statsd.address"), help: "Where to send StatsD (IPv4 host:port).")
    var address = "127.0.0.1:9125"

    @Option(name: .customLong("json.socket"), help: "Send over the JSON feed's Unix stream socket instead of StatsD.")
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
        if let path = self.jsonSocket {
            let sender = try UnixStreamLineSender(path: path)
            guard sender.send(lines: lines) else { throw ValidationError("the JSON feed connection closed while sending") }
        } else {
            guard let parsed = try ListenAddress.parseOptional(self.address), let host = parsed.host else {
                throw ValidationError("--statsd.address must be host:port, e.g. 127.0.0.1:9125")
            }
            try UDPLineSender(host: host, port: parsed.port).send(lines: lines)
        }
    }
}
