/// One example of a rejected input line per protocol and reason, for debug logs that show what was wrong
/// without flooding them.
///
/// A slot is filled only while empty (the first rejected line since the last ``take()``), so a stream of bad
/// lines costs one copy per reason per log interval, and nothing when the logger is not at debug level (then
/// `enabled` is false). Lines are cut to `maxBytes`.
package struct RejectedExamples: Sendable {
    package enum Source: String, Sendable {
        case statsd
        case json
    }

    package struct Example: Sendable, Equatable {
        package var source: Source
        package var reason: String
        /// The line as received (lossily decoded, cut to `maxBytes`).
        package var line: String
    }

    package static let maxBytes = 200
    /// Set by the server when debug logging is on; off by default so ingest never copies.
    package var enabled = false
    private var statsd: [Example?] = Array(repeating: nil, count: ParseFailure.allCases.count)
    private var json: [Example?] = Array(repeating: nil, count: JSONFeedFailure.allCases.count)

    package init() {}

    @inline(__always)
    package mutating func record(_ failure: ParseFailure, line: UnsafeRawBufferPointer) {
        guard self.enabled, self.statsd[failure.rawValue] == nil else { return }
        self.statsd[failure.rawValue] = Example(source: .statsd, reason: failure.label, line: Self.text(line))
    }

    @inline(__always)
    package mutating func record(_ failure: JSONFeedFailure, line: UnsafeRawBufferPointer) {
        guard self.enabled, self.json[failure.rawValue] == nil else { return }
        self.json[failure.rawValue] = Example(source: .json, reason: failure.label, line: Self.text(line))
    }

    /// The examples recorded since the last call, emptying the slots.
    package mutating func take() -> [Example] {
        let examples = self.statsd.compactMap { $0 } + self.json.compactMap { $0 }
        for index in self.statsd.indices { self.statsd[index] = nil }
        for index in self.json.indices { self.json[index] = nil }
        return examples
    }

    private static func text(_ line: UnsafeRawBufferPointer) -> String {
        let cut = UnsafeRawBufferPointer(rebasing: line[0..<min(line.count, Self.maxBytes)])
        return String(decoding: cut, as: UTF8.self) + (line.count > Self.maxBytes ? "…" : "")
    }
}
