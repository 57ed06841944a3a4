import Synchronization

/// Bodies encoded from one snapshot generation (`NodeState.snapshotGeneration`), reused until the next snapshot arrives:
/// encoding dominates the cost of list endpoints.
final class EncodedBodyCache: Sendable {
    private let entries = Mutex<[String: (generation: UInt64, body: [UInt8])]>([:])

    func body(for key: String, generation: UInt64, encode: () throws(APIError) -> [UInt8]) throws(APIError) -> [UInt8] {
        // Generation 0 means "not tracked" (tests, no snapshot yet): never cached.
        guard generation > 0 else { return try encode() }
        if let hit = entries.withLock({ $0[key] }), hit.generation == generation { return hit.body }
        // Encoded outside the lock: concurrent misses may both encode, which is harmless.
        let body = try encode()
        entries.withLock { $0[key] = (generation, body) }
        return body
    }
}
