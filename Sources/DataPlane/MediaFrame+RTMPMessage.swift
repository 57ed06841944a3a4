import FLV
import RTMP

extension MediaFrame {
    /// The frame a received message carries for relaying: audio and video as they are (empty
    /// ones dropped), `onMetaData` (with or without `@setDataFrame`) as script data at
    /// timestamp 0; nil for every other message. The one conversion used by publishers'
    /// connections and by upstream pulls alike.
    init?(relaying message: RTMPMessage) {
        switch message.type {
        case .audio, .video:
            guard message.payload.readableBytes > 0 else { return nil }
            self.init(kind: message.typeID == MediaFrame.Kind.audio.rawValue ? .audio : .video,
                      timestamp: message.timestamp, payload: message.payload)
        case .dataAMF0, .dataAMF3:
            guard let data = try? DataMessage(message: message) else { return nil }
            let unwrapped = data.unwrappingSetDataFrame
            guard unwrapped.values.first?.stringValue == "onMetaData" else { return nil }
            self.init(kind: .scriptData, timestamp: 0, payload: unwrapped.payload)
        default:
            return nil
        }
    }
}
