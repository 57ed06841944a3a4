import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMP4(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.mp4.run(data, count) }
