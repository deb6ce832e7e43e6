import TributaryCore

/// Decides what a request gets from its method and path alone (pure, tested directly).
///
/// Built-in routes: the telemetry path, `/-/healthy`, `/-/ready`, `/-/reload`, `/` (the status page, unless the
/// telemetry path is `/`), then ``HTTPEndpoints/extraRoutes``. GET routes also answer HEAD.
struct HTTPRouter: Sendable {
    /// The work a request needs.
    enum Target {
        case metrics
        case healthy
        case ready
        case reload
        case landing
        case extra(HTTPEndpoints.Route)
        /// A response fixed by routing alone (404, 405, 403).
        case respond(HTTPResponseInfo)
    }

    /// The handler label for `tributary_http_requests_total` and the work to do.
    struct Decision {
        var handler: String
        var target: Target
    }

    static let healthyPath = "/-/healthy"
    static let readyPath = "/-/ready"
    static let reloadPath = "/-/reload"
    /// Handler label for paths that match no route.
    static let unknownHandler = "other"

    var telemetryPath: String
    var enableLifecycle: Bool
    var extraRoutes: [String: HTTPEndpoints.Route]

    func route(method: String, path: String) -> Decision {
        let readOnly = method == "GET" || method == "HEAD"
        func get(_ target: Target) -> Target {
            readOnly ? target : .respond(.text(405, "Method Not Allowed\n", headers: [("Allow", "GET, HEAD")]))
        }
        switch path {
        case self.telemetryPath:
            return Decision(handler: path, target: get(.metrics))
        case Self.healthyPath:
            return Decision(handler: path, target: get(.healthy))
        case Self.readyPath:
            return Decision(handler: path, target: get(.ready))
        case Self.reloadPath:
            guard self.enableLifecycle else {
                return Decision(handler: path, target: .respond(.text(403, "Lifecycle API is not enabled.\n")))
            }
            guard method == "POST" || method == "PUT" else {
                return Decision(
                    handler: path,
                    target: .respond(.text(405, "Method Not Allowed\n", headers: [("Allow", "POST, PUT")])))
            }
            return Decision(handler: path, target: .reload)
        case "/":
            return Decision(handler: path, target: get(.landing))
        default:
            if let route = self.extraRoutes[path] {
                return Decision(handler: path, target: .extra(route))
            }
            return Decision(handler: Self.unknownHandler, target: .respond(.text(404, "404 page not found\n")))
        }
    }

    /// Whether `Accept-Encoding` values allow gzip: a `gzip` or `*` token whose `q` is not 0.
    static func acceptsGzip(_ values: [String]) -> Bool {
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";")
                guard let coding = parts.first?.trimmingSpaces().lowercased(), coding == "gzip" || coding == "*"
                else { continue }
                var quality = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    if pair.count == 2, pair[0].trimmingSpaces().lowercased() == "q" {
                        quality = Double(pair[1].trimmingSpaces()) ?? 0
                    }
                }
                if quality > 0 { return true }
            }
        }
        return false
    }
}
