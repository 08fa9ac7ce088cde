import CShim

/// Memory the process freed but malloc still holds.
public enum FreedMemory {
    /// Gives the free pages of every malloc arena back to the kernel (malloc_trim(3)): after a
    /// large parse, the pieces' threads leave hundreds of megabytes free in arenas of their own,
    /// which malloc would otherwise keep for as long as the process lives. Costs a walk over the
    /// arenas' free lists and one madvise(2) per free run.
    public static func returnToSystem() {
        _ = cshim_malloc_trim()
    }
}
