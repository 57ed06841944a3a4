import Synchronization

/// Admin API responses by HTTP status, for `/metrics`.
final class APIRequestCounter: Sendable {
    private let counts = Mutex<[Int: UInt64]>([:])

    func count(status: Int) { counts.withLock { $0[status, default: 0] += 1 } }
    var snapshot: [Int: UInt64] { counts.withLock { $0 } }
}
