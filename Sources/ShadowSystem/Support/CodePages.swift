import CShim

/// The pages of code and constants a process mapped from its executable and libraries.
public enum CodePages {
    /// Drops this process's mappings of the read-only segments of every loaded object (the code
    /// run once at start-up — the configuration's parse, checks, TLS file checks — stays resident
    /// otherwise for as long as the process lives): each page comes back from the page cache the
    /// next time it is run or read, so what stays resident is what the process still uses. Nothing
    /// is lost; costs a minor fault per page used again. Returns the bytes advised (their
    /// mappings, resident or not).
    ///
    /// Corresponds to dl_iterate_phdr(3) and madvise(2) MADV_DONTNEED.
    @discardableResult
    public static func releaseResident() -> Int {
        Int(cshim_release_code_pages())
    }
}
