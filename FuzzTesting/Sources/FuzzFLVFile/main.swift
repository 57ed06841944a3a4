import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFLVFile(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.flvFile.run(data, count) }
