// swift-tools-version:6.0
// LiveStreamCast: an RTMP relay (data plane, `lsc-relay`) and its admin/control process
// (control plane, `lsc-control`). Pure protocol and format targets have no I/O and are tested
// without sockets; NIO and libmicrohttpd are confined to the shell targets.
import PackageDescription

let nio: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let collections: Target.Dependency = .product(name: "DequeModule", package: "swift-collections")
let atomics: Target.Dependency = .product(name: "Atomics", package: "swift-atomics")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")

let package = Package(
    name: "LiveStreamCast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lsc-relay", targets: ["lsc-relay"]),
        .executable(name: "lsc-control", targets: ["lsc-control"]),
        .executable(name: "lsc-loadclient", targets: ["lsc-loadclient"]),
        .executable(name: "lsc-export", targets: ["lsc-export"]),
        .executable(name: "lsc-latency", targets: ["lsc-latency"]),
        // For FuzzTesting/, the libFuzzer package built against this one (docs/FUZZING.md).
        .library(name: "FuzzEntryPoints", targets: ["FuzzEntryPoints"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // MARK: Pure protocol and format code (no I/O)
        .target(name: "RTMP", dependencies: [nio, collections]),
        .target(name: "FLV", dependencies: [nio]),
        .target(name: "ISOBMFF", dependencies: [nio]),
        .target(name: "Recording", dependencies: [nio, "FLV"]),
        .target(name: "HighlightExport", dependencies: [nio, "FLV", "ISOBMFF", "Recording"]),
        .target(name: "Topology"),
        .target(name: "Failover", dependencies: ["Topology"]),
        .target(name: "ControlProtocol"),
        // Signed play URLs and publish keys: the one signer/verifier the relay, HTTP delivery and
        // lsc-control's play-URL minting share.
        .target(name: "PlayAuthorization", dependencies: ["RTMP"]),
        .target(name: "AdminAPI", dependencies: ["ControlProtocol"]),
        .target(name: "LatencyProbe", dependencies: [nio, "FLV"]),
        // One entry point per parser reachable from outside, shared by the libFuzzer executables
        // (FuzzTesting/) and the corpus replay in swift test.
        .target(name: "FuzzEntryPoints", dependencies: ["RTMP", "FLV", "ISOBMFF", "Recording", "HighlightExport",
                                                        "Topology", "ControlProtocol", "AdminAPI", nio]),
        // Browser delivery muxers: fMP4/CMAF fragments, LL-HLS and DVR playlists, HTTP-FLV, ranges, routes.
        .target(name: "HTTPMedia", dependencies: [nio, "FLV", "ISOBMFF", "Recording", "HighlightExport", "RTMP"]),
        // The editor page (web/editor/), compiled in by the EmbedEditorPage plugin, and its serving.
        .target(name: "EditorPage", plugins: [.plugin(name: "EmbedEditorPage")]),

        // MARK: Build tools
        .executableTarget(name: "lsc-embed-assets"),
        .plugin(name: "EmbedEditorPage", capability: .buildTool(), dependencies: ["lsc-embed-assets"]),

        // MARK: C library wrapper
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(name: "CMicroHTTPDShim", dependencies: ["CMicroHTTPD"]),
        .target(name: "MicroHTTPServer", dependencies: ["CMicroHTTPD", "CMicroHTTPDShim", logging]),

        // MARK: I/O shells
        .target(name: "ControlLink", dependencies: ["ControlProtocol", nio, nioPosix, logging]),
        .target(
            name: "DataPlane",
            dependencies: ["RTMP", "PlayAuthorization", "FLV", "Recording", "ISOBMFF", "HighlightExport", "HTTPMedia", "ControlProtocol", "ControlLink",
                           nio, nioPosix, nioSSL, .product(name: "NIOHTTP1", package: "swift-nio"), logging, collections, atomics, serviceLifecycle, unixSignals]
        ),
        .target(
            name: "ControlPlane",
            dependencies: ["AdminAPI", "ControlProtocol", "ControlLink", "MicroHTTPServer", "EditorPage", "Topology",
                           "Failover", "HighlightExport", "Recording", "ISOBMFF", "FLV", "RTMP", "PlayAuthorization",
                           nio, nioPosix, logging, serviceLifecycle, unixSignals]
        ),

        // MARK: Executables: main.swift only wires services together
        .executableTarget(name: "lsc-relay", dependencies: ["DataPlane", "PlayAuthorization", argumentParser, logging, serviceLifecycle, unixSignals, nioSSL]),
        .executableTarget(name: "lsc-control", dependencies: ["ControlPlane", "PlayAuthorization", argumentParser, logging, serviceLifecycle]),
        .executableTarget(name: "lsc-export", dependencies: ["HighlightExport", "ISOBMFF", nio, argumentParser]),
        .executableTarget(name: "lsc-loadclient", dependencies: ["RTMP", "FLV", nio, nioPosix, argumentParser, logging]),
        .executableTarget(name: "lsc-latency", dependencies: ["LatencyProbe", "RTMP", nio, nioPosix, argumentParser]),

        // MARK: Tests
        .testTarget(name: "RTMPTests", dependencies: ["RTMP"]),
        .testTarget(name: "PlayAuthorizationTests", dependencies: ["PlayAuthorization", "RTMP"]),
        .testTarget(name: "FLVTests", dependencies: ["FLV"]),
        .testTarget(name: "ISOBMFFTests", dependencies: ["ISOBMFF"]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording"]),
        .testTarget(name: "HighlightExportTests", dependencies: ["HighlightExport"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology"]),
        .testTarget(name: "FailoverTests", dependencies: ["Failover"]),
        .testTarget(name: "ControlProtocolTests", dependencies: ["ControlProtocol"]),
        .testTarget(name: "AdminAPITests", dependencies: ["AdminAPI"]),
        .testTarget(name: "EditorPageTests", dependencies: ["EditorPage"]),
        .testTarget(name: "DataPlaneTests", dependencies: ["DataPlane", "PlayAuthorization", nio, .product(name: "NIOEmbedded", package: "swift-nio"),
                                                   .product(name: "NIOTestUtils", package: "swift-nio")]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "PlayAuthorization"]),
        .testTarget(name: "HTTPMediaTests", dependencies: ["HTTPMedia", "FLV", "ISOBMFF", "Recording", nio]),
        .testTarget(name: "LatencyProbeTests", dependencies: ["LatencyProbe", "FLV", nio]),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzEntryPoints"]),
        // Live tests: start the real binaries, ffmpeg, ffprobe, rtmpdump, curl on loopback.
        .testTarget(name: "IntegrationTests", dependencies: ["RTMP", "FLV", "ControlLink", "ControlProtocol", .product(name: "NIOPosix", package: "swift-nio")]),
    ]
)
