import Foundation
import HTTPMedia
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP connection of the media port: routes each request (`HTTPMediaRoute`) to the live
/// outputs, the DVR, files or the player page. Responses are written through the channel, so
/// that they may complete on other threads (blocking reloads, file reads); NIO's pipelining
/// handler holds a next request until the current response has ended.
final class HTTPMediaHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let services: HTTPMediaServices
    private var head: HTTPRequestHead?
    /// The streaming viewer this connection became (HTTP-FLV or fMP4), if any.
    private var viewer: (session: HTTPLiveStream, id: Int, stream: String)?

    init(services: HTTPMediaServices) {
        self.services = services
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, channel: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let viewer, let subscriber = viewer.session.removeViewer(viewer.id) {
            services.outputs?.detach(subscriber, from: viewer.stream)
        }
        viewer = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, viewer == nil {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Routing

    private func handle(_ head: HTTPRequestHead, channel: any Channel) {
        let isHead = head.method == .HEAD
        let keepAlive = head.isKeepAlive
        let reply = HTTPReply(channel: channel, isHead: isHead, keepAlive: keepAlive)
        if head.method == .OPTIONS {
            reply.send(.noContent, headers: [("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
                                              ("Access-Control-Allow-Headers", "Range"), ("Access-Control-Max-Age", "86400")])
            return
        }
        guard head.method == .GET || isHead else {
            reply.send(.methodNotAllowed, headers: [("Allow", "GET, HEAD, OPTIONS")])
            return
        }
        let target = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = HTTPQuery(target.count > 1 ? String(target[1]) : nil)
        guard let route = HTTPMediaRoute(path: String(target[0]), app: services.app) else {
            reply.notFound()
            return
        }
        // With a play secret: the query's token for this route, carried on into playlists.
        let signedQuery: String
        switch services.access.check(route, query: target.count > 1 ? target[1] : nil, peer: channel.remoteAddress) {
        case .allowed(let query): signedQuery = query
        case .refused(let verdict):
            reply.send(.forbidden, contentType: "text/plain", body: ByteBuffer(string: "play refused: \(verdict)\n"), cache: "no-store")
            return
        }
        let signed: @Sendable (String) -> String = { SignedPlaylist.appending(signedQuery, to: $0) }
        switch route {
        case .asset(let name):
            guard let asset = HTTPPlayerPage.asset(name) else { return reply.notFound() }
            reply.send(.ok, contentType: asset.contentType, body: ByteBuffer(string: asset.text), cache: "max-age=300")
        case .playerPage(let stream):
            reply.send(.ok, contentType: "text/html; charset=utf-8", body: ByteBuffer(string: HTTPPlayerPage.html(app: services.app, stream: stream, signedQuery: signedQuery)),
                       cache: "no-cache", extra: [("Content-Security-Policy", HTTPPlayerPage.contentSecurityPolicy)])
        case .flv(let stream), .mp4(let stream):
            guard let outputs = services.outputs, outputs.canServe(stream) else { return reply.notFound() }
            let isFLV: Bool
            if case .flv = route { isFLV = true } else { isFLV = false }
            if isHead {
                reply.send(.ok, contentType: isFLV ? "video/x-flv" : "video/mp4", body: nil, cache: "no-cache")
                return
            }
            reply.startStream(contentType: isFLV ? "video/x-flv" : "video/mp4")
            let session = outputs.session(for: stream)
            let subscriber = outputs.makeSubscriber(on: channel.eventLoop)
            let id = session.addViewer(channel, kind: isFLV ? .flv : .mp4, subscriber: subscriber)
            viewer = (session, id, stream)
            let initial = outputs.attach(subscriber, to: stream)
            if isFLV { session.startFLVViewer(id, initial: initial) } else { session.startMP4Viewer(id) }
        case .hlsPlaylist(let stream):
            guard let outputs = services.outputs, outputs.canServe(stream) else { return reply.notFound() }
            let session = outputs.session(for: stream, client: ObjectIdentifier(channel))
            let condition: HTTPLiveStream.Condition
            if let msnText = query["_HLS_msn"] {
                guard let msn = Int(msnText), msn >= 0 else { return reply.send(.badRequest) }
                var part: Int?
                if let partText = query["_HLS_part"] {
                    guard let value = Int(partText), value >= 0 else { return reply.send(.badRequest) }
                    part = value
                }
                guard !session.isTooFarAhead(msn: msn) else { return reply.send(.badRequest) }
                condition = .playlist(msn: msn, part: part)
            } else {
                condition = .firstSegment
            }
            let promise = channel.eventLoop.makePromise(of: Void.self)
            let timeout = condition.isFirst ? max(services.configuration.blockingTimeout, services.pullTimeout) : services.configuration.blockingTimeout
            session.wait(for: condition, promise: promise, timeout: timeout)
            promise.futureResult.whenComplete { _ in
                guard let text = session.playlistText() else { return reply.notFound() }
                reply.send(.ok, contentType: "application/vnd.apple.mpegurl", body: ByteBuffer(string: signed(text)), cache: "max-age=1")
            }
        case .hlsInit(let stream, let generation):
            guard let bytes = services.outputs?.existingSession(stream)?.initialization(generation) else { return reply.notFound() }
            reply.send(.ok, contentType: "video/mp4", body: bytes, cache: services.immutable)
        case .hlsSegment(let stream, let msn):
            guard let bytes = services.outputs?.existingSession(stream)?.segment(msn) else { return reply.notFound() }
            reply.send(.ok, contentType: "video/mp4", body: bytes, cache: services.immutable)
        case .hlsPart(let stream, let number):
            guard let session = services.outputs?.existingSession(stream) else { return reply.notFound() }
            session.touch(client: ObjectIdentifier(channel))
            if let bytes = session.part(number) { return reply.send(.ok, contentType: "video/mp4", body: bytes, cache: services.immutable) }
            // A preload-hinted part: answered as soon as it is cut.
            guard number >= session.nextPartNumber(), number <= session.nextPartNumber() + 1 else { return reply.notFound() }
            let promise = channel.eventLoop.makePromise(of: Void.self)
            session.wait(for: .part(number), promise: promise, timeout: services.configuration.blockingTimeout)
            let immutable = services.immutable
            promise.futureResult.whenComplete { _ in
                guard let bytes = session.part(number) else { return reply.notFound() }
                reply.send(.ok, contentType: "video/mp4", body: bytes, cache: immutable)
            }
        case .dvrPlaylist(let stream):
            let dvr = services.dvr
            let start = query["start"]
            services.offloadMedia(channel, reply: reply, playlist: true) { dvr?.playlist(stream: stream, start: start).map { ByteBuffer(string: signed($0)) } }
        case .dvrInit(let stream):
            let dvr = services.dvr
            services.offloadMedia(channel, reply: reply, playlist: false) { try dvr?.initialization(stream: stream) }
        case .dvrSegment(let stream, let start, let end):
            let dvr = services.dvr
            services.offloadMedia(channel, reply: reply, playlist: false) { try dvr?.segment(stream: stream, start: start, end: end) }
        case .clipPlaylist(let name):
            let clips = services.clips
            services.offloadMedia(channel, reply: reply, playlist: true) { try clips?.playlist(name: name).map { ByteBuffer(string: signed($0)) } }
        case .clipInit(let name):
            let clips = services.clips
            services.offloadMedia(channel, reply: reply, playlist: false) { try clips?.initialization(name: name) }
        case .clipSegment(let name, let start, let end):
            let clips = services.clips
            services.offloadMedia(channel, reply: reply, playlist: false) { try clips?.segment(name: name, start: start, end: end) }
        case .file(let directory, let name):
            serveFile(directory: directory, name: name, head: head, reply: reply, channel: channel)
        }
    }

    private func serveFile(directory: String, name: String, head: HTTPRequestHead, reply: HTTPReply, channel: any Channel) {
        guard let files = services.files else { return reply.notFound() }
        let rangeHeader = head.headers.first(name: "range")
        let ifNoneMatch = head.headers.first(name: "if-none-match")
        let threadPool = services.threadPool
        let resolved = threadPool.runIfActive(eventLoop: channel.eventLoop) { files.resolve(directory: directory, name: name) }
        resolved.whenComplete { result in
            guard case .success(let file?) = result else { return reply.notFound() }
            let etag = "\"\(String(file.size, radix: 16))-\(String(Int64(file.modified.timeIntervalSince1970 * 1000), radix: 16))\""
            var headers: [(String, String)] = [("ETag", etag), ("Last-Modified", HTTPReply.httpDate(file.modified)),
                                               ("Accept-Ranges", "bytes")]
            if ifNoneMatch == etag { return reply.send(.notModified, headers: headers) }
            let range: ClosedRange<UInt64>
            let status: HTTPResponseStatus
            switch HTTPByteRange(header: rangeHeader, size: file.size) {
            case .unsatisfiable:
                return reply.send(.rangeNotSatisfiable, headers: [("Content-Range", "bytes */\(file.size)")])
            case .partial(let bounds):
                range = bounds
                status = .partialContent
                headers.append(("Content-Range", "bytes \(bounds.lowerBound)-\(bounds.upperBound)/\(file.size)"))
            case .whole:
                guard file.size > 0 else {
                    return reply.send(.ok, contentType: HTTPFileResponder.contentType(name), body: ByteBuffer(), cache: "no-cache", extra: headers)
                }
                range = 0...(file.size - 1)
                status = .ok
            }
            let length = range.upperBound - range.lowerBound + 1
            reply.sendHead(status, contentType: HTTPFileResponder.contentType(name), length: length, cache: "no-cache", extra: headers)
            if reply.isHead { return reply.end() }
            let keepAlive = reply.keepAlive
            Task { await files.send(path: file.path, range: range, to: channel, keepAlive: keepAlive) }
        }
    }
}

extension HTTPLiveStream.Condition {
    /// The first playlist request of a stream, which may wait for an edge's pull to start.
    var isFirst: Bool { if case .firstSegment = self { return true } else { return false } }
}

/// What every connection of the media port shares.
struct HTTPMediaServices: Sendable {
    var app: String
    var configuration: HTTPDeliveryConfiguration
    var outputs: HTTPLiveOutputs?
    var dvr: HTTPDVRResponder?
    var files: HTTPFileResponder?
    var clips: HTTPClipResponder?
    var threadPool: NIOThreadPool
    var pullTimeout: TimeAmount
    /// Signed play URLs (`--play-secret-file`), the same rule as RTMP play.
    var access: HTTPPlayAccess

    var immutable: String { "max-age=\(configuration.segmentMaxAge), immutable" }

    /// Runs blocking `work` on the thread pool and answers with a playlist (short-lived) or an
    /// immutable init segment or segment; nil or an error answers 404.
    func offloadMedia(_ channel: any Channel, reply: HTTPReply, playlist: Bool, _ work: @escaping @Sendable () throws -> ByteBuffer?) {
        let cache = playlist ? "max-age=1" : immutable
        offload(channel, reply: reply, work) { body in
            reply.send(.ok, contentType: playlist ? "application/vnd.apple.mpegurl" : "video/mp4", body: body, cache: cache)
        }
    }

    /// Runs blocking `work` on the thread pool; nil or an error answers 404.
    func offload(_ channel: any Channel, reply: HTTPReply, _ work: @escaping @Sendable () throws -> ByteBuffer?,
                 done: @escaping @Sendable (ByteBuffer) -> Void) {
        threadPool.runIfActive(eventLoop: channel.eventLoop, work).whenComplete { result in
            guard case .success(let body?) = result else { return reply.notFound() }
            done(body)
        }
    }
}

/// Writes one response through the channel (from any thread).
struct HTTPReply: Sendable {
    let channel: any Channel
    let isHead: Bool
    let keepAlive: Bool

    func notFound() { send(.notFound, contentType: "text/plain", body: ByteBuffer(string: "not found\n"), cache: "no-cache") }

    func send(_ status: HTTPResponseStatus, headers: [(String, String)] = []) {
        send(status, contentType: nil, body: nil, cache: "no-cache", extra: headers)
    }

    func send(_ status: HTTPResponseStatus, contentType: String?, body: ByteBuffer?, cache: String, extra: [(String, String)] = []) {
        sendHead(status, contentType: contentType, length: UInt64(body?.readableBytes ?? 0), cache: cache, extra: extra)
        if let body, !isHead, body.readableBytes > 0 { channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil) }
        end()
    }

    /// Ends the response (closing the connection unless kept alive).
    func end() {
        let channel = self.channel
        let keepAlive = self.keepAlive
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    /// A response head with a known length (the body follows separately).
    func sendHead(_ status: HTTPResponseStatus, contentType: String?, length: UInt64, cache: String, extra: [(String, String)] = []) {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        headers.add(name: "Content-Length", value: String(length))
        addCommon(&headers, cache: cache, extra: extra)
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)), promise: nil)
    }

    /// The head of an endless (chunked) media response.
    func startStream(contentType: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Transfer-Encoding", value: "chunked")
        addCommon(&headers, cache: "no-cache", extra: [])
        channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)), promise: nil)
    }

    private func addCommon(_ headers: inout HTTPHeaders, cache: String, extra: [(String, String)]) {
        headers.add(name: "Cache-Control", value: cache)
        headers.add(name: "Access-Control-Allow-Origin", value: "*")
        headers.add(name: "Access-Control-Expose-Headers", value: "Content-Length, Content-Range, ETag")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        for (name, value) in extra { headers.add(name: name, value: value) }
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
