import Foundation
import Testing

@testable import TributaryServer

struct WebConfigTests {
    @Test
    func parsesTLSAndUsersResolvingRelativePaths() throws {
        let config = try WebConfig.parse(
            yaml: """
                tls_server_config:
                  cert_file: server.crt
                  key_file: /abs/server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS13
                basic_auth_users:
                  alice: $2y$10$Z3C4bS0y5fZ6fQ4J0v6JxeJ6mYc0u7q0c0vJ9wq2h4m2nYk1m6Q2a
                """, baseDirectory: "/etc/tributary")
        let tls = try #require(config.tls)
        #expect(tls.certFile == "/etc/tributary/server.crt")
        #expect(tls.keyFile == "/abs/server.key")
        #expect(tls.clientCAFile == "/etc/tributary/ca.crt")
        #expect(tls.clientAuth == .requireAndVerify)
        #expect(tls.minVersion == .tls13)
        #expect(config.basicAuthUsers.keys.sorted() == ["alice"])
    }

    @Test
    func emptyFileMeansNoTLSAndNoAuth() throws {
        #expect(try WebConfig.parse(yaml: "", baseDirectory: ".") == WebConfig())
        #expect(try WebConfig.parse(yaml: "tls_server_config:\nbasic_auth_users:\n", baseDirectory: ".") == WebConfig())
    }

