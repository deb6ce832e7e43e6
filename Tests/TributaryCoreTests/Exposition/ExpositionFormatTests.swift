import Testing

@testable import TributaryCore

struct ExpositionFormatTests {
    struct NegotiationCase: Sendable, CustomTestStringConvertible {
        var accept: [String]
        var format: ExpositionFormat
        var contentType: String
        var escaping: NameEscaping
        init(_ accept: [String], _ format: ExpositionFormat, _ contentType: String, _ escaping: NameEscaping = .underscores) {
            self.accept = accept
            self.format = format
            self.contentType = contentType
            self.escaping = escaping
        }
        var testDescription: String { self.accept.joined(separator: " | ") }
    }

    static let text = "text/plain; version=0.0.4; charset=utf-8"
    static let openMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8"
    static let proto = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

    @Test(arguments: [
        NegotiationCase([], .text, text),
        NegotiationCase(["*/*"], .text, text),
        NegotiationCase(["text/plain"], .text, text),
        NegotiationCase(["text/html, application/json"], .text, text),
        // Prometheus 2.x default scrape Accept.
        NegotiationCase(
            [
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
            ], .openMetrics, openMetrics),
        // Prometheus with native histograms enabled.
        NegotiationCase(
            [
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                    + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
            ], .protobufDelimited, proto),
        // Prometheus 3.x with UTF-8 names allowed.
        NegotiationCase(
            [
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                    + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                    + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
            ], .openMetrics, openMetrics + "; escaping=allow-utf-8", .allowUTF8),
        NegotiationCase(["text/plain;version=1.0.0;escaping=allow-utf-8"], .text,
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8", .allowUTF8),
        NegotiationCase(["text/plain;version=0.0.4;escaping=allow-utf-8"], .text, text),
        NegotiationCase(["application/openmetrics-text;version=0.0.1"], .openMetrics,
            "application/openmetrics-text; version=0.0.1; charset=utf-8"),
        NegotiationCase(["application/openmetrics-text"], .openMetrics, openMetrics),
        // q-values beat order; q=0 excludes.
        NegotiationCase(["text/plain;version=0.0.4;q=0.9, application/openmetrics-text;version=1.0.0;q=0.5"], .text, text),
        NegotiationCase(["application/openmetrics-text;version=1.0.0;q=0, text/plain"], .text, text),
        NegotiationCase(["text/plain;q=0.2", "application/openmetrics-text;q=0.3"], .openMetrics, openMetrics),
        // Unknown versions and protobuf encodings Tributary does not write are skipped.
        NegotiationCase(["application/openmetrics-text;version=2.0.0, text/plain;q=0.1"], .text, text),
        NegotiationCase(
            ["application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text"], .text, text),
        NegotiationCase(["application/vnd.google.protobuf;proto=other.Message;encoding=delimited"], .text, text),
        NegotiationCase(
            ["application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited;"
                + " escaping=underscores"], .protobufDelimited, proto + "; escaping=underscores"),
        NegotiationCase(["application/openmetrics-text;escaping=bogus"], .openMetrics, openMetrics),
        NegotiationCase(["garbage, ;;, /"], .text, text),
    ])
    func negotiates(_ testCase: NegotiationCase) {
        let negotiated = NegotiatedExposition.negotiate(accept: testCase.accept)
        #expect(negotiated.format == testCase.format)
        #expect(negotiated.contentType == testCase.contentType)
        #expect(negotiated.escaping == testCase.escaping)
    }
}
