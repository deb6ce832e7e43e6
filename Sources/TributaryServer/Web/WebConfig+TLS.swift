import NIOSSL

extension WebConfig.TLS {
    /// A server-side TLS context for these settings (certificate, key, client verification, versions).
    ///
    /// Throws a ``WebConfigError`` naming the file that cannot be loaded.
    package func makeContext() throws(WebConfigError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
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
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw WebConfigError("tls_server_config.client_ca_file: cannot load \(caFile): \(error)")
            }
        }
        switch self.clientAuth {
        case .none: configuration.certificateVerification = .none
        case .verifyIfGiven: configuration.certificateVerification = .optionalVerification
        case .requireAndVerify: configuration.certificateVerification = .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw WebConfigError("tls_server_config: cannot use the certificate and key: \(error)")
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
