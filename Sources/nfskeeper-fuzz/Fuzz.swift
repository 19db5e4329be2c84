// libFuzzer's entry point over one FuzzTarget (NFSKEEPER_FUZZ_TARGET), built by scripts/fuzz with
// -sanitize=fuzzer -DFUZZING (libFuzzer supplies main). In an ordinary build it replays
// files: `nfskeeper-fuzz TARGET FILE…`.
import FuzzTargets
import Foundation

#if FUZZING
    nonisolated(unsafe) let fuzzTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["NFSKEEPER_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(
                Data("NFSKEEPER_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: Arguments,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    // SwiftPM links an executable's entry point under this name; libFuzzer's own driver takes over.
    @_cdecl("nfskeeper_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var (count, vector) = (argc, argv)
        return withUnsafeMutablePointer(to: &vector) { v in
            runFuzzerDriver(&count, v, fuzzOneInput)
        }
    }
#else
    @main
    struct Replay {
        static func main() throws {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                print(
                    "usage: nfskeeper-fuzz TARGET FILE… (targets: "
                        + FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ") + ")"
                )
                exit(64)
            }
            for file in arguments.dropFirst() {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
                bytes.withUnsafeBytes { target.run($0) }
                print("\(file): ok")
            }
        }
    }
#endif
