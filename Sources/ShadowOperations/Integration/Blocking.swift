import Dispatch
import NIOCore
import Synchronization

/// Runs async work to completion from a thread outside Swift concurrency.
///
/// For the master's poll thread (at startup and shutdown): it blocks the calling thread, so it
/// must never be called from a Swift task or an event loop.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        Task {
            let r: Result<T, any Error>
            do { r = .success(try await body()) } catch { r = .failure(error) }
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}

extension ManagementServer {
    /// ``start()`` for a caller outside Swift concurrency (e.g. the poll thread before its loop).
    public func startBlocking() throws { try Blocking.run { try await self.start() } }

    /// ``stop()`` for a caller outside Swift concurrency.
    public func stopBlocking() { _ = try? Blocking.run { await self.stop() } }
}

extension MetricsServer {
    /// ``start()`` for a caller outside Swift concurrency.
    public func startBlocking() throws { try Blocking.run { try await self.start() } }

    /// ``stop()`` for a caller outside Swift concurrency.
    public func stopBlocking() { _ = try? Blocking.run { await self.stop() } }
}

extension EventWriter {
    /// ``shutdown(timeout:)`` for a caller outside Swift concurrency; returns within about `timeout`.
    public func shutdownBlocking(timeout: TimeAmount = .seconds(5)) {
        _ = try? Blocking.run { await self.shutdown(timeout: timeout) }
    }
}

/// Both event writers at once.
public enum EventWriters {
    /// Shuts down (drains) both writers concurrently, each within `timeout`, for a caller outside
    /// Swift concurrency.
    public static func shutdownBlocking(tcp: EventWriter?, clickhouse: ClickHouseWriter?, timeout: TimeAmount) {
        _ = try? Blocking.run {
            async let a: Void = tcp?.shutdown(timeout: timeout) ?? ()
            async let b: Void = clickhouse?.shutdown(timeout: timeout) ?? ()
            _ = await (a, b)
        }
    }
}
