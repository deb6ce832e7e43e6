import Logging
import NIOSSL

/// What `--web.config.file` turns on for the HTTP server: a TLS context and a basic-auth checker, loaded once at
/// start-up (``load(path:logger:)``) and immutable afterwards, so every connection shares them without a lock.
///
/// ```swift
/// let security = try WebSecurity.load(path: configuration.webConfigPath, logger: logger)
/// httpConfiguration.tls = security.tls
/// httpConfiguration.authenticator = security.authenticator
/// ```
package struct WebSecurity: Sendable {
    /// The server TLS context; nil serves plain HTTP.
    package var tls: NIOSSLContext?
    /// Basic auth for every endpoint; nil when the file has no `basic_auth_users`.
    package var authenticator: BasicAuthenticator?

    /// Neither TLS nor basic auth (no `--web.config.file`).
    package static let none = WebSecurity(tls: nil, authenticator: nil)

    /// Reads and checks the file at `path` exactly as `--check-config` does (``WebConfig/loadChecked(path:now:)``),
    /// logs what it turns on and its warnings; `nil` path: ``none``. Throws when the file is unusable.
    package static func load(path: String?, logger: Logger) throws(WebConfigError) -> WebSecurity {
        guard let path else { return .none }
        let web = try WebConfig.loadChecked(path: path)
        logger.info(
            "web config loaded",
            metadata: ["tls": "\(web.config.tls != nil)", "basic_auth_users": "\(web.config.basicAuthUsers.count)"])
        for warning in web.warnings { logger.warning("web config: \(warning)") }
        let users = web.config.basicAuthUsers
        return WebSecurity(tls: web.tls, authenticator: users.isEmpty ? nil : BasicAuthenticator(users: users))
    }
}
