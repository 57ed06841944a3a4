import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHostINI(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.hostINI.run(data, count) }
