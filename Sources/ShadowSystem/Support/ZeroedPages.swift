import Glibc

/// Memory that starts as zeros and costs nothing until it is written: private anonymous pages
/// from the kernel, which are resident only once touched. For a large table whose empty state is
/// all zeros (storm control's buckets), so making it writes nothing and a process holds only the
/// pages its keys reached.
public enum ZeroedPages {
    /// `byteCount` bytes (rounded up to whole pages) of zeros, readable and writable, never
    /// executable; ``deallocate(_:byteCount:)`` gives them back.
    ///
    /// Corresponds to mmap(2) with MAP_PRIVATE | MAP_ANONYMOUS. Fails only when the address space
    /// is exhausted, which is fatal like a failed malloc.
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        precondition(byteCount > 0)
        guard let base = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else {
            fatalError("mmap of \(byteCount) zeroed bytes failed: errno \(errno)")
        }
        return base
    }

    /// Unmaps memory from ``allocate(byteCount:)`` (the same `byteCount`).
    ///
    /// Corresponds to munmap(2).
    public static func deallocate(_ base: UnsafeMutableRawPointer, byteCount: Int) {
        _ = munmap(base, byteCount)
    }

    /// Bytes of [`base`, `base + byteCount`) that are resident, in whole pages (for tests: how
    /// much of a table its keys have touched). 0 when the range is not mapped.
    ///
    /// Corresponds to mincore(2).
    public static func residentByteCount(_ base: UnsafeMutableRawPointer, byteCount: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: base) & ~(page - 1)
        let length = Int(bitPattern: base) + byteCount - start
        let pages = (length + page - 1) / page
        var vector = [UInt8](repeating: 0, count: pages)
        guard let aligned = UnsafeMutableRawPointer(bitPattern: start),
              mincore(aligned, length, &vector) == 0 else { return 0 }
        return vector.reduce(0) { $0 + Int($1 & 1) } * page
    }
}
