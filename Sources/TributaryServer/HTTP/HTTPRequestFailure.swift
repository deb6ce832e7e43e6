import NIOHTTP1

/// Why an HTTP request was rejected before it reached a route: the reasons of
/// `tributary_http_request_errors_total{reason}`.
///
/// Payload-free like ``ParseFailure``; the raw value indexes the counter array of ``HTTPRequestCounter``.
package enum HTTPRequestFailure: Int, CaseIterable, Sendable {
    /// SwiftNIO's parser rejected the request line or a header (400).
    case malformed
    /// The request line and headers exceed `--web.max-header-bytes` (431).
    case headerTooLarge
    /// `--web.idle-timeout` or `--web.read-timeout` closed a connection in the middle of a request (a head sent in
    /// part, or a body that never ended). Idle keep-alive connections closed between requests are not counted.
    case timeout

    /// The `reason` label value.
    package var label: String {
        switch self {
        case .malformed: "malformed"
        case .headerTooLarge: "header_too_large"
        case .timeout: "timeout"
        }
    }

    /// The failure for an error of SwiftNIO's HTTP/1 decoder.
    package init(parserError: HTTPParserError) {
        self = parserError == .headerOverflow ? .headerTooLarge : .malformed
    }
}
