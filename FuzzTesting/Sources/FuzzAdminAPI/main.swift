import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdminAPI(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 { FuzzTarget.adminAPI.run(data, count) }
