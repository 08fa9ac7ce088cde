import ShadowSystem
import Synchronization

/// Upload progress of a large request on standard error, when standard error is a terminal:
/// `shadowctl: sending FILE: 42% (84.0 of 200.0 MB)` rewritten in place, at most once per
/// percent, cleared when the response arrives. Nothing when piped or redirected, so scripts and
/// logs see only the response.
final class UploadProgress: Sendable {
    /// Requests smaller than this are sent without progress (they take no time worth showing).
    static let threshold = 1 << 20

    private let label: String
    private let lastPercent = Mutex(-1)

    private init(label: String) { self.label = label }

    /// A progress display for `byteCount` bytes labelled `label`, or nil when it would not be shown.
    static func onTerminal(label: String, byteCount: Int,
                           isTerminal: Bool = StandardError.isTerminal) -> UploadProgress? {
        guard isTerminal, byteCount >= threshold else { return nil }
        return UploadProgress(label: label)
    }

    /// The line for `sent` of `total` bytes.
    static func line(label: String, sent: Int, total: Int) -> String {
        let percent = total == 0 ? 100 : sent * 100 / total
        func mb(_ n: Int) -> String {
            let tenths = (n + 50_000) / 100_000
            return "\(tenths / 10).\(tenths % 10)"
        }
        let tail = sent == total ? ", waiting for the server" : ""
        return "shadowctl: sending \(label): \(percent)% (\(mb(sent)) of \(mb(total)) MB)\(tail)"
    }

    func update(sent: Int, total: Int) {
        let percent = total == 0 ? 100 : sent * 100 / total
        let changed = lastPercent.withLock { last in
            guard percent != last else { return false }
            last = percent
            return true
        }
        if changed { StandardError.write("\r\u{1B}[K" + Self.line(label: label, sent: sent, total: total)) }
    }

    /// Clears the progress line.
    func finish() {
        StandardError.write("\r\u{1B}[K")
    }
}
