import FuzzSupport

@_cdecl("fuzz_lanes_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzzLanes($0, $1) }
}
