import Testing

@testable import TributaryCore

/// One nanosecond-based second, for readable `now:` arguments.
let second: UInt64 = 1_000_000_000

extension ShardState {
    /// Applies `text` as one datagram (lines separated by `\n`).
    mutating func apply(_ text: String, now: UInt64 = 0) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { self.apply(lines: UnsafeRawBufferPointer($0), now: now) }
    }

    /// Applies `text` as JSON feed lines.
    mutating func applyJSON(_ text: String, now: UInt64 = 0) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { self.applyJSON(lines: $0, now: now) }
    }

    /// The whole text exposition as a `String`.
    mutating func text(now: UInt64 = 0) -> String {
        var bytes: [UInt8] = []
        self.writeText(into: &bytes, now: now)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The parsed exposition.
    mutating func exposition(now: UInt64 = 0) -> Exposition {
        Exposition(parsing: self.text(now: now))
    }

    func sampleErrors(_ failure: ParseFailure) -> UInt64 {
        self.counts.sampleErrors[failure.rawValue]
    }
}

extension AggregationShard {
    func apply(_ text: String, now: UInt64 = 0) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { self.apply(lines: UnsafeRawBufferPointer($0), now: now) }
    }

    func text(now: UInt64 = 0) -> String {
        var bytes: [UInt8] = []
        self.writeText(into: &bytes, now: now)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension CompiledMapper {
    /// The empty mapper with a different observer type or TTL.
    static func with(observer: ObserverType = .summary, ttlSeconds: Double = 0) -> CompiledMapper {
        CompiledMapper(
            defaultObserverType: observer, defaultHistogramOptions: .statsdExporterDefault,
            defaultSummaryOptions: .statsdExporterDefault, defaultTTLSeconds: ttlSeconds)
    }
}

/// A small reference parser for the text format 0.0.4, independent of ``TextFormat``: enough to read
/// back what a shard writes and compare values numerically.
struct Exposition: Sendable {
    struct Sample: Sendable, Hashable, CustomStringConvertible {
        var name: String
        var labels: [String: String]
        var value: Double

        var description: String {
            let labels = self.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
            return "\(self.name){\(labels.joined(separator: ","))} \(self.value)"
        }
    }

    var samples: [Sample] = []
    /// `# TYPE` by family name.
    var types: [String: String] = [:]
    /// `# HELP` by family name (unescaped).
    var help: [String: String] = [:]
    /// Lines that could not be parsed.
    var errors: [String] = []

    init(parsing text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                if parts.count == 2 {
                    self.types[String(parts[0])] = String(parts[1])
                } else {
                    self.errors.append(String(line))
                }
            } else if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                self.help[String(parts[0])] = parts.count == 2 ? Self.unescape(String(parts[1])) : ""
            } else if line.hasPrefix("#") {
                continue
            } else if let sample = Self.parseSample(Substring(line)) {
                self.samples.append(sample)
            } else {
                self.errors.append(String(line))
            }
        }
    }

    /// The value of the sample with exactly this name and label set.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    private static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "n": out.append("\n")
                default: out.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    private static func parseSample(_ line: Substring) -> Sample? {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " { index = line.index(after: index) }
        let name = String(line[line.startIndex..<index])
        if name.isEmpty || index == line.endIndex { return nil }
        var labels: [String: String] = [:]
        if line[index] == "{" {
            index = line.index(after: index)
            while index < line.endIndex, line[index] != "}" {
                let eq = line[index...].firstIndex(of: "=")
                guard let eq, line.index(after: eq) < line.endIndex, line[line.index(after: eq)] == "\"" else {
                    return nil
                }
                let key = String(line[index..<eq])
                var cursor = line.index(eq, offsetBy: 2)
                var value = ""
                while cursor < line.endIndex, line[cursor] != "\"" {
                    if line[cursor] == "\\" {
                        cursor = line.index(after: cursor)
                        guard cursor < line.endIndex else { return nil }
                        switch line[cursor] {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: return nil
                        }
                    } else {
                        value.append(line[cursor])
                    }
                    cursor = line.index(after: cursor)
                }
                guard cursor < line.endIndex else { return nil }
                if labels[key] != nil { return nil }
                labels[key] = value
                cursor = line.index(after: cursor)
                if cursor < line.endIndex, line[cursor] == "," { cursor = line.index(after: cursor) }
                index = cursor
            }
            guard index < line.endIndex else { return nil }
            index = line.index(after: index)
        }
        guard index < line.endIndex, line[index] == " " else { return nil }
        let valueText = line[line.index(after: index)...]
        let value: Double?
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(String(valueText))
        }
        guard let value else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }
}

/// True when `a` and `b` are within `tolerance` relative to each other (or both NaN).
func approximatelyEqual(_ a: Double, _ b: Double, relative tolerance: Double = 1e-9) -> Bool {
    if a.isNaN && b.isNaN { return true }
    if a == b { return true }
    return abs(a - b) <= tolerance * max(abs(a), abs(b))
}
