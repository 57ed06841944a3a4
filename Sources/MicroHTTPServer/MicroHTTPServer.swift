import CMicroHTTPD
import CMicroHTTPDShim
import Foundation
import Logging
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd: request in, `handler`, response out. This is the only
/// Swift file that touches libmicrohttpd's C API; it owns every `Unmanaged` trampoline.
///
/// The handler runs on one of MHD's pool threads and must not block for long.
public final class MicroHTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    public let configuration: MicroHTTPServerConfiguration
    let handler: Handler
    let logger: Logger
    /// The `MHD_Daemon` pointer's bits (0: not running); OpaquePointer is not Sendable.
    private let daemon = Mutex<UInt>(0)
    private let boundPort = Atomic<Int>(0)

    public init(configuration: MicroHTTPServerConfiguration, logger: Logger = Logger(label: "api"), handler: @escaping Handler) {
        self.configuration = configuration; self.logger = logger; self.handler = handler
    }

    /// The bound port once started.
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Binds and starts serving on MHD's threads; throws a clear error when it cannot bind.
    public func start() throws {
        let address = "\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(configuration.port)"
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started: OpaquePointer? = try withSocketAddress(host: configuration.host, port: configuration.port) { socketAddress in
            lsc_mhd_start(socketAddress, UInt32(max(1, configuration.threads)), UInt32(configuration.connectionTimeoutSeconds),
                          UInt32(configuration.connectionLimit), UInt32(configuration.perIPConnectionLimit),
                          configuration.connectionMemoryLimit, accessHandler, context, requestCompleted, context)
        }
        guard let started else { throw MicroHTTPServerError.bindFailed(address) }
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(started)))
        daemon.withLock { $0 = bits }
        boundPort.store(Int(lsc_mhd_bound_port(started)), ordering: .relaxed)
        logger.info("HTTP server listening", metadata: ["address": "\(configuration.host):\(port)"])
    }

    /// Stops accepting and waits for MHD's threads to end.
    public func stop() {
        guard let running = OpaquePointer(bitPattern: daemon.withLock({ value in defer { value = 0 }; return value })) else { return }
        MHD_stop_daemon(running)
    }

    deinit { stop() }

    private func withSocketAddress<T>(host: String, port: Int, _ body: (UnsafePointer<sockaddr>) -> T) throws -> T {
        var ipv4 = sockaddr_in()
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            return withUnsafePointer(to: &ipv4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var ipv6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            return withUnsafePointer(to: &ipv6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        throw MicroHTTPServerError.invalidAddress(host)
    }

    // MARK: Per-request state, kept in MHD's `con_cls` between calls

    final class RequestState {
        var body: [UInt8] = []
        var tooLarge = false
    }

    fileprivate func access(connection: OpaquePointer, url: String, method: String,
                            uploadData: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
                            requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        guard let raw = requestContext.pointee else {
            // First call: only headers are known. Answering now would make MHD 0.9.75 close a
            // keep-alive connection, so the response waits for a later call.
            requestContext.pointee = Unmanaged.passRetained(RequestState()).toOpaque()
            return .YES
        }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if let uploadData, !state.tooLarge {
                if state.body.count + uploadSize.pointee > configuration.bodyLimit {
                    state.tooLarge = true
                    state.body = []
                } else {
                    uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) {
                        state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: uploadSize.pointee))
                    }
                }
            }
            uploadSize.pointee = 0
            return .YES
        }
        var headers: [String: String] = [:]
        withUnsafeMutablePointer(to: &headers) { pointer in
            _ = MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, pointer)
        }
        let request = HTTPServerRequest(method: method, path: url, headers: headers, body: state.body, bodyTooLarge: state.tooLarge)
        state.body = []
        let response = handler(request)
        return response.body.withUnsafeBytes { bytes -> MHD_Result in
            guard let mhdResponse = MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY) else { return .NO }
            defer { MHD_destroy_response(mhdResponse) }
            for (name, value) in response.headers { _ = MHD_add_response_header(mhdResponse, name, value) }
            return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
        }
    }
}

private let collectHeader: MHD_KeyValueIterator = { context, kind, key, value in
    guard let context, let key else { return .YES }
    let headers = context.assumingMemoryBound(to: [String: String].self)
    headers.pointee[String(cString: key)] = value.map { String(cString: $0) } ?? ""
    return .YES
}

private let accessHandler: MHD_AccessHandlerCallback = { context, connection, url, method, _, uploadData, uploadSize, requestContext in
    guard let context, let connection, let uploadSize, let requestContext else { return .NO }
    let server = Unmanaged<MicroHTTPServer>.fromOpaque(context).takeUnretainedValue()
    return server.access(connection: connection, url: url.map { String(cString: $0) } ?? "/",
                         method: method.map { String(cString: $0) } ?? "GET",
                         uploadData: uploadData, uploadSize: uploadSize, requestContext: requestContext)
}

private let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestContext, _ in
    guard let requestContext, let raw = requestContext.pointee else { return }
    Unmanaged<MicroHTTPServer.RequestState>.fromOpaque(raw).release()
    requestContext.pointee = nil
}
