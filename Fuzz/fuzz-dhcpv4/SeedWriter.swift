#if canImport(Glibc)
import Glibc
#endif

/// Writes the seed packets into a directory, one file each, as a starting corpus for libFuzzer.
enum SeedWriter {
    static func write(to directory: String) -> Int32 {
        mkdir(directory, 0o755)
        for (i, seed) in FuzzWorld.seeds.enumerated() {
            let path = "\(directory)/seed-\(i)"
            guard let file = fopen(path, "wb") else {
                print("fuzz-dhcpv4: cannot write \(path)")
                return 1
            }
            let written = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            guard written == seed.count else { return 1 }
        }
        print("fuzz-dhcpv4: wrote \(FuzzWorld.seeds.count) seeds to \(directory)")
        return 0
    }
}
