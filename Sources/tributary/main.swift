import ArgumentParser
import Foundation

// Subcommands are dispatched by their first word so that `tributary --help` lists the serving
// flags statsd_exporter users know, exactly as `statsd_exporter --help` does.
let arguments = ArgumentNormalization.normalize(Array(CommandLine.arguments.dropFirst()))

/// Parses `arguments` for `Command` and runs it (async), exiting with ArgumentParser's messages on errors.
func runCommand<Command: ParsableCommand>(_: Command.Type, _ arguments: [String]) async {
    do {
        var command = try Command.parseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        Command.exit(withError: error)
    }
}

switch arguments.first {
case "bench-json":
    await runCommand(BenchJSONCommand.self, Array(arguments.dropFirst()))
case "demo":
    await runCommand(DemoCommand.self, Array(arguments.dropFirst()))
case "emit":
    await runCommand(EmitCommand.self, Array(arguments.dropFirst()))
case "explain":
    await runCommand(ExplainCommand.self, Array(arguments.dropFirst()))
case "bench-ingest":
    await runCommand(BenchIngestCommand.self, Array(arguments.dropFirst()))
case "bench-snapshot":
    await runCommand(BenchSnapshotCommand.self, Array(arguments.dropFirst()))
case "bench-mapping":
    await runCommand(BenchMappingCommand.self, Array(arguments.dropFirst()))
default:
    await runCommand(ServeCommand.self, arguments)
}
