import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Subcommands are dispatched by their first word (``CommandTable``) so that `tributary --help` lists the serving
// flags statsd_exporter users know, exactly as `statsd_exporter --help` does.
let arguments = ArgumentNormalization.normalize(Array(CommandLine.arguments.dropFirst()))

/// Parses `arguments` for `Command` and runs it (async). Help and version go to standard output; every error is
/// one line on standard error (``CommandErrorLine``) with ArgumentParser's exit code (64 for usage errors).
func runCommand<Command: ParsableCommand>(_: Command.Type, _ arguments: [String]) async {
    do {
        var command = try Command.parseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        guard let line = CommandErrorLine.line(for: error, of: Command.self) else { Command.exit(withError: error) }
        ConsoleOutput.writeError(line + "\n")
        Command.exit(withError: ExitCode(Command.exitCode(for: error).rawValue))
    }
}

if let name = arguments.first, let entry = CommandTable.entry(named: name) {
    await runCommand(entry.command, Array(arguments.dropFirst()))
} else {
    await runCommand(ServeCommand.self, arguments)
}
