/// The exposition formats `/metrics` can answer in.
package enum ExpositionFormat: Sendable, Equatable {
    /// `text/plain; version=0.0.4` (also chosen for `text/plain; version=1.0.0`, which only adds quoted UTF-8 names).
    case text
    /// `application/openmetrics-text; version=1.0.0` (or `0.0.1` when that is what was asked for).
    case openMetrics
    /// `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`.
    case protobufDelimited
}

/// How metric names outside the legacy character set are served (the `escaping=` media-type parameter).
package enum NameEscaping: String, Sendable, Equatable {
    /// The default: names are escaped as statsd_exporter does (`.` → `_`), as stored.
    case underscores
    /// Names are served as the input spelled them, quoted in text formats when outside the legacy set.
    case allowUTF8 = "allow-utf-8"
    case dots
    case values
}

/// The outcome of content negotiation: a format, its `Content-Type` and the name escaping asked for.
package struct NegotiatedExposition: Sendable, Equatable {
    package var format: ExpositionFormat
    /// The `Content-Type` header naming the chosen format (and `escaping=` when the request named one).
    package var contentType: String
    /// The name escaping; `.underscores` unless the accepted media range named another.
    package var escaping: NameEscaping

    package init(format: ExpositionFormat, contentType: String, escaping: NameEscaping = .underscores) {
        self.format = format
        self.contentType = contentType
        self.escaping = escaping
    }

    /// Text 0.0.4, the fallback for any `Accept` header that names nothing better.
    package static let text004 = NegotiatedExposition(
        format: .text, contentType: "text/plain; version=0.0.4; charset=utf-8")

    /// Picks the format for the `Accept` header values, following prometheus/common `expfmt.NegotiateIncludingOpenMetrics`.
    ///
    /// Media ranges are tried by descending `q` (ties: more specific first, then header order); the first that names
    /// a format Tributary writes wins: delimited protobuf, `text/plain` (version absent, `0.0.4` or `1.0.0`),
    /// `application/openmetrics-text` (version absent, `0.0.1` or `1.0.0`). Anything else, `q=0` ranges included, is
    /// skipped; when nothing matches the answer is text 0.0.4. The `escaping` parameter of the winning range is kept;
    /// unknown escaping values fall back to `underscores`, and `text/plain; version=0.0.4` ignores it (that format
    /// cannot carry UTF-8 names).
    ///
    /// With `openMetrics` false (the default of `--web.enable-openmetrics`) OpenMetrics ranges are skipped, as
    /// client_golang's `EnableOpenMetrics` does: Prometheus appends `_total` to counters it reads from OpenMetrics,
    /// which would rename statsd_exporter-style counters without the suffix.
    package static func negotiate(accept values: [String], openMetrics: Bool = true) -> NegotiatedExposition {
        var ranges: [MediaRange] = []
        for value in values {
            for item in value.split(separator: ",") {
                if let range = MediaRange(parsing: item, order: ranges.count) { ranges.append(range) }
            }
        }
        ranges.sort { a, b in
            if a.quality != b.quality { return a.quality > b.quality }
            if a.specificity != b.specificity { return a.specificity > b.specificity }
            return a.order < b.order
        }
        for range in ranges where range.quality > 0 && (openMetrics || range.subtype != "openmetrics-text") {
            if let chosen = Self.format(for: range) { return chosen }
        }
        return .text004
    }

    private static func format(for range: MediaRange) -> NegotiatedExposition? {
        let version = range.parameters["version"]
        let escaping = range.parameters["escaping"].flatMap(NameEscaping.init(rawValue:))
        func suffix(_ escaping: NameEscaping?) -> String { escaping.map { "; escaping=\($0.rawValue)" } ?? "" }
        switch (range.type, range.subtype) {
        case ("application", "vnd.google.protobuf"):
            guard range.parameters["proto"] == "io.prometheus.client.MetricFamily",
                range.parameters["encoding"] == "delimited"
            else { return nil }
            return NegotiatedExposition(
                format: .protobufDelimited,
                contentType: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "
                    + "encoding=delimited" + suffix(escaping),
                escaping: escaping ?? .underscores)
        case ("text", "plain"):
            switch version {
            case nil, "0.0.4":
                return .text004
            case "1.0.0":
                return NegotiatedExposition(
                    format: .text, contentType: "text/plain; version=1.0.0; charset=utf-8" + suffix(escaping),
                    escaping: escaping ?? .underscores)
            default:
                return nil
            }
        case ("application", "openmetrics-text"):
            let served: String
            switch version {
            case nil, "1.0.0": served = "1.0.0"
            case "0.0.1": served = "0.0.1"
            default: return nil
            }
            return NegotiatedExposition(
                format: .openMetrics,
                contentType: "application/openmetrics-text; version=\(served); charset=utf-8" + suffix(escaping),
                escaping: escaping ?? .underscores)
        default:
            return nil
        }
    }
}

/// One media range of an `Accept` header: `type/subtype; param=value; q=0.5`.
private struct MediaRange {
    var type: Substring
    var subtype: Substring
    var parameters: [Substring: String] = [:]
    var quality = 1.0
    var order: Int

    /// 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`; plus the number of parameters, as goautoneg ranks ties.
    var specificity: Int {
        (self.type == "*" ? 0 : self.subtype == "*" ? 1 : 2) * 100 + self.parameters.count
    }

    init?(parsing item: Substring, order: Int) {
        let parts = item.split(separator: ";")
        guard let media = parts.first?.trimmingSpaces().lowercased() else { return nil }
        let pieces = media.split(separator: "/", maxSplits: 1)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else { return nil }
        self.type = pieces[0]
        self.subtype = pieces[1]
        self.order = order
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = Substring(pair[0].trimmingSpaces().lowercased())
            var value = pair[1].trimmingSpaces()
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            if key == "q" {
                self.quality = Double(value) ?? 0
            } else {
                self.parameters[key] = String(value)
            }
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP header parameters).
    package func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " || result.first == "\t" { result.removeFirst() }
        while result.last == " " || result.last == "\t" { result.removeLast() }
        return result
    }
}
