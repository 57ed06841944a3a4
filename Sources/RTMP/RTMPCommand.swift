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
    /// `play(name, start, length)`: start and length in milliseconds (librtmp's `--start`/`--stop`),
    /// nil when absent; a negative length plays to the end.
    case play(transactionID: Double, name: String, start: Double?, length: Double? = nil)
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

    /// Decodes a command leniently: a command whose arguments are missing or invalid (a number
    /// that is not finite or out of range) gives `.other`, so the caller can answer an error.
    public init(_ command: CommandMessage) {
        do {
            self = try RTMPCommand(decoding: command)
        } catch {
            self = .other(command)
        }
    }

    /// Largest time (ms) a command carries: 2^53, exact in a Double and far inside Int64.
    public static let maxMilliseconds: Double = 9_007_199_254_740_992

    /// Decodes a command at the edge: every number a peer sent is checked before it becomes a
    /// stream id or a time. A transaction id that is not finite or a stream id that is not a
    /// UInt32 is an error naming the command and the argument; times are clamped (NaN: absent).
    /// Commands missing a required name argument give `.other`.
    public init(decoding command: CommandMessage) throws(RTMPCommandError) {
        let tid = command.transactionID
        guard tid.isFinite else { throw RTMPCommandError(command: command.name, argument: "transaction id", value: tid) }
        let name = command.firstStringArgument
        func argument(_ index: Int) -> AMF0Value? { index < command.arguments.count ? command.arguments[index] : nil }
        /// A time in milliseconds (play start/length, seek, pause): a player's request, so an
        /// unusable value is tolerated as clients expect, never trapped on: NaN counts as absent,
        /// infinities and huge values are clamped to ±2^53.
        func milliseconds(_ index: Int) -> Double? {
            guard let value = argument(index)?.numberValue, !value.isNaN else { return nil }
            return Swift.min(Swift.max(value, -Self.maxMilliseconds), Self.maxMilliseconds)
        }
        switch command.name {
        case "connect":
            let object = command.commandObject
            let encoding = object["objectEncoding"]?.numberValue ?? 0
            guard encoding.isFinite else { throw RTMPCommandError(command: command.name, argument: "objectEncoding", value: encoding) }
            self = .connect(ConnectCommand(
                transactionID: tid,
                app: object["app"]?.stringValue ?? "",
                tcUrl: object["tcUrl"]?.stringValue,
                flashVersion: object["flashVer"]?.stringValue ?? object["flashver"]?.stringValue,
                objectEncoding: encoding,
                commandObject: object,
                arguments: command.arguments))
        case "createStream": self = .createStream(transactionID: tid)
        case "releaseStream" where name != nil: self = .releaseStream(transactionID: tid, name: name!)
        case "FCPublish" where name != nil: self = .fcPublish(transactionID: tid, name: name!)
        case "FCUnpublish" where name != nil: self = .fcUnpublish(transactionID: tid, name: name!)
        case "publish" where name != nil:
            self = .publish(transactionID: tid, name: name!, type: argument(1)?.stringValue ?? "live")
        case "play" where name != nil:
            self = .play(transactionID: tid, name: name!, start: milliseconds(1), length: milliseconds(2))
        case "FCSubscribe" where name != nil: self = .subscribe(transactionID: tid, name: name!, spelling: .fcSubscribe)
        case "FMSubscribe" where name != nil: self = .subscribe(transactionID: tid, name: name!, spelling: .fmSubscribe)
        case "FCUnsubscribe" where name != nil: self = .unsubscribe(transactionID: tid, name: name!)
        case "deleteStream":
            let raw = argument(0)?.numberValue ?? 0
            guard let id = UInt32(networkNumber: raw) else {
                throw RTMPCommandError(command: command.name, argument: "stream id", value: raw)
            }
            self = .deleteStream(transactionID: tid, streamID: id)
        case "closeStream": self = .closeStream
        case "receiveAudio": self = .receiveAudio(argument(0)?.boolValue ?? true)
        case "receiveVideo": self = .receiveVideo(argument(0)?.boolValue ?? true)
        case "seek": self = .seek(transactionID: tid, milliseconds: milliseconds(0) ?? 0)
        case "pause":
            self = .pause(transactionID: tid, paused: argument(0)?.boolValue ?? true, milliseconds: milliseconds(1) ?? 0)
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

/// A command argument that is not a usable number (NaN, an infinity, out of range): a protocol
/// error of the connection that sent it.
public struct RTMPCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var command: String
    public var argument: String
    public var value: Double

    public var description: String { "\(command.prefix(64)): invalid \(argument) \(value)" }
}
