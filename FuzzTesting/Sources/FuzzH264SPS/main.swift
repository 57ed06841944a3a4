import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzH264SPS(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.h264SPS.run(data, count) }
