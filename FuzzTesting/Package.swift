// swift-tools-version:5.4
// libFuzzer executables, one per parser reachable from outside, built against the main package's
// `FuzzEntryPoints` library. Build and run with `scripts/fuzz.sh` (docs/FUZZING.md): it passes
// `-sanitize=fuzzer,address` and `-parse-as-library` (libFuzzer provides `main`).
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links executables with `main` renamed to
// `<Module>_main` (for testable executables), which a libFuzzer binary does not have.
import PackageDescription

let targets = ["Handshake", "ChunkStream", "AMF0", "Command", "FLVFile", "FLVTagHeaders", "AVCConfiguration",
               "H264SPS", "AACConfiguration", "MP4", "DVR", "HostINI", "ControlLink", "AdminAPI"]

let package = Package(
    name: "LiveStreamCastFuzzing",
    dependencies: [.package(name: "LiveStreamCast", path: "..")],
    targets: targets.map { name in
        .executableTarget(
            name: "Fuzz\(name)",
            dependencies: [.product(name: "FuzzEntryPoints", package: "LiveStreamCast")]
        )
    }
)
