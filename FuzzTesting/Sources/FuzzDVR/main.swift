import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDVR(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.dvr.run(data, count) }
