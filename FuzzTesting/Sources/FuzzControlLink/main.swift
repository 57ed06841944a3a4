import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlLink(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.controlLink.run(data, count) }
