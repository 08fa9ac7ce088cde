// fuzz-dhcpv4: the DHCPv4 decoder and engine under mutation.
//
// Normal build: a deterministic mutation loop over the seed packets (see docs/dhcpv4.md).
//   fuzz-dhcpv4 [-runs=N] [-max_total_time=S] [-seed=N]
//   fuzz-dhcpv4 -emit_seeds=DIR   (writes the seed packets as files, a starting corpus for libFuzzer)
// Built with -DSHADOW_LIBFUZZER and -sanitize=fuzzer,address: the same target under libFuzzer,
// which takes libFuzzer's own flags and corpus directories.
#if canImport(Glibc)
import Glibc
#endif

#if SHADOW_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    if let failure = Harness.run(UnsafeRawBufferPointer(start: data, count: size)) {
        fatalError("invariant failed: \(failure)")
    }
    return 0
})
#else
if let dir = CommandLine.arguments.first(where: { $0.hasPrefix("-emit_seeds=") })?.dropFirst(12) {
    exit(SeedWriter.write(to: String(dir)))
}
exit(MutationLoop(arguments: CommandLine.arguments).run())
#endif
