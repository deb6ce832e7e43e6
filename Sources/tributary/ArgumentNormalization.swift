/// Rewrites arguments so that every statsd_exporter spelling parses.
///
/// swift-argument-parser rejects `--flag=` (an empty value after `=`) as "Missing value" but
/// accepts `--flag ""`; statsd_exporter users write `--statsd.listen-tcp=` to turn a listener off.
enum ArgumentNormalization {
    static func normalize(_ arguments: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count + 2)
        var passthrough = false
        for argument in arguments {
            if passthrough || argument == "--" {
                passthrough = true
                result.append(argument)
            } else if argument.hasPrefix("--"), argument.hasSuffix("="), argument.firstIndex(of: "=") == argument.index(before: argument.endIndex) {
                result.append(String(argument.dropLast()))
                result.append("")
            } else {
                result.append(argument)
            }
        }
        return result
    }
}
