/// Builders for the answers a server sends: `_result`, `_error`, `onStatus`, and the seed's
/// callbacks (`onFCPublish`, `onFCSubscribe`, ...), each carrying an info object.
public enum StatusMessages {
    /// An info object `{level, code, description}` (NetStatusEvent.info).
    public static func info(level: String = "status", code: String, description: String, extra: [AMF0Property] = []) -> AMF0Value {
        .object([AMF0Property("level", .string(level)), AMF0Property("code", .string(code)),
                 AMF0Property("description", .string(description))] + extra)
    }

    /// `onStatus(info)` on a message stream.
    public static func onStatus(code: String, description: String, level: String = "status", extra: [AMF0Property] = []) -> CommandMessage {
        CommandMessage(name: "onStatus", transactionID: 0, commandObject: .null,
                       arguments: [info(level: level, code: code, description: description, extra: extra)])
    }

    /// A seed-style callback such as `onFCPublish(info)`.
    public static func callback(_ name: String, code: String, description: String, level: String = "status") -> CommandMessage {
        CommandMessage(name: name, transactionID: 0, commandObject: .null,
                       arguments: [info(level: level, code: code, description: description)])
    }

    public static func result(transactionID: Double, commandObject: AMF0Value = .null, _ arguments: AMF0Value...) -> CommandMessage {
        CommandMessage(name: "_result", transactionID: transactionID, commandObject: commandObject, arguments: arguments)
    }

    public static func error(transactionID: Double, code: String, description: String) -> CommandMessage {
        CommandMessage(name: "_error", transactionID: transactionID, commandObject: .null,
                       arguments: [info(level: "error", code: code, description: description)])
    }

    /// `_result` of a successful connect; `enhanced` (E-RTMP negotiation) joins the properties.
    public static func connectSuccess(transactionID: Double, objectEncoding: Double, enhanced: EnhancedCapabilities? = nil) -> CommandMessage {
        CommandMessage(
            name: "_result", transactionID: transactionID,
            commandObject: .object([AMF0Property("fmsVer", "FMS/3,5,7,7009"), AMF0Property("capabilities", 31), AMF0Property("mode", 1)]
                                  + (enhanced?.properties ?? [])),
            arguments: [info(code: "NetConnection.Connect.Success", description: "Connection succeeded.",
                             extra: [AMF0Property("objectEncoding", .number(objectEncoding))])])
    }
}

/// The info codes used by the seed and by stock RTMP clients.
public enum StatusCode {
    public static let connectSuccess = "NetConnection.Connect.Success"
    public static let connectRejected = "NetConnection.Connect.Rejected"
    public static let publishStart = "NetStream.Publish.Start"
    public static let publishBadName = "NetStream.Publish.BadName"
    public static let unpublishSuccess = "NetStream.Unpublish.Success"
    public static let playReset = "NetStream.Play.Reset"
    public static let playStart = "NetStream.Play.Start"
    public static let playStop = "NetStream.Play.Stop"
    public static let playStreamNotFound = "NetStream.Play.StreamNotFound"
    public static let playFailed = "NetStream.Play.Failed"
    public static let playUnpublishNotify = "NetStream.Play.UnpublishNotify"
    public static let playPublishNotify = "NetStream.Play.PublishNotify"
    public static let seekNotify = "NetStream.Seek.Notify"
    public static let pauseNotify = "NetStream.Pause.Notify"
    public static let unpauseNotify = "NetStream.Unpause.Notify"
}
