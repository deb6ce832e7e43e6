#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOSSL

extension WebConfig.TLS {
    /// A server-side TLS context for these settings (certificate, key, client verification, versions).
    ///
    /// Throws a ``WebConfigError`` naming the file that cannot be loaded.
    package func makeContext() throws(WebConfigError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        try Self.checkReadable(self.certFile, key: "cert_file")
        try Self.checkReadable(self.keyFile, key: "key_file")
        if let caFile = self.clientCAFile { try Self.checkReadable(caFile, key: "client_ca_file") }
        do {
            chain = try NIOSSLCertificate.fromPEMFile(self.certFile)
        } catch {
            throw WebConfigError("tls_server_config.cert_file: cannot load \(self.certFile): \(error)")
        }
        guard !chain.isEmpty else { throw WebConfigError("tls_server_config.cert_file: no certificate in \(self.certFile)") }
        do {
            key = try NIOSSLPrivateKey(file: self.keyFile, format: .pem)
        } catch {
            throw WebConfigError("tls_server_config.key_file: cannot load \(self.keyFile): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = Self.nioVersion(self.minVersion)
        configuration.maximumTLSVersion = self.maxVersion.map(Self.nioVersion)
        if let caFile = self.clientCAFile {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw WebConfigError("tls_server_config.client_ca_file: cannot load \(caFile): \(error)")
            }
            guard !roots.isEmpty else { throw WebConfigError("tls_server_config.client_ca_file: no certificate in \(caFile)") }
            configuration.trustRoots = .certificates(roots)
        }
        switch self.clientAuth {
        case .none: configuration.certificateVerification = .none
        case .verifyIfGiven: configuration.certificateVerification = .optionalVerification
        case .requireAndVerify: configuration.certificateVerification = .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw WebConfigError(
                "tls_server_config: cannot use cert_file \(self.certFile) with key_file \(self.keyFile) (does the key belong to the certificate?): \(error)")
        }
    }

    /// NIOSSL reports a missing file as `failedToLoadCertificate`; say what is wrong instead.
    private static func checkReadable(_ path: String, key: String) throws(WebConfigError) {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WebConfigError("tls_server_config.\(key): \(path) does not exist")
        }
        guard !isDirectory, FileManager.default.isReadableFile(atPath: path) else {
            throw WebConfigError("tls_server_config.\(key): \(path) is not a readable file")
        }
    }

    private static func nioVersion(_ version: WebConfig.Version) -> TLSVersion {
        switch version {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }
}
