/// `connect` (RTMP spec §7.2.1.1): the fields of the command object a server needs.
public struct ConnectCommand: Sendable, Equatable {
    public var transactionID: Double
    /// Application path as sent (`app` or `app/instance`, maybe with `?query`).
    public var app: String
    public var tcUrl: String?
    public var flashVersion: String?
    public var objectEncoding: Double
    /// All other properties, in order (e.g. a cluster secret passed by a child node).
    public var commandObject: AMF0Value
    public var arguments: [AMF0Value]

    /// The application name without instance or query: `livestreamcast_origin/_definst_?x` → `livestreamcast_origin`.
    public var appName: String {
        let withoutQuery = app.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? app
        return withoutQuery.split(separator: "/").first.map(String.init) ?? withoutQuery
    }
}

/// Which spelling of the subscribe call a client used, so the answer uses the same one.
public enum SubscribeSpelling: Sendable, Equatable {
    case fcSubscribe, fmSubscribe
    public var callbackName: String { self == .fcSubscribe ? "onFCSubscribe" : "onFMSubscribe" }
}

/// A command decoded once into a typed value (the calls of RTMP §7.2 and of the seed's API).
public enum RTMPCommand: Sendable, Equatable {
    case connect(ConnectCommand)
    case createStream(transactionID: Double)
    case releaseStream(transactionID: Double, name: String)
    case fcPublish(transactionID: Double, name: String)
    case fcUnpublish(transactionID: Double, name: String)
    case publish(transactionID: Double, name: String, type: String)
    case play(transactionID: Double, name: String, start: Double?)
    case subscribe(transactionID: Double, name: String, spelling: SubscribeSpelling)
    case unsubscribe(transactionID: Double, name: String)
    case deleteStream(transactionID: Double, streamID: UInt32)
    case closeStream
    case receiveAudio(Bool)
    case receiveVideo(Bool)
    case seek(transactionID: Double, milliseconds: Double)
    case pause(transactionID: Double, paused: Bool, milliseconds: Double)
    /// Child node registration (seed API): the command object and arguments carry its details.
    case fcAddChild(transactionID: Double, arguments: [AMF0Value])
    /// Parent-to-child notifications (seed API).
    case addStream(name: String)
    case removeStream(name: String)
    /// Answers to our own calls (client side).
    case result(transactionID: Double, commandObject: AMF0Value, arguments: [AMF0Value])
    case error(transactionID: Double, commandObject: AMF0Value, arguments: [AMF0Value])
    case onStatus(info: AMF0Value)
    case other(CommandMessage)

    /// Decodes a command; missing required arguments give `.other` so the caller can answer an error.
    public init(_ command: CommandMessage) {
        let tid = command.transactionID
        let name = command.firstStringArgument
        switch command.name {
        case "connect":
            let object = command.commandObject
            self = .connect(ConnectCommand(
                transactionID: tid,
                app: object["app"]?.stringValue ?? "",
                tcUrl: object["tcUrl"]?.stringValue,
                flashVersion: object["flashVer"]?.stringValue ?? object["flashver"]?.stringValue,
                objectEncoding: object["objectEncoding"]?.numberValue ?? 0,
                commandObject: object,
                arguments: command.arguments))
        case "createStream": self = .createStream(transactionID: tid)
        case "releaseStream" where name != nil: self = .releaseStream(transactionID: tid, name: name!)
        case "FCPublish" where name != nil: self = .fcPublish(transactionID: tid, name: name!)
        case "FCUnpublish" where name != nil: self = .fcUnpublish(transactionID: tid, name: name!)
        case "publish" where name != nil:
            let type = command.arguments.count > 1 ? command.arguments[1].stringValue ?? "live" : "live"
            self = .publish(transactionID: tid, name: name!, type: type)
        case "play" where name != nil:
            let start = command.arguments.count > 1 ? command.arguments[1].numberValue : nil
            self = .play(transactionID: tid, name: name!, start: start)
        case "FCSubscribe" where name != nil: self = .subscribe(transactionID: tid, name: name!, spelling: .fcSubscribe)
        case "FMSubscribe" where name != nil: self = .subscribe(transactionID: tid, name: name!, spelling: .fmSubscribe)
        case "FCUnsubscribe" where name != nil: self = .unsubscribe(transactionID: tid, name: name!)
        case "deleteStream":
            // A non-integral, negative, huge or non-finite id names no stream (0): never a trap.
            let id = command.arguments.first?.numberValue ?? 0
            self = .deleteStream(transactionID: tid, streamID: UInt32(exactly: id) ?? 0)
        case "closeStream": self = .closeStream
        case "receiveAudio": self = .receiveAudio(command.arguments.first?.boolValue ?? true)
        case "receiveVideo": self = .receiveVideo(command.arguments.first?.boolValue ?? true)
        case "seek": self = .seek(transactionID: tid, milliseconds: command.arguments.first?.numberValue ?? 0)
        case "pause":
            self = .pause(transactionID: tid, paused: command.arguments.first?.boolValue ?? true,
                          milliseconds: command.arguments.count > 1 ? command.arguments[1].numberValue ?? 0 : 0)
        case "FCAddChild": self = .fcAddChild(transactionID: tid, arguments: command.arguments)
        case "addStream" where name != nil: self = .addStream(name: name!)
        case "removeStream" where name != nil: self = .removeStream(name: name!)
        case "_result": self = .result(transactionID: tid, commandObject: command.commandObject, arguments: command.arguments)
        case "_error": self = .error(transactionID: tid, commandObject: command.commandObject, arguments: command.arguments)
        case "onStatus": self = .onStatus(info: command.arguments.first ?? command.commandObject)
        default: self = .other(command)
        }
    }
}
