import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAACConfiguration(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.aacConfiguration.run(data, count) }
