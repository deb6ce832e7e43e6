#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOSSL

/// A `--web.config.file` loaded and checked exactly as start-up uses it: parsed, every `basic_auth_users` hash
/// well-formed, and with `tls_server_config`, the certificate chain, key and client CA loaded into a TLS context.
///
/// `tributary --check-config --web.config.file FILE` and start-up both call ``WebConfig/loadChecked(path:)``, so a
/// file that passes the check cannot fail start-up for a reason inside the file.
package struct CheckedWebConfig: Sendable {
    package var config: WebConfig
    /// The server TLS context; nil without `tls_server_config`.
    package var tls: NIOSSLContext?
    /// Problems that do not stop start-up, e.g. a server certificate outside its validity period.
    package var warnings: [String]

    /// What the file turns on, one line: `TLS (…), 2 basic-auth user(s)`.
    package var summary: String {
        var parts: [String] = []
        if let tls = self.config.tls {
            var detail = "cert_file \(tls.certFile), key_file \(tls.keyFile), \(tls.minVersion.rawValue)"
            detail += tls.maxVersion.map { " to \($0.rawValue)" } ?? " or later"
            if tls.clientAuth != .none {
                detail += ", client certificates \(tls.clientAuth.rawValue) against \(tls.clientCAFile ?? "?")"
            }
            parts.append("TLS (\(detail))")
        } else {
            parts.append("no TLS")
        }
        let users = self.config.basicAuthUsers.count
        parts.append(users == 0 ? "no basic auth" : "basic auth for \(users) user(s)")
        return parts.joined(separator: ", ")
    }
}

extension WebConfig {
    /// Reads, parses and checks the file at `path` (see ``CheckedWebConfig``). Errors name the file and the key.
    package static func loadChecked(path: String, now: Date = Date()) throws(WebConfigError) -> CheckedWebConfig {
        let config = try self.load(path: path)
        guard let tls = config.tls else { return CheckedWebConfig(config: config, tls: nil, warnings: []) }
        do {
            let context = try tls.makeContext()
            return CheckedWebConfig(config: config, tls: context, warnings: tls.validityWarnings(now: now))
        } catch {
            throw WebConfigError(error.message, file: path)
        }
    }
}

extension WebConfig.TLS {
    /// A warning when the server certificate (the first in `cert_file`) has expired or is not valid yet.
    func validityWarnings(now: Date) -> [String] {
        guard let certificate = try? NIOSSLCertificate.fromPEMFile(self.certFile).first else { return [] }
        let notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        let notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        if now > notAfter {
            return ["tls_server_config.cert_file: the certificate in \(self.certFile) expired on \(notAfter)"]
        }
        if now < notBefore {
            return ["tls_server_config.cert_file: the certificate in \(self.certFile) is not valid before \(notBefore)"]
        }
        return []
    }
}
