//  RTMP handshake (Adobe RTMP spec §5.2), plain and digest ("complex") variants.
//
//   client                         server
//     | ---- C0 (1) + C1 (1536) ---> |
//     | <--- S0 + S1 + S2 ---------- |
//     | ---- C2 (1536) ------------> |
//
//  C1/S1: time(4) version(4) random(1528). In the digest variant, a 32-byte HMAC-SHA256 sits
//  at an offset derived from four bytes of the packet (scheme 0: bytes 8..11, offset % 728 + 12;
//  scheme 1: bytes 772..775, offset % 728 + 776), keyed with the Flash Player key for C1 and the
//  Flash Media Server key for S1. S2 ends with an HMAC of its first 1504 bytes under a key that is
//  itself the HMAC of C1's digest. Clients that send a digest (Flash, librtmp, ffmpeg in some
//  modes) expect one back; others get the plain echo.
import NIOCore

/// Constants and digest helpers of the RTMP handshake.
public enum RTMPHandshake {
    public static let packetSize = 1536
    public static let version: UInt8 = 3

    static let randomConstant: [UInt8] = [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ]
    static let playerKey = Array("Genuine Adobe Flash Player 001".utf8)
    static let serverKey = Array("Genuine Adobe Flash Media Server 001".utf8)
    static var playerFullKey: [UInt8] { playerKey + randomConstant }
    static var serverFullKey: [UInt8] { serverKey + randomConstant }

    /// Where a digest scheme places the 32-byte digest inside a 1536-byte C1/S1.
    static func digestOffset(in packet: [UInt8], scheme: Int) -> Int {
        let base = scheme == 0 ? 8 : 772
        let sum = Int(packet[base]) + Int(packet[base + 1]) + Int(packet[base + 2]) + Int(packet[base + 3])
        return sum % 728 + base + 4
    }

    static func digest(of packet: [UInt8], at offset: Int, key: [UInt8]) -> [UInt8] {
        SHA256.hmac(key: key, message: Array(packet[..<offset]) + Array(packet[(offset + 32)...]))
    }

    /// The digest found in a C1/S1 keyed with `key`, and its scheme, or nil for a plain packet.
    static func findDigest(in packet: [UInt8], key: [UInt8]) -> (digest: [UInt8], scheme: Int)? {
        for scheme in [0, 1] {
            let offset = digestOffset(in: packet, scheme: scheme)
            let expected = digest(of: packet, at: offset, key: key)
            if Array(packet[offset..<offset + 32]) == expected { return (expected, scheme) }
        }
        return nil
    }

    /// Writes a digest into `packet` (1536 bytes) with the given scheme and key.
    static func sign(_ packet: inout [UInt8], scheme: Int, key: [UInt8]) -> [UInt8] {
        let offset = digestOffset(in: packet, scheme: scheme)
        let value = digest(of: packet, at: offset, key: key)
        packet.replaceSubrange(offset..<offset + 32, with: value)
        return value
    }

    /// An S2/C2 answering the peer's digest: random bytes ending with HMAC(HMAC(fullKey, peerDigest), first 1504).
    static func response(toDigest peerDigest: [UInt8], fullKey: [UInt8], random: [UInt8]) -> [UInt8] {
        var packet = random
        let key = SHA256.hmac(key: fullKey, message: peerDigest)
        let signature = SHA256.hmac(key: key, message: Array(packet[..<(packetSize - 32)]))
        packet.replaceSubrange((packetSize - 32)..., with: signature)
        return packet
    }
}

/// Errors that end a handshake.
public enum RTMPHandshakeError: Error, Equatable, Sendable {
    case unsupportedVersion(UInt8)
}

/// Server side of the handshake as a state machine: feed bytes, send what it returns.
public struct RTMPServerHandshake: Sendable {
    public enum State: Sendable, Equatable { case waitingForC0C1, waitingForC2, done }
    public private(set) var state: State = .waitingForC0C1
    /// True when the client sent a digest C1 and was answered with the digest variant.
    public private(set) var usedDigest = false
    private var buffered: [UInt8] = []
    private let random: @Sendable (Int) -> [UInt8]

    /// `random` supplies filler bytes (injected so tests are deterministic).
    public init(random: @escaping @Sendable (Int) -> [UInt8] = RTMPServerHandshake.systemRandom) {
        self.random = random
    }

