import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAMF0(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.amf0.run(data, count) }