    @Test(arguments: [
        ("unknown: 1", "unknown or unsupported key unknown"),
        ("http_server_config:\n  http2: true", "unknown or unsupported key http_server_config"),
        ("tls_server_config:\n  key_file: k", "cert_file is required"),
        ("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: RequireAnyClientCert", "RequireAnyClientCert is not supported"),
        ("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: VerifyClientCertIfGiven", "client_ca_file is required"),
        ("tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS99", "TLS99 is not one of"),
        ("tls_server_config:\n  cert_file: c\n  key_file: k\n  cipher_suites: [x]", "cipher_suites: unknown or unsupported key"),
        ("basic_auth_users:\n  bob: plaintext", "basic_auth_users.bob: not a bcrypt hash"),
        ("basic_auth_users: [a]", "must be a mapping"),
        ("- a", "top level must be a mapping"),
    ])
    func rejectsWithAClearError(yaml: String, message: String) {
        do {
            _ = try WebConfig.parse(yaml: yaml, baseDirectory: ".")
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test
    func missingCertificateFileNamesTheKey() throws {
        let tls = try #require(
            try WebConfig.parse(yaml: "tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key", baseDirectory: ".").tls)
        #expect(throws: WebConfigError.self) { try tls.makeContext() }
        do { _ = try tls.makeContext() } catch { #expect(error.description.contains("tls_server_config.cert_file")) }
    }

    @Test
    func loadErrorsNameTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-config-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/web.yml"
        do {
            _ = try WebConfig.loadChecked(path: path)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.file == path)
            #expect(error.description.hasPrefix("\(path): cannot read the file"))
        }
        try "basic_auth_users:\n  bob: '$2y$05$short'\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try WebConfig.loadChecked(path: path)
            Issue.record("accepted a short hash")
        } catch {
            #expect(error.file == path)
            #expect(error.message == "basic_auth_users.bob: a bcrypt hash has 60 characters, this one 12")
        }
        try "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try WebConfig.loadChecked(path: path)
            Issue.record("accepted a missing certificate")
        } catch {
            #expect(error.file == path)
            #expect(error.message == "tls_server_config.cert_file: \(directory)/missing.crt does not exist")
        }
        try "basic_auth_users:\n  bob: \(BasicAuthenticatorTests.vectors[0].hash)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let checked = try WebConfig.loadChecked(path: path)
        #expect(checked.tls == nil && checked.warnings.isEmpty)
        #expect(checked.summary == "no TLS, basic auth for 1 user(s)")
    }

    /// A self-signed certificate valid from 2026-11-23 to 2126-10-30 (its key is not needed to read the dates).
    static let longLivedCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBiTCCAS+gAwIBAgIUEtH9qRiEG0WkHRK/Pxa+AOJ6b54wCgYIKoZIzj0EAwIw
        GTEXMBUGA1UEAwwOdHJpYnV0YXJ5LXRlc3QwIBcNMjYxMTIzMDU0NTQyWhgPMjEy
        NjEwMzAwNTQ1NDJaMBkxFzAVBgNVBAMMDnRyaWJ1dGFyeS10ZXN0MFkwEwYHKoZI
        zj0CAQYIKoZIzj0DAQcDQgAE+iC8UN8/DAQdi8Ysm/qET38A6QS5I+2uVt2Xyip4
        nFK/ZhPWnVyNeyxRkszfUuNHcUKHLP49++YlXEDIfgUBfaNTMFEwHQYDVR0OBBYE
        FBXbd2VMuG7M4GfJ5XWOGLr+6DIUMB8GA1UdIwQYMBaAFBXbd2VMuG7M4GfJ5XWO
        GLr+6DIUMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAOp6DkYp
        xWOnzRm8SR5/mnuNNLOQ0h9BkYrj3SgbhVynAiACzls2AG2YjqCpdWTmwDk91Mpe
        TPR6l5DgiUoVZDiWlA==
        -----END CERTIFICATE-----

        """

    @Test
    func warnsAboutACertificateOutsideItsValidity() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID()).crt").path
        try Self.longLivedCertificate.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tls = WebConfig.TLS(
            certFile: path, keyFile: "unused", clientCAFile: nil, clientAuth: .none, minVersion: .tls12, maxVersion: nil)
        #expect(tls.validityWarnings(now: Date(timeIntervalSince1970: 1_900_000_000)).isEmpty)  // 2030
        let early = tls.validityWarnings(now: Date(timeIntervalSince1970: 0))
        #expect(early.count == 1 && early[0].contains("is not valid before 2026-11-23"), "\(early)")
        let late = tls.validityWarnings(now: Date(timeIntervalSince1970: 5_000_000_000))  // 2128
        #expect(late.count == 1 && late[0].contains("expired on 2126-10-30"), "\(late)")
    }
}

struct BasicAuthenticatorTests {
    /// Known bcrypt vectors (OpenBSD / Openwall crypt_blowfish test set), at cost 5 so the test stays fast.
    static let vectors: [(hash: String, password: String)] = [
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"),
        ("$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U"),
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", ""),
        // $2b$ and $2y$ are the same algorithm for passwords shorter than 255 bytes.
        ("$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
        ("$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
    ]

    @Test
    func verifiesKnownVectorsAndRejectsWrongPasswords() {
        for (index, vector) in Self.vectors.enumerated() {
            let authenticator = BasicAuthenticator(users: ["u\(index)": vector.hash])
            #expect(authenticator.verify(user: "u\(index)", password: vector.password), "\(vector.hash)")
            #expect(!authenticator.verify(user: "u\(index)", password: vector.password + "x"))
            #expect(!authenticator.verify(user: "other", password: vector.password))
        }
    }

    @Test
    func remembersOnlyCredentialsThatPassed() {
        let authenticator = BasicAuthenticator(users: ["alice": Self.vectors[0].hash])
        #expect(!authenticator.isKnownGood(user: "alice", password: "U*U"))
        #expect(!authenticator.verify(user: "alice", password: "nope"))
        #expect(!authenticator.isKnownGood(user: "alice", password: "nope"))
        #expect(authenticator.verify(user: "alice", password: "U*U"))
        #expect(authenticator.isKnownGood(user: "alice", password: "U*U"))
    }

    @Test(arguments: [
        ("Basic YWxpY2U6cw==", "alice", "s"),
        ("basic   YWxpY2U6czpz", "alice", "s:s"),
        ("Basic OnB3", "", "pw"),
    ])
    func decodesHeader(header: String, user: String, password: String) throws {
        let credentials = try #require(BasicAuthenticator.credentials(fromHeader: header))
        #expect(credentials.user == user)
        #expect(credentials.password == password)
    }

    @Test(arguments: ["Bearer abc", "Basic", "Basic !!!!", "Basic YWxpY2U=", "Basic YWxpY2U6c", "Basic =YWx"])
    func rejectsMalformedHeader(header: String) {
        #expect(BasicAuthenticator.credentials(fromHeader: header) == nil)
    }

    @Test
    func recognisesBcryptHashes() {
        #expect(BasicAuthenticator.isBcryptHash(Self.vectors[0].hash))
        #expect(!BasicAuthenticator.isBcryptHash("$1$abc"))
        #expect(!BasicAuthenticator.isBcryptHash("$2a$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
    }

    @Test(arguments: [
        ("plaintext", "must start with $2a$, $2b$ or $2y$"),
        ("$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "must start with"),
        ("$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe", "60 characters, this one 59"),
        ("$2y$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "cost must be two digits from 04 to 31"),
        ("$2y$5$CCCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "cost must be two digits"),
        ("$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!", "only ./A-Za-z0-9"),
        ("$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvy$eW", "only ./A-Za-z0-9"),
    ])
    func explainsMalformedBcryptHashes(hash: String, problem: String) throws {
        let message = try #require(BasicAuthenticator.bcryptProblem(hash))
        #expect(message.contains(problem), "\(message)")
    }
}
