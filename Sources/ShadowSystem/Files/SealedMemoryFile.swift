import CShim
import Glibc
import SystemPackage

/// Snapshots in sealed memory files: the master writes one, seals it (no write, grow, shrink or
/// further sealing) and passes the descriptor over IPC; a worker checks the seals and maps it
/// read-only. One file can go to both workers; nobody can change it under them.
public enum SealedMemoryFile {
    /// Creates a memfd of `byteCount` bytes, lets `fill` write it through a shared mapping,
    /// unmaps it and seals it. Returns the close-on-exec descriptor (the caller closes it after
    /// sending it).
    ///
    /// Corresponds to memfd_create(2), ftruncate(2), mmap(2), munmap(2) and fcntl(2) F_ADD_SEALS.
    public static func create(
        name: String, byteCount: Int, fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(Errno) -> FileDescriptor {
        precondition(byteCount > 0)
        let fd = FileDescriptor(rawValue: try systemCall { cshim_memfd_create_sealable(name) })
        do throws(Errno) {
            _ = try systemCall { ftruncate(fd.rawValue, off_t(byteCount)) }
            guard let base = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, 0),
                  base != MAP_FAILED else { throw lastErrno() }
            fill(UnsafeMutableRawBufferPointer(start: base, count: byteCount))
            _ = try systemCall { munmap(base, byteCount) }
            _ = try systemCall { cshim_seal_all(fd.rawValue) }
            return fd
        } catch {
            try? fd.closeChecked()
            throw error
        }
    }
}

/// Why a received snapshot descriptor was refused.
public enum MappingError: Error, Equatable, Sendable {
    case system(Errno)
    /// Not sealed against writes, growth, shrinking and further seals.
    case notSealed(seals: CInt)
    /// Its size is not the announced one.
    case sizeMismatch(expected: Int, actual: Int)
}

/// A read-only shared mapping of a sealed memory file; unmapped on deinit. The bytes cannot
/// change while mapped (the file is sealed), so it is safe to share across threads.
public final class ReadOnlyMapping: @unchecked Sendable {
    /// The mapped bytes.
    public let bytes: UnsafeRawBufferPointer

    /// Checks `descriptor`'s seals and size (must be exactly `expectedByteCount`) and maps it.
    /// The descriptor may be closed afterwards; the mapping stays valid.
    ///
    /// Corresponds to fcntl(2) F_GET_SEALS, fstat(2) and mmap(2).
    public init(descriptor: FileDescriptor, expectedByteCount: Int) throws(MappingError) {
        let seals: CInt
        do { seals = try systemCall { cshim_get_seals(descriptor.rawValue) } } catch { throw .system(error) }
        guard seals & cshim_all_seals() == cshim_all_seals() else { throw .notSealed(seals: seals) }
        var info = stat()
        do { _ = try systemCall { fstat(descriptor.rawValue, &info) } } catch { throw .system(error) }
        guard Int(info.st_size) == expectedByteCount, expectedByteCount > 0 else {
            throw .sizeMismatch(expected: expectedByteCount, actual: Int(info.st_size))
        }
        guard let base = mmap(nil, expectedByteCount, PROT_READ, MAP_SHARED, descriptor.rawValue, 0),
              base != MAP_FAILED else { throw .system(lastErrno()) }
        bytes = UnsafeRawBufferPointer(start: base, count: expectedByteCount)
    }

    /// ``init(descriptor:expectedByteCount:)`` for a size another process announced: a size no
    /// `Int` holds is a mismatch like any other, never a trap.
    public convenience init(descriptor: FileDescriptor, announcedByteCount: UInt64) throws(MappingError) {
        guard let expected = Int(exactly: announcedByteCount) else {
            var info = stat()
            let actual = fstat(descriptor.rawValue, &info) == 0 ? Int(info.st_size) : -1
            throw .sizeMismatch(expected: .max, actual: actual)
        }
        try self.init(descriptor: descriptor, expectedByteCount: expected)
    }

    /// Corresponds to munmap(2).
    deinit {
        _ = try? systemCall { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
    }
}
