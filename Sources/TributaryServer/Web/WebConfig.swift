#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

/// `--web.config.file`: TLS and basic auth for every HTTP endpoint, in the Prometheus exporter-toolkit format.
///
/// Unknown keys are rejected, like the toolkit's strict YAML. Relative file paths are resolved against the
/// directory of the config file. The file is read once at start-up.
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert   # optional mTLS
///   client_ca_file: ca.crt
///   min_version: TLS12
/// basic_auth_users:
///   prometheus: $2y$10$…   # bcrypt hash (htpasswd -nBC 10 prometheus)
/// ```
package struct WebConfig: Sendable, Equatable {
    /// `tls_server_config`.
    package struct TLS: Sendable, Equatable {
        package var certFile: String
        package var keyFile: String
        package var clientCAFile: String?
        package var clientAuth: ClientAuth
        package var minVersion: Version
        package var maxVersion: Version?
    }

    /// `client_auth_type`. Go's `RequestClientCert` and `RequireAnyClientCert` (certificates asked for but not
    /// verified) are not supported.
    package enum ClientAuth: String, Sendable, CaseIterable {
        case none = "NoClientCert"
        case verifyIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerify = "RequireAndVerifyClientCert"
    }

    /// `min_version` / `max_version`.
    package enum Version: String, Sendable, CaseIterable, Comparable {
        case tls10 = "TLS10"
        case tls11 = "TLS11"
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        package static func < (lhs: Self, rhs: Self) -> Bool {
            Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
        }
    }

    package var tls: TLS?
    /// User name → bcrypt hash (`$2a$`, `$2b$` or `$2y$`).
    package var basicAuthUsers: [String: String]

    package init(tls: TLS? = nil, basicAuthUsers: [String: String] = [:]) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
    }

    /// Reads and parses the file at `path`; errors carry the path (``WebConfigError/file``).
    package static func load(path: String) throws(WebConfigError) -> WebConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            // The system's reason in words (Foundation's message is a sentence about "the operation").
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file"
            throw WebConfigError("cannot read the file (\(reason))", file: path)
        }
        // The directory part, as NSString.deletingLastPathComponent gives it ("" for a bare file name).
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? ""
        do {
            return try self.parse(yaml: text, baseDirectory: directory.isEmpty ? "." : directory)
        } catch {
            throw WebConfigError(error.message, file: path)
        }
    }

    /// Parses the YAML text; relative paths are resolved against `baseDirectory`.
    package static func parse(yaml: String, baseDirectory: String) throws(WebConfigError) -> WebConfig {
        let root: YAMLNode?
        do {
            root = try YAMLReader.parse(yaml)
        } catch {
            throw WebConfigError("not valid YAML: \(error)")
        }
        guard let root, !root.isNull else { return WebConfig() }
        guard let top = root.dictionary else { throw WebConfigError("the top level must be a mapping") }
        let supported: Set<String> = ["tls_server_config", "basic_auth_users"]
        for key in top.keys.sorted() where !supported.contains(key) {
            throw WebConfigError("unknown or unsupported key \(key) (Tributary supports tls_server_config and basic_auth_users)")
        }
        var config = WebConfig()
        if let tls = top["tls_server_config"], !tls.isNull {
            config.tls = try self.parseTLS(tls, baseDirectory: baseDirectory)
        }
        if let users = top["basic_auth_users"], !users.isNull {
            guard let map = users.dictionary else { throw WebConfigError("basic_auth_users must be a mapping of user to bcrypt hash") }
            for user in map.keys.sorted() {
                guard let hash = map[user]?.string, !map[user]!.isNull else {
                    throw WebConfigError("basic_auth_users.\(user): not a bcrypt hash (a string starting with $2a$, $2b$ or $2y$)")
                }
                if let problem = BasicAuthenticator.bcryptProblem(hash) {
                    throw WebConfigError("basic_auth_users.\(user): \(problem)")
                }
                if user.contains(":") { throw WebConfigError("basic_auth_users.\(user): a user name cannot contain ':'") }
                config.basicAuthUsers[user] = hash
            }
        }
        return config
    }

    private static func parseTLS(_ value: YAMLNode, baseDirectory: String) throws(WebConfigError) -> TLS {
        guard let map = value.dictionary else { throw WebConfigError("tls_server_config must be a mapping") }
        let supported: Set<String> = ["cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version", "max_version"]
        for key in map.keys.sorted() where !supported.contains(key) {
            throw WebConfigError("tls_server_config.\(key): unknown or unsupported key")
        }
        func string(_ key: String) throws(WebConfigError) -> String? {
            guard let raw = map[key], !raw.isNull else { return nil }
            guard let text = raw.string, !text.isEmpty else { throw WebConfigError("tls_server_config.\(key) must be a non-empty string") }
            return text
        }
        func path(_ key: String) throws(WebConfigError) -> String? {
            try string(key).map { $0.hasPrefix("/") ? $0 : baseDirectory + "/" + $0 }
        }
        guard let cert = try path("cert_file") else { throw WebConfigError("tls_server_config.cert_file is required") }
        guard let key = try path("key_file") else { throw WebConfigError("tls_server_config.key_file is required") }
        let clientCA = try path("client_ca_file")
        var clientAuth = ClientAuth.none
        if let name = try string("client_auth_type") {
            guard let parsed = ClientAuth(rawValue: name) else {
                throw WebConfigError(
                    "tls_server_config.client_auth_type: \(name) is not supported (use one of "
                        + ClientAuth.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            clientAuth = parsed
        }
        if clientAuth != .none && clientCA == nil {
            throw WebConfigError("tls_server_config.client_ca_file is required with client_auth_type \(clientAuth.rawValue)")
        }
        func version(_ key: String) throws(WebConfigError) -> Version? {
            guard let name = try string(key) else { return nil }
            guard let parsed = Version(rawValue: name) else {
                throw WebConfigError("tls_server_config.\(key): \(name) is not one of TLS10, TLS11, TLS12, TLS13")
            }
            return parsed
        }
        let minVersion = try version("min_version") ?? .tls12
        let maxVersion = try version("max_version")
        if let maxVersion, maxVersion < minVersion {
            throw WebConfigError("tls_server_config.max_version is below min_version")
        }
        return TLS(
            certFile: cert, keyFile: key, clientCAFile: clientCA, clientAuth: clientAuth, minVersion: minVersion,
            maxVersion: maxVersion)
    }
}

/// A `--web.config.file` problem, with the key it concerns and, once known, the file.
package struct WebConfigError: Error, CustomStringConvertible, Equatable {
    /// The problem, starting with the key (`tls_server_config.cert_file: cannot load …`).
    package var message: String
    /// The config file, when the error came from reading one (``WebConfig/loadChecked(path:)``).
    package var file: String?

    package var description: String {
        self.file.map { "\($0): \(self.message)" } ?? self.message
    }

    package init(_ message: String, file: String? = nil) {
        self.message = message
        self.file = file
    }
}
