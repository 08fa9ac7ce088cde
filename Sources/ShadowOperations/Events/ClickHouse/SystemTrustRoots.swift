import NIOSSL
import ShadowCore

/// The system's TLS trust store, read by `shadow-ops` before its sandbox (afterwards it can open
/// no file). The same bundle files NIOSSL's default trust looks for.
public enum SystemTrustRoots {
    /// The certificates of the first bundle that loads; throws when none does.
    public static func load() throws -> [NIOSSLCertificate] {
        for path in ClickHouseURL.systemTrustBundles {
            if let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty {
                return certificates
            }
        }
        throw ClickHousePostError(description: """
            no system trust store found (looked for \(ClickHouseURL.systemTrustBundles.joined(separator: ", "))); \
            install ca-certificates for an https ClickHouse URL
            """)
    }
}
