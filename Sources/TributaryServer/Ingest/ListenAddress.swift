/// A `host:port` listen address in statsd_exporter's syntax: `:9125` (all interfaces),
/// `127.0.0.1:9125`, `[::1]:9125`, `localhost:9125`. An empty string means "off".
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// nil means every interface.
    package var host: String?
    package var port: Int

    package init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses an address; nil for the empty string (listener disabled).
    package static func parse(_ text: String) throws(ListenAddressError) -> ListenAddress? {
        if text.isEmpty { return nil }
        guard let colon = text.lastIndex(of: ":") else { throw ListenAddressError(text: text) }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ListenAddressError(text: text)
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return ListenAddress(host: host.isEmpty ? nil : host, port: port)
    }

    /// Hosts to try binding, in order: dual-stack `::` then `0.0.0.0` for "every interface".
    package var bindHosts: [String] {
        if let host { return [host] }
        return ["::", "0.0.0.0"]
    }

    package var description: String {
        guard let host else { return ":\(self.port)" }
        return host.contains(":") ? "[\(host)]:\(self.port)" : "\(host):\(self.port)"
    }
}

package struct ListenAddressError: Error, CustomStringConvertible {
    package var text: String
    package var description: String { "invalid listen address \"\(self.text)\": expected [host]:port, e.g. :9125 or 127.0.0.1:9125" }
}