    public static let systemRandom: @Sendable (Int) -> [UInt8] = { count in
        // Eight bytes per call to the system generator, not one.
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// What to do after feeding bytes.
    public enum Action: Equatable, Sendable {
        case needMoreData
        /// Send these bytes (S0+S1+S2).
        case send([UInt8])
        /// The handshake is complete; `leftover` bytes already belong to the chunk stream.
        case completed(leftover: [UInt8])
    }

    /// Feeds received bytes. Bytes past the handshake are returned in `.completed`.
    public mutating func feed(_ bytes: [UInt8]) throws(RTMPHandshakeError) -> Action {
        buffered += bytes
        switch state {
        case .waitingForC0C1:
            guard buffered.count >= 1 + RTMPHandshake.packetSize else { return .needMoreData }
            // Version 3 is plain RTMP; 6 (RTMPE) and others are not served.
            guard buffered[0] == RTMPHandshake.version else { throw .unsupportedVersion(buffered[0]) }
            let c1 = Array(buffered[1...RTMPHandshake.packetSize])
            buffered.removeFirst(1 + RTMPHandshake.packetSize)
            state = .waitingForC2
            var reply: [UInt8] = [RTMPHandshake.version]
            let clientVersion = c1[4..<8]
            if clientVersion != [0, 0, 0, 0], let (clientDigest, scheme) = RTMPHandshake.findDigest(in: c1, key: RTMPHandshake.playerKey) {
                usedDigest = true
                var s1 = [0, 0, 0, 0, 0x0D, 0x0E, 0x0A, 0x0D] + random(RTMPHandshake.packetSize - 8)
                _ = RTMPHandshake.sign(&s1, scheme: scheme, key: RTMPHandshake.serverKey)
                reply += s1
                reply += RTMPHandshake.response(toDigest: clientDigest, fullKey: RTMPHandshake.serverFullKey,
                                                random: random(RTMPHandshake.packetSize))
            } else {
                reply += [0, 0, 0, 0, 0, 0, 0, 0] + random(RTMPHandshake.packetSize - 8)
                reply += c1 // S2 echoes C1.
            }
            return .send(reply)
        case .waitingForC2:
            // C2 content is not verified: clients differ and nothing security-relevant rests on it.
            guard buffered.count >= RTMPHandshake.packetSize else { return .needMoreData }
            let leftover = Array(buffered[RTMPHandshake.packetSize...])
            buffered = []
            state = .done
            return .completed(leftover: leftover)
        case .done:
            return .completed(leftover: bytes)
        }
    }
}

/// Client side of the handshake: `start()` gives C0+C1, then feed the server's bytes.
public struct RTMPClientHandshake: Sendable {
    public enum State: Sendable, Equatable { case initial, waitingForS0S1S2, done }
    public private(set) var state: State = .initial
    private var buffered: [UInt8] = []
    private var c1: [UInt8] = []
    private let useDigest: Bool
    private let random: @Sendable (Int) -> [UInt8]
    /// True when the server answered with a valid digest S1 (digest variant only).
    public private(set) var serverDigestVerified = false

    public init(useDigest: Bool = false, random: @escaping @Sendable (Int) -> [UInt8] = RTMPServerHandshake.systemRandom) {
        self.useDigest = useDigest
        self.random = random
    }

    /// C0+C1 to send first.
    public mutating func start() -> [UInt8] {
        if useDigest {
            c1 = [0, 0, 0, 0, 0x80, 0x00, 0x07, 0x02] + random(RTMPHandshake.packetSize - 8)
            _ = RTMPHandshake.sign(&c1, scheme: 0, key: RTMPHandshake.playerKey)
        } else {
            c1 = [0, 0, 0, 0, 0, 0, 0, 0] + random(RTMPHandshake.packetSize - 8)
        }
        state = .waitingForS0S1S2
        return [RTMPHandshake.version] + c1
    }

    public enum Action: Equatable, Sendable {
        case needMoreData
        /// Send C2; the handshake is then complete and `leftover` belongs to the chunk stream.
        case completed(c2: [UInt8], leftover: [UInt8])
    }

    public mutating func feed(_ bytes: [UInt8]) throws(RTMPHandshakeError) -> Action {
        buffered += bytes
        guard state == .waitingForS0S1S2 else { return .needMoreData }
        let total = 1 + 2 * RTMPHandshake.packetSize
        guard buffered.count >= total else { return .needMoreData }
        guard buffered[0] == RTMPHandshake.version else { throw .unsupportedVersion(buffered[0]) }
        let s1 = Array(buffered[1...RTMPHandshake.packetSize])
        let leftover = Array(buffered[total...])
        buffered = []
        state = .done
        if useDigest, let (serverDigest, _) = RTMPHandshake.findDigest(in: s1, key: RTMPHandshake.serverKey) {
            serverDigestVerified = true
            let c2 = RTMPHandshake.response(toDigest: serverDigest, fullKey: RTMPHandshake.playerFullKey,
                                            random: random(RTMPHandshake.packetSize))
            return .completed(c2: c2, leftover: leftover)
        }
        return .completed(c2: s1, leftover: leftover)
    }
}
