import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `tributary help [COMMAND]`: the exporter's help (flags and the command list), or one command's.
struct HelpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary help",
        abstract: "Show the help of the exporter (its flags and these commands) or of one command."
    )

    @Argument(help: "A command (explain, emit, demo, …); omit for the exporter's flags.")
    var command: String?

    func run() throws {
        guard let name = self.command else {
            print(ServeCommand.helpMessage())
            return
        }
        guard let entry = CommandTable.entry(named: name) else {
            let names = CommandTable.entries.map(\.name).joined(separator: ", ")
            ConsoleOutput.writeError("Error: unknown command \"\(name)\"; the commands are \(names)\n")
            throw ExitCode.validationFailure
        }
        print(entry.command.helpMessage())
    }
}
