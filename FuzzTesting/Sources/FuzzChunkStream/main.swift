import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkStream(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.chunkStream.run(data, count) }
