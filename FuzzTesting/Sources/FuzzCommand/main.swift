import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommand(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.command.run(data, count) }
