import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFLVTagHeaders(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.flvTagHeaders.run(data, count) }
