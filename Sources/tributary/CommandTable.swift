import ArgumentParser

/// Every `tributary` subcommand, dispatched by its first word (`tributary emit …`); everything else is the exporter
/// itself (``ServeCommand``), so `tributary --help` lists the serving flags statsd_exporter users know.
///
/// The one table `main.swift` dispatches from and `--help` / `tributary help` list, so a new command cannot be
/// forgotten in either.
enum CommandTable {
    struct Entry {
        var name: String
        var command: any ParsableCommand.Type
        /// One line for the command list: short enough (≤ 62 characters) that `--help`, wrapped at 80 columns
        /// by ArgumentParser, keeps it on one line.
        var summary: String
    }

    static let entries: [Entry] = [
        Entry(name: "explain", command: ExplainCommand.self, summary: "Show how StatsD lines are parsed and mapped to series"),
        Entry(name: "emit", command: EmitCommand.self, summary: "Send metrics over StatsD or the JSON feed, checked first"),
        Entry(name: "demo", command: DemoCommand.self, summary: "Send a demo service's metrics (StatsD and the JSON feed)"),
        Entry(name: "cardinality", command: CardinalityCommand.self, summary: "Show which metrics and labels hold the most series"),
        Entry(name: "help", command: HelpCommand.self, summary: "Show this help, or one command's (tributary help emit)"),
        Entry(name: "bench-json", command: BenchJSONCommand.self, summary: "Measure JSON feed ingest speed"),
        Entry(name: "bench-ingest", command: BenchIngestCommand.self, summary: "Measure StatsD ingest cost per line, in process"),
        Entry(name: "bench-mapping", command: BenchMappingCommand.self, summary: "Measure mapping cost per line with N glob rules"),
        Entry(name: "bench-churn", command: BenchChurnCommand.self, summary: "Measure the cost of a new series and of expiry"),
        Entry(name: "bench-cardinality", command: BenchCardinalityCommand.self, summary: "Measure the cardinality report over N series"),
        Entry(name: "bench-snapshot", command: BenchSnapshotCommand.self, summary: "Measure snapshot size, write and restore time"),
    ]

    static func entry(named name: String) -> Entry? {
        self.entries.first { $0.name == name }
    }

    /// The command list for `--help`: one line per command, names aligned.
    static var listing: String {
        let width = (self.entries.map(\.name.count).max() ?? 0) + 2
        let lines = self.entries.map { entry in
            "  " + entry.name + String(repeating: " ", count: width - entry.name.count) + entry.summary
        }
        return "COMMANDS (tributary help COMMAND for one):\n" + lines.joined(separator: "\n")
    }
}
