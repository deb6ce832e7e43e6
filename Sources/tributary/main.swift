import Foundation

// Subcommands are dispatched by their first word so that `tributary --help` lists the serving
// flags statsd_exporter users know, exactly as `statsd_exporter --help` does.
let arguments = ArgumentNormalization.normalize(Array(CommandLine.arguments.dropFirst()))
switch arguments.first {
case "demo":
    await DemoCommand.main(Array(arguments.dropFirst()))
default:
    await ServeCommand.main(arguments)
}
