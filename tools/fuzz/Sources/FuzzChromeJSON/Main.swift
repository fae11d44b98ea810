import FuzzSupport

@_cdecl("fuzz_chrome_json_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzzChromeJSON($0, $1) }
}
