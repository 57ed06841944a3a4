import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAVCConfiguration(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.avcConfiguration.run(data, count) }
