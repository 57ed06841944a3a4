import RTMP

/// RTMP handshake, both sides: the input is what a client sends the relay (C0, C1, C2 and the
/// first chunks), and also what a server sends the relay's upstream client (S0, S1, S2).
enum HandshakeFuzzing {
    static let random: @Sendable (Int) -> [UInt8] = { [UInt8](repeating: 0x5A, count: $0) }

    static func run(_ bytes: [UInt8]) {
        var server = RTMPServerHandshake(random: random)
        var client = RTMPClientHandshake(useDigest: bytes.first.map { $0 & 1 == 1 } ?? false, random: random)
        _ = client.start()
        var serverFailed = false
        var clientFailed = false
        for piece in FuzzInput.pieces(bytes) {
            if !serverFailed {
                do { _ = try server.feed(Array(piece)) } catch { serverFailed = true }
            }
            if !clientFailed {
                do { _ = try client.feed(Array(piece)) } catch { clientFailed = true }
            }
        }
    }
}
