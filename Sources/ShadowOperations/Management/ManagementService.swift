import NIOCore
import ShadowCore

/// Turns one request line into one response: parse, validate, call the backend.
///
/// Transport-free (the ``ManagementServer`` feeds it lines), so it is tested directly too.
/// `reload` and `replace` run one at a time, in arrival order.
public struct ManagementService: Sendable {
    public let backend: any ManagementBackend
    private let mutations = SerialGate()

    public init(backend: any ManagementBackend) {
        self.backend = backend
    }

    /// The response to `line` (one JSON object; a trailing newline is allowed).
    public func handle(_ line: ByteBuffer) async -> ManagementResponse {
        let context = await backend.context()
        let parsed = line.withUnsafeReadableBytes {
            ManagementRequest.parse($0, subnets: context.config.subnetsV4)
        }
        switch parsed {
        case .failure(let error): return error.response
        case .success(let request): return await execute(request, context: context)
        }
    }

    /// ``handle(_:)`` for a byte array.
    public func handle(_ line: [UInt8]) async -> ManagementResponse {
        await handle(ByteBuffer(bytes: line))
    }

    /// Runs a parsed request.
    public func execute(_ request: ManagementRequest, context: ManagementContext) async -> ManagementResponse {
        switch request {
        case .status:
            return Self.statusResponse(await backend.status())
        case .reload:
            let result = await mutations.run { await backend.reload() }
            return Self.mutationResponse(result, verb: "Reloaded", warnings: [])
        case .replace(let r):
            let result = await mutations.run { await backend.replace(r.reservations, persisted: r.persisted) }
            return Self.mutationResponse(result, verb: "Replaced with", warnings: r.warnings)
        case .workers:
            return Self.workersResponse(await backend.workers())
        case .stats:
            return Self.statsResponse(await backend.stats())
        case .lookup(let query):
            let binding: BindingTable.Entry? = if case .mac(let m) = query { await backend.binding(for: m) } else { nil }
            return LookupResolver(context: context).response(for: query, binding: binding)
        case .bindings(let mac):
            let count = await backend.bindingCount()
            let entry: BindingTable.Entry? = if let mac { await backend.binding(for: mac) } else { nil }
            return Self.bindingsResponse(count: count, mac: mac, entry: entry)
        case .version:
            return Self.versionResponse(await backend.version())
        case .changes(let request):
            return Self.changeResponse(await backend.applyChanges(request.changes), warnings: request.warnings)
        case .reservationGet(let key):
            return Self.getResponse(key, snapshot: context.snapshot)
        case .reservationsList(let from, let limit):
            return Self.listResponse(from: from, limit: limit, snapshot: context.snapshot)
        }
    }
}

/// Runs async operations one at a time, in the order they arrive.
public actor SerialGate {
    public init() {}

    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}
