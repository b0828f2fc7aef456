// libFuzzer's entry points. The harness is built with `-sanitize=fuzzer,address` and `-parse-as-library`, so
// libFuzzer supplies `main`; `Fuzz/run` chooses the target with DOCTOR_FUZZ_TARGET.
#if canImport(Glibc)
import Glibc
#endif

/// Before any input: DOCTOR_FUZZ_TARGET=list prints the targets and leaves with `_exit` (libFuzzer counts an
/// `exit` as a crash, from its exit handler); any other value must name a target.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    if let name = getenv("DOCTOR_FUZZ_TARGET"), String(cString: name) == "list" {
        let text = FuzzTarget.allCases.map { $0.rawValue + "\n" }.joined()
        _ = text.withCString { write(1, $0, strlen($0)) }
        _exit(0)
    }
    _ = FuzzTarget.selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.selected.run(bytes)
    return 0
}
