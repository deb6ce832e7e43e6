#if canImport(Glibc)
import Glibc
// `timespec`/`timeval` members come from here in release builds (MemberImportVisibility, Swift 6.3).
import SwiftOverlayShims
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Log lines as logfmt (`ts=… level=info msg="…" key=value`) or JSON, on standard error,
/// like statsd_exporter's `--log.format`.
package struct LineLogHandler: LogHandler {
    package enum Format: String, Sendable, CaseIterable {
        case logfmt
        case json
    }

    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    private let format: Format
    private let label: String

    package init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()),
            ("level", Self.levelName(event.level)),
            ("source", self.label),
            ("msg", "\(event.message)"),
        ]
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() { fields.append((key, "\(merged[key]!)")) }
        let line: String
        switch self.format {
        case .logfmt:
            line = fields.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            line = "{" + fields.map { "\(Self.jsonString($0.0)):\(Self.jsonString($0.1))" }.joined(separator: ",") + "}"
        }
        var output = line + "\n"
        output.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    /// UTC time as `2026-11-23T02:44:25.172Z`, from the C library: formatting through Foundation would load
    /// ICU and its data, several megabytes of resident memory for a sidecar that logs a few lines.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    private static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    private static func logfmtValue(_ value: String) -> String {
        if !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return value }
        return jsonString(value)
    }

    private static func jsonString(_ value: String) -> String {
        JSONText.quoted(value)
    }

    /// Parses statsd_exporter's `--log.level` values (debug, info, warn, error).
    package static func level(named name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "debug": .debug
        case "info": .info
        case "warn", "warning": .warning
        case "error": .error
        default: nil
        }
    }
}
