#if canImport(Glibc)
import Glibc
#endif

// Two ways to run the same target (docs/dhcpv6.md):
// * normal build: a deterministic mutation loop, `fuzz-dhcpv6 [-runs=N] [-max_total_time=S] [-seed=N]`;
// * `-Xswiftc -DSHADOW_LIBFUZZER -Xswiftc -sanitize=fuzzer,address`: libFuzzer drives it.

nonisolated(unsafe) var target = FuzzTarget()

#if SHADOW_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, { data, size in
    let input = UnsafeRawBufferPointer(start: data, count: size)
    if let problem = target.run(input) { fatalError("invariant broken: \(problem)") }
    return 0
}))
#else
exit(MutationLoop.main(arguments: CommandLine.arguments, target: &target))
#endif
