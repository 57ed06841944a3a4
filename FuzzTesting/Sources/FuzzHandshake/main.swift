import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandshake(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.handshake.run(data, count) }
