import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns any error a command ends with into the one line it prints: `Error: ` and what is wrong, naming the flag
/// or file and what to do. ArgumentParser would add its usage block (dozens of flags for the exporter) to usage
/// errors; here a usage error ends with where to read more instead.
enum CommandErrorLine {
    /// The line for `error`, or nil when ArgumentParser should handle it: help and version requests (exit 0, on
    /// standard output) and ``ExitCode``s thrown after the command printed its own message.
    static func line<Command: ParsableCommand>(for error: any Error, of _: Command.Type) -> String? {
        if error is ExitCode { return nil }
        let code = Command.exitCode(for: error)
        guard code != .success else { return nil }
        let message = Command.message(for: error)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingWhitespace() }
            .joined(separator: " ")
        let withoutPrefix = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        guard code == .validationFailure else { return "Error: " + withoutPrefix }
        return "Error: \(withoutPrefix) (see \(Command.configuration.commandName ?? "tributary") --help)"
    }
}
