import NIOSSL
import ShadowCore

/// `mgmt_tls`'s files as the master read them: PEM bytes for the operations process, which
/// terminates TLS but may open no file (docs/privileges.md).
public struct TLSFiles: Sendable, Hashable {
    public var certificatePEM: [UInt8]
    public var keyPEM: [UInt8]
    public var clientCAPEM: [UInt8]?

    /// Reads and checks `settings`' files: each must be readable PEM, the key must be the
    /// certificate's, the client CA file must hold at least one certificate. Every problem is
    /// appended to `problems` as a `file: what is wrong (config.json: mgmt_tls.field)` line.
    static func load(_ settings: ManagementTLSSettings, into problems: inout [String]) -> TLSFiles? {
        let before = problems.count
        func read(_ path: String, _ field: String) -> [UInt8]? {
            do { return try FileBytes.read(path) } catch {
                problems.append("\(error.description) (config.json: mgmt_tls.\(field))")
                return nil
            }
        }
        let certBytes = read(settings.certFile, "cert_file")
        // The private key is a secret like tokens.json: refused when group or others may read it.
        let keyBytes = ConfigDirectory.readSecret(settings.keyFile, setting: "mgmt_tls.key_file",
                                                  holds: "the management TLS private key", into: &problems)
        let caBytes = settings.clientCAFile.flatMap { read($0, "client_ca_file") }
        var chain: [NIOSSLCertificate] = []
        if let certBytes {
            chain = (try? NIOSSLCertificate.fromPEMBytes(certBytes)) ?? []
            if chain.isEmpty {
                problems.append("\(settings.certFile): no PEM certificate in it (config.json: mgmt_tls.cert_file)")
            }
        }
        var key: NIOSSLPrivateKey?
        if let keyBytes {
            key = try? NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
            if key == nil {
                problems.append("\(settings.keyFile): not a PEM private key, or an encrypted one "
                                + "(config.json: mgmt_tls.key_file)")
            }
        }
        if let caBytes, let file = settings.clientCAFile, ((try? NIOSSLCertificate.fromPEMBytes(caBytes)) ?? []).isEmpty {
            problems.append("\(file): no PEM certificate in it (config.json: mgmt_tls.client_ca_file)")
        }
        if let key, !chain.isEmpty {
            // BoringSSL checks the key against the leaf certificate when both are installed.
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            if (try? NIOSSLContext(configuration: configuration)) == nil {
                problems.append("\(settings.keyFile): this key does not belong to the certificate in "
                                + "\(settings.certFile) (config.json: mgmt_tls.key_file)")
            }
        }
        guard problems.count == before, let certBytes, let keyBytes else { return nil }
        return TLSFiles(certificatePEM: certBytes, keyPEM: keyBytes, clientCAPEM: caBytes)
    }
}
