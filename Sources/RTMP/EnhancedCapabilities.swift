/// E-RTMP v2 `connect` capability negotiation: the client lists the FourCCs it handles
/// (`fourCcList`, or per codec `videoFourCcInfoMap`/`audioFourCcInfoMap` with CanDecode 1,
/// CanEncode 2, CanForward 4; "*" for any) and extended capabilities (`capsEx`: Reconnect 1,
/// Multitrack 2, ModEx 4, TimestampNanoOffset 8); the server's `_result` answers with what it
/// supports of them.
public struct EnhancedCapabilities: Sendable, Equatable {
    /// capsEx flags.
    public static let reconnect = 0x01, multitrack = 0x02, modEx = 0x04, timestampNanoOffset = 0x08

    public var videoFourCCs: [String: Int]
    public var audioFourCCs: [String: Int]
    public var capsEx: Int

    /// The codecs this relay forwards (CanForward): it passes every E-RTMP message through.
    public static let relay = EnhancedCapabilities(
        videoFourCCs: Dictionary(uniqueKeysWithValues: ["avc1", "hvc1", "av01", "vp09"].map { ($0, 4) }),
        audioFourCCs: Dictionary(uniqueKeysWithValues: ["Opus", "fLaC", "ac-3", "ec-3", "mp4a", ".mp3"].map { ($0, 4) }),
        capsEx: multitrack | modEx | timestampNanoOffset)

    private static let videoCodes: Set<String> = ["avc1", "hvc1", "av01", "vp09", "vvc1"]

    public init(videoFourCCs: [String: Int], audioFourCCs: [String: Int], capsEx: Int) {
        self.videoFourCCs = videoFourCCs
        self.audioFourCCs = audioFourCCs
        self.capsEx = capsEx
    }

    /// What a `connect` command object announces; nil when it announces nothing of E-RTMP (a
    /// legacy client). Bounded: at most 64 entries per list are read.
    public init?(commandObject: AMF0Value) {
        var video: [String: Int] = [:], audio: [String: Int] = [:]
        var announced = false
        for (key, target) in [("videoFourCcInfoMap", 0), ("audioFourCcInfoMap", 1)] {
            guard let map = commandObject[key] else { continue }
            let properties: [AMF0Property]
            switch map {
            case .object(let list), .ecmaArray(let list): properties = list
            default: continue
            }
            announced = true
            for property in properties.prefix(64) {
                let flags = Int(clamping: Int64(property.value.numberValue.map { $0.isFinite ? max(0, min($0, 255)) : 0 } ?? 0))
                if target == 0 { video[property.key, default: 0] |= flags } else { audio[property.key, default: 0] |= flags }
            }
        }
        if case .strictArray(let list)? = commandObject["fourCcList"] {
            announced = true
            for code in list.prefix(64).compactMap(\.stringValue) {
                // fourCcList says neither audio nor video nor which flags: a listed code the info
                // maps did not describe counts as decodable; "*" counts for both kinds.
                if Self.videoCodes.contains(code) || code == "*" { video[code] = video[code] ?? 1 }
                if !Self.videoCodes.contains(code) { audio[code] = audio[code] ?? 1 }
            }
        }
        var caps = 0
        if let value = commandObject["capsEx"]?.numberValue, value.isFinite {
            announced = true
            caps = Int(max(0, min(value, 255)))
        }
        guard announced else { return nil }
        self.init(videoFourCCs: video, audioFourCCs: audio, capsEx: caps)
    }

    public var supportsMultitrack: Bool { capsEx & Self.multitrack != 0 }

    /// Our answer to a client that announced `client`: each of its codecs we forward (with our
    /// flags), "*" expanded to all of ours, and the capsEx flags we share.
    public func answer(to client: EnhancedCapabilities) -> EnhancedCapabilities {
        func common(_ ours: [String: Int], _ theirs: [String: Int]) -> [String: Int] {
            theirs["*"] != nil ? ours : ours.filter { theirs[$0.key] != nil }
        }
        return EnhancedCapabilities(videoFourCCs: common(videoFourCCs, client.videoFourCCs),
                                    audioFourCCs: common(audioFourCCs, client.audioFourCCs),
                                    capsEx: capsEx & client.capsEx)
    }

    /// The properties to put in a `connect` command object or its `_result`.
    public var properties: [AMF0Property] {
        let codes = (videoFourCCs.keys.sorted() + audioFourCCs.keys.sorted()).map { AMF0Value.string($0) }
        return [
            AMF0Property("fourCcList", .strictArray(codes)),
            AMF0Property("videoFourCcInfoMap", .object(videoFourCCs.sorted { $0.key < $1.key }.map { AMF0Property($0.key, .number(Double($0.value))) })),
            AMF0Property("audioFourCcInfoMap", .object(audioFourCCs.sorted { $0.key < $1.key }.map { AMF0Property($0.key, .number(Double($0.value))) })),
            AMF0Property("capsEx", .number(Double(capsEx))),
        ]
    }
}
