/// `ha` of `config.json` (docs/high-availability.md).
extension TreeDecoder {
    mutating func haSettings(_ value: JSONValue, at path: String) -> HASettings? {
        guard let f = object(value, at: path, allowed: ConfigField.ha) else { return nil }
        let before = errors.count
        let me = required(f, "this_server").flatMap { serverName($0, at: f.path("this_server")) }
        var mode = HASettings.Mode.activeActive
        if let v = f["mode"] {
            mode = parsed(v, at: f.path("mode"), "HA mode",
                          expected: "one of \(HASettings.Mode.allCases.map(\.rawValue).joined(separator: ", "))",
                          HASettings.Mode.init(rawValue:)) ?? mode
        }
        let listen = required(f, "listen").flatMap { socketAddress($0, at: f.path("listen")) }
        let keyFile = required(f, "key_file").flatMap { absolutePath($0, at: f.path("key_file")) }
        let peerList = required(f, "peers").flatMap { list($0, at: f.path("peers")) { $0.haPeer($1, at: $2) } }
        let peers = peerList ?? []
        var heartbeat = 1000, missed = 3
        if let v = f["heartbeat_ms"], let n = integer(v, at: f.path("heartbeat_ms"), in: HASettings.heartbeatRange) {
            heartbeat = Int(n)
        }
        if let v = f["max_missed_heartbeats"],
           let n = integer(v, at: f.path("max_missed_heartbeats"), in: HASettings.missedHeartbeatsRange) {
            missed = Int(n)
        }
        var primary: String?
        if let v = f["primary"] { primary = serverName(v, at: f.path("primary")) }
        if peerList != nil { checkPeers(peers, thisServer: me, listen: listen, at: f.path("peers")) }
        let names = Set([me].compactMap { $0 } + peers.map(\.name))
        if mode == .hotStandby && primary == nil && f["primary"] == nil {
            fail(f.path("primary"), "is required with mode hot-standby: name the server that answers")
        }
        if let p = primary {
            if mode != .hotStandby {
                fail(f.path("primary"), "applies only to mode hot-standby, but mode is \(mode.rawValue)")
            } else if !names.contains(p) {
                fail(f.path("primary"), "\(quoted(p)) is not a server: expected this_server or a peer's name")
            }
        }
        guard errors.count == before, let me, let listen, let keyFile else { return nil }
        return HASettings(thisServer: me, mode: mode, primary: primary, listen: listen, keyFile: keyFile,
                          peers: peers, heartbeatMilliseconds: heartbeat, maxMissedHeartbeats: missed)
    }

    mutating func haPeer(_ value: JSONValue, at path: String) -> HASettings.Peer? {
        guard let f = object(value, at: path, allowed: ConfigField.haPeer) else { return nil }
        let name = required(f, "name").flatMap { serverName($0, at: f.path("name")) }
        let address = required(f, "address").flatMap { socketAddress($0, at: f.path("address")) }
        guard let name, let address else { return nil }
        return HASettings.Peer(name: name, address: address)
    }

    /// A server name: 1–64 of A–Z, a–z, 0–9, `.`, `_`, `-` (it becomes a metric label and a log field).
    mutating func serverName(_ value: JSONValue, at path: String) -> String? {
        guard let s = nonEmptyString(value, at: path) else { return nil }
        guard HASettings.isValidServerName(s) else {
            fail(path, "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-', got \(quoted(s))")
            return nil
        }
        return s
    }

    private mutating func checkPeers(_ peers: [HASettings.Peer], thisServer: String?, listen: SocketAddress?,
                                     at path: String) {
        if peers.isEmpty { fail(path, "must name at least one peer") }
        if peers.count > HASettings.maximumPeers {
            fail(path, "at most \(HASettings.maximumPeers) peers, got \(peers.count)")
        }
        var names: [String: Int] = [:], addresses: [SocketAddress: Int] = [:]
        for (i, peer) in peers.enumerated() {
            if peer.name == thisServer {
                fail("\(path)[\(i)].name", "\(quoted(peer.name)) is this server's own name (this_server)")
            }
            if let other = names[peer.name] {
                fail("\(path)[\(i)].name", "\(quoted(peer.name)) is also the name of peers[\(other)]")
            }
            if let other = addresses[peer.address] {
                fail("\(path)[\(i)].address", "\(peer.address) is also the address of peers[\(other)]")
            }
            if peer.address == listen {
                fail("\(path)[\(i)].address", "\(peer.address) is this server's own listen address")
            }
            names[peer.name] = names[peer.name] ?? i
            addresses[peer.address] = addresses[peer.address] ?? i
        }
    }
}
