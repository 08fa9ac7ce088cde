import ShadowCore
import ShadowOperations
import ShadowSystem

/// Where shadowctl connects when neither --address nor --socket is given.
enum EndpointDefaults {
    /// mgmt_socket of config.json in $SHADOWCTL_CONFIGDIR (default /etc/shadowdhcp) when it exists
    /// and this user may connect to it (read and write permission); else its mgmt_address; else
    /// 127.0.0.1:8547.
    static func configured() -> ManagementClient.Endpoint {
        let fallback = ManagementClient.Endpoint.tcp(.v4(IPv4Address(127, 0, 0, 1), port: 8547))
        let directory = environment("SHADOWCTL_CONFIGDIR") ?? "/etc/shadowdhcp"
        guard let bytes = try? FileSystem.contents(of: directory + "/config.json"),
              let config = try? ConfigurationLoader.loadConfig(bytes) else { return fallback }
        if let socket = config.mgmtSocket, FileSystem.isReadableAndWritable(socket) { return .unix(socket) }
        if let address = config.mgmtAddress { return .tcp(address) }
        return fallback
    }

}

/// An environment variable, nil when unset.
func environment(_ name: String) -> String? { CurrentProcess.environment(name) }

extension String {
    /// Without leading and trailing ASCII white space (space, tab, CR, LF).
    func trimmingWhiteSpace() -> String {
        let bytes = Array(utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
