/// The libFuzzer targets: one per parser that reads bytes from outside (a peer, a file on disk,
/// an HTTP request, the control socket). Each case runs one input through the real entry points
/// and traps only where the code under test would trap, so a crash found by libFuzzer
/// (`FuzzTesting/`) and a corpus replay in `swift test` exercise exactly the same path.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case handshake = "Handshake"
    case chunkStream = "ChunkStream"
    case amf0 = "AMF0"
    case command = "Command"
    case flvFile = "FLVFile"
    case flvTagHeaders = "FLVTagHeaders"
    case avcConfiguration = "AVCConfiguration"
    case h264SPS = "H264SPS"
    case aacConfiguration = "AACConfiguration"
    case mp4 = "MP4"
    case dvr = "DVR"
    case hostINI = "HostINI"
    case controlLink = "ControlLink"
    case adminAPI = "AdminAPI"

    /// Runs one input. Parse errors are the expected outcome for most inputs and are ignored.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .handshake: HandshakeFuzzing.run(bytes)
        case .chunkStream: ChunkStreamFuzzing.run(bytes)
        case .amf0: AMF0Fuzzing.run(bytes)
        case .command: CommandFuzzing.run(bytes)
        case .flvFile: FLVFileFuzzing.run(bytes)
        case .flvTagHeaders: FLVTagHeaderFuzzing.run(bytes)
        case .avcConfiguration: AVCConfigurationFuzzing.run(bytes)
        case .h264SPS: H264SPSFuzzing.run(bytes)
        case .aacConfiguration: AACConfigurationFuzzing.run(bytes)
        case .mp4: MP4Fuzzing.run(bytes)
        case .dvr: DVRFuzzing.run(bytes)
        case .hostINI: HostINIFuzzing.run(bytes)
        case .controlLink: ControlLinkFuzzing.run(bytes)
        case .adminAPI: AdminAPIFuzzing.run(bytes)
        }
    }

    /// The libFuzzer calling convention (`LLVMFuzzerTestOneInput`'s arguments).
    public func run(_ data: UnsafeRawPointer?, _ count: Int) -> Int32 {
        run(count == 0 || data == nil ? [] : Array(UnsafeRawBufferPointer(start: data, count: count)))
        return 0
    }
}
