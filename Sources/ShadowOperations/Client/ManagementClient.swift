import NIOCore
import NIOPosix
import NIOSSL
import ShadowCore

/// Sends one management request and reads the one-line response (what `shadowctl` and the tests use).
public struct ManagementClient: Sendable {
    /// Where the management server listens.
    public enum Endpoint: Sendable, CustomStringConvertible {
        /// `mgmt_address`, e.g. `127.0.0.1:8547`.
        case tcp(ShadowCore.SocketAddress)
        /// `mgmt_socket`.
        case unix(String)

        public var description: String {
            switch self {
            case .tcp(let a): "\(a)"
            case .unix(let p): "unix:\(p)"
            }
        }
    }

    /// The connection failed or ended without a response.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// TLS for a `mgmt_tls` server: the CA that signed its certificate and, when the server asks
    /// for one (`client_ca_file`), this client's certificate and key (PEM bytes).
    public struct TLS: Sendable {
        public var caPEM: [UInt8]
        public var certificatePEM: [UInt8]?
        public var keyPEM: [UInt8]?

        public init(caPEM: [UInt8], certificatePEM: [UInt8]? = nil, keyPEM: [UInt8]? = nil) {
            self.caPEM = caPEM
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
        }

        /// Full verification against ``caPEM``: shadowctl connects to an IP address, so the server
        /// certificate must name that address in its subjectAltName (IP:…).
        public func makeContext() throws -> NIOSSLContext {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(caPEM))
            configuration.certificateVerification = .fullVerification
            if let certificatePEM, let keyPEM {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificatePEM).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        }
    }

    public let endpoint: Endpoint
    public let group: any EventLoopGroup
    /// Longest wait for the whole exchange.
    public let timeout: TimeAmount
    /// TLS (TCP endpoints only), when the server has `mgmt_tls`.
    public let tls: TLS?

    public init(endpoint: Endpoint, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                timeout: TimeAmount = .seconds(300), tls: TLS? = nil) {
        self.endpoint = endpoint
        self.group = group
        self.timeout = timeout
        self.tls = tls
    }

    /// Sends `request` (a `\n` is appended when missing) and returns the response line without its `\n`.
    /// - Parameter progress: when given, the request is written in 1 MiB pieces and this is called
    ///   (on the event loop, in order) with the bytes handed to the socket so far and the total.
    public func send(_ request: [UInt8],
                     progress: (@Sendable (_ sent: Int, _ total: Int) -> Void)? = nil) async throws -> String {
        let promise = group.next().makePromise(of: [UInt8].self)
        let sslContext: NIOSSLContext?
        do {
            // The Unix socket never uses TLS.
            if case .tcp = endpoint { sslContext = try tls.map { try $0.makeContext() } } else { sslContext = nil }
        } catch {
            promise.fail(error)
            throw Failure(description: "TLS: \(error)")
        }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelOption(.allowRemoteHalfClosure, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await connect(bootstrap)
        } catch {
            promise.fail(error)
            throw Failure(description: "cannot connect to \(endpoint): \(error)")
        }
        var buffer = channel.allocator.buffer(capacity: request.count + 1)
        buffer.writeBytes(request)
        if request.last != UInt8(ascii: "\n") { buffer.writeInteger(UInt8(ascii: "\n")) }
        if let progress {
            let total = buffer.readableBytes
            var sent = 0
            while let piece = buffer.readSlice(length: min(Self.progressPiece, buffer.readableBytes)), piece.readableBytes > 0 {
                sent += piece.readableBytes
                let soFar = sent
                channel.write(piece).whenSuccess { progress(soFar, total) }
            }
            channel.flush()
        } else {
            channel.writeAndFlush(buffer, promise: nil)
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(Failure(description: "no response from \(endpoint) within \(timeout)"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        let bytes = try await promise.futureResult.get()
        guard !bytes.isEmpty else { throw Failure(description: "\(endpoint) closed the connection without a response") }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The size of the pieces a request is written in when progress is reported.
    static let progressPiece = 1 << 20

    /// ``send(_:)`` for a request given as text.
    public func send(_ request: String) async throws -> String {
        try await send(Array(request.utf8))
    }

    private func connect(_ bootstrap: ClientBootstrap) async throws -> any Channel {
        switch endpoint {
        case .tcp(let a): try await bootstrap.connect(to: EventSender.nioAddress(a)).get()
        case .unix(let p): try await bootstrap.connect(unixDomainSocketPath: p).get()
        }
    }

    /// `request` (a JSON object) with `"token":"<token>"` as its first member, so the server can
    /// authorise a large request before the rest has arrived.
    public static func addingToken(_ token: String, to request: [UInt8]) -> [UInt8] {
        guard let open = request.firstIndex(of: UInt8(ascii: "{")) else { return request }
        var w = JSONWriter()
        w.string(token)
        var out = Array(request[...open])
        out += Array("\"token\":\(w.text)".utf8)
        let rest = request[(open + 1)...]
        let empty = rest.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "}")
        if !empty { out.append(UInt8(ascii: ",")) }
        out += rest
        return out
    }

    /// A `replace` request line embedding a reservations file as is: its line breaks (which JSON
    /// allows only between tokens) become spaces, so the request stays one line.
    public static func replaceRequest(fileBytes: [UInt8]) -> [UInt8] {
        setRequest("replace", fileBytes: fileBytes)
    }

    /// ``replaceRequest(fileBytes:)`` for `command` (`replace`, or `diff`, its dry run).
    public static func setRequest(_ command: String, fileBytes: [UInt8]) -> [UInt8] {
        let head = Array(#"{"command":""#.utf8) + Array(command.utf8) + Array(#"","reservations":"#.utf8)
        // Copied whole, then its line breaks blanked in place: a 150 MB file in a few tens of ms.
        return [UInt8](unsafeUninitializedCapacity: head.count + fileBytes.count + 1) { out, initialized in
            _ = out.initialize(from: head)
            let body = UnsafeMutableBufferPointer(rebasing: out[head.count..<(head.count + fileBytes.count)])
            _ = body.initialize(from: fileBytes)
            for i in body.indices where body[i] == 0x0A || body[i] == 0x0D { body[i] = 0x20 }
            out[out.count - 1] = UInt8(ascii: "}")
            initialized = out.count
        }
    }
}

/// Collects everything the server sends until it closes.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let promise: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []

    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(bytes)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !bytes.isEmpty, bytes.last == UInt8(ascii: "\n") {
            promise.succeed(bytes)
        } else {
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}
