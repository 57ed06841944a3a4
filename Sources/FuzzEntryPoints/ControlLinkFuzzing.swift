import ControlProtocol
import Foundation

/// JSON lines on the control socket, decoded as each side decodes them (the relay reads the
/// control plane's messages, `listClients` among them, the control plane the relay's: snapshots
/// of both protocol versions, replies with client lists), with the same plain `JSONDecoder` as
/// `ControlLinkCoding.decodeLine`; what decodes is encoded again as the API re-serves it.
enum ControlLinkFuzzing {
    static func run(_ bytes: [UInt8]) {
        for line in bytes.split(separator: UInt8(ascii: "\n")).prefix(64) {
            let data = Data(line)
            if let message = try? JSONDecoder().decode(DataPlaneMessage.self, from: data) {
                _ = try? JSONEncoder().encode(message)
            }
            if let message = try? JSONDecoder().decode(ControlPlaneMessage.self, from: data) {
                _ = try? JSONEncoder().encode(message)
            }
        }
    }
}
