/// A `host:port` to listen on, as given to `--web.listen-address`.
///
/// `:9102` (empty host) means every interface; `127.0.0.1:0` asks for an ephemeral port; IPv6 hosts are written in
/// brackets (`[::1]:9102`).
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// Why a listen address could not be parsed.
    package struct ParseError: Error, CustomStringConvertible {
        package var input: String
        package var description: String { "invalid listen address '\(self.input)': expected host:port or :port" }
    }

    /// The host or IP to bind; `nil` for all interfaces.
    package var host: String?
    /// 0 picks an ephemeral port.
    package var port: Int

    package init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port` or `[v6]:port`.
    package init(parsing text: String) throws(ParseError) {
        guard let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { throw ParseError(input: text) }
        var host = text[..<colon]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { throw ParseError(input: text) }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw ParseError(input: text)  // unbracketed IPv6
        }
        self.init(host: host.isEmpty ? nil : String(host), port: port)
    }

    package var description: String {
        guard let host else { return ":\(self.port)" }
        return host.contains(":") ? "[\(host)]:\(self.port)" : "\(host):\(self.port)"
    }

    /// Parses an address where the empty string means "listener off" (statsd_exporter's convention).
    package static func parseOptional(_ text: String) throws(ParseError) -> ListenAddress? {
        text.isEmpty ? nil : try ListenAddress(parsing: text)
    }

    /// Hosts to try binding, in order: dual-stack `::` then `0.0.0.0` for "every interface".
    package var bindHosts: [String] {
        if let host { return [host] }
        return ["::", "0.0.0.0"]
    }
}
