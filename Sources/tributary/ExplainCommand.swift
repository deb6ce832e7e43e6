import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore
import TributaryServer

/// `tributary explain --statsd.mapping-config FILE LINE…`: how each StatsD line is parsed, which rule maps it (and
/// why earlier rules did not), and the series it becomes. Offline: no listener, no running exporter needed.
///
/// ```console
/// $ tributary explain --statsd.mapping-config mapping.yml 'web.home.requests:1|c|#env:prod'
/// $ tributary explain --json --statsd.mapping-config mapping.yml 'db.query:12|ms'
/// ```
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary explain",
        abstract: "Explain how StatsD lines are parsed and mapped to Prometheus series.",
        discussion: """
            Without --statsd.mapping-config, lines are explained as unmapped (escaped name, tags as labels).
            With several lines, each is explained on its own. Exits 1 when the mapping file is invalid.
            """
    )

    @Option(name: .customLong("statsd.mapping-config"), help: "Metric mapping configuration file (statsd_exporter's YAML).")
    var mappingConfig: String?

    @OptionGroup var tagOptions: TagDialectOptions

    @Flag(help: "Print JSON (an array, one object per line) instead of text.")
    var json = false

    @Argument(help: "StatsD lines, e.g. 'web.home.requests:1|c|#env:prod'.")
    var lines: [String]

    func validate() throws {
        guard !self.lines.isEmpty else { throw ValidationError("give at least one StatsD line to explain") }
    }

    func run() async throws {
        var mapper = CompiledMapper.empty
        if let path = self.mappingConfig {
            do {
                mapper = try MappingReloader.compile(path: path)
            } catch {
                throw UserError(error.startUpDescription)
            }
        }
        let explainer = LineExplainer(mapper: mapper, dialects: self.tagOptions.dialects)
        let explanations = self.lines.map { explainer.explain(line: $0) }
        if self.json {
            ConsoleOutput.writeOutput(APIJSON.encode(explanations))
        } else {
            print(explanations.map(\.text).joined(separator: "\n"), terminator: "")
        }
    }
}
