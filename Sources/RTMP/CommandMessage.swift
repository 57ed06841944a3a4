import NIOCore

/// An AMF command (RTMP spec §7.1.1, §7.2): name, transaction id, command object, arguments.
public struct CommandMessage: Sendable, Equatable {
    public var name: String
    public var transactionID: Double
    public var commandObject: AMF0Value
    public var arguments: [AMF0Value]

    public init(name: String, transactionID: Double, commandObject: AMF0Value = .null, arguments: [AMF0Value] = []) {
        self.name = name
        self.transactionID = transactionID
        self.commandObject = commandObject
        self.arguments = arguments
    }

    /// Decodes an AMF0 command (type 20) or an AMF3-wrapped one (type 17: a 0x00 format byte,
    /// then AMF0 values, which is what Flash sends with objectEncoding 3 for commands).
    public init(message: RTMPMessage) throws(AMF0Error) {
        var payload = message.payload
        if message.typeID == RTMPMessageType.commandAMF3.rawValue, payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 0 {
            payload.moveReaderIndex(forwardBy: 1)
        }
        var budget = AMF0DecodingBudget()
        guard case .string(let name) = try payload.readAMF0Value(budget: &budget) else { throw .truncated }
        self.name = name
        transactionID = payload.readableBytes > 0 ? (try payload.readAMF0Value(budget: &budget)).numberValue ?? 0 : 0
        commandObject = payload.readableBytes > 0 ? try payload.readAMF0Value(budget: &budget) : .null
        var arguments: [AMF0Value] = []
        while payload.readableBytes > 0, arguments.count < 64 { arguments.append(try payload.readAMF0Value(budget: &budget)) }
        self.arguments = arguments
    }

    /// The command as an AMF0 command message (type 20) on `streamID`.
    public func message(streamID: UInt32 = 0) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeAMF0Value(.string(name))
        payload.writeAMF0Value(.number(transactionID))
        payload.writeAMF0Value(commandObject)
        for argument in arguments { payload.writeAMF0Value(argument) }
        return RTMPMessage(typeID: RTMPMessageType.commandAMF0.rawValue, streamID: streamID, timestamp: 0, payload: payload)
    }

    /// The first argument as a string (stream names and most seed commands carry one).
    public var firstStringArgument: String? { arguments.first?.stringValue }
}

/// A data message (type 18, or 15 with a leading format byte): a handler name and AMF0 values,
/// e.g. `@setDataFrame`, `onMetaData`, `{...}`.
public struct DataMessage: Sendable, Equatable {
    public var values: [AMF0Value]

    public init(values: [AMF0Value]) { self.values = values }

    public init(message: RTMPMessage) throws(AMF0Error) {
        var payload = message.payload
        if message.typeID == RTMPMessageType.dataAMF3.rawValue, payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 0 {
            payload.moveReaderIndex(forwardBy: 1)
        }
        var budget = AMF0DecodingBudget()
        var values: [AMF0Value] = []
        while payload.readableBytes > 0, values.count < 64 { values.append(try payload.readAMF0Value(budget: &budget)) }
        self.values = values
    }

    /// `@setDataFrame` unwrapped: what a publisher sets is relayed to players as the data itself.
    public var unwrappingSetDataFrame: DataMessage {
        if values.first?.stringValue == "@setDataFrame" { return DataMessage(values: Array(values.dropFirst())) }
        return self
    }

    public var payload: ByteBuffer {
        var buffer = ByteBuffer()
        for value in values { buffer.writeAMF0Value(value) }
        return buffer
    }
}
