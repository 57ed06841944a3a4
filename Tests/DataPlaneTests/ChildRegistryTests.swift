import ControlProtocol
import Foundation
import NIOConcurrencyHelpers
import RTMP
import Testing
@testable import DataPlane

@Suite struct ChildRegistryTests {
    final class Inbox: @unchecked Sendable {
        let messages = NIOLockedValueBox<[String]>([])
        func send(_ command: CommandMessage) {
            messages.withLockedValue { $0.append("\(command.name) \(command.firstStringArgument ?? "")") }
        }
        var all: [String] { messages.withLockedValue { $0 } }
    }

    @Test func childGetsExistingStreamsThenChanges() {
        let registry = ChildRegistry(clusterSecret: nil)
        registry.streamStarted("a")
        registry.announce("b", from: "up1")
        let inbox = Inbox()
        registry.register(ChildSnapshot(clientId: "c1", remoteAddress: "x", registeredSince: Date()), send: inbox.send)
        #expect(inbox.all == ["addStream a", "addStream b"])
        registry.streamStarted("c")
        registry.announce("a", from: "up1") // already available: no duplicate announcement
        registry.streamStopped("a") // still announced by an upstream: stays available
        registry.withdraw("a", from: "up1")
        registry.withdraw("b", from: "up1")
        #expect(inbox.all == ["addStream a", "addStream b", "addStream c", "removeStream a", "removeStream b"])
        registry.unregister(clientID: "c1")
        registry.streamStarted("d")
        #expect(inbox.all.count == 5)
        #expect(registry.children.isEmpty)
    }

    @Test func aStreamTwoUpstreamsAnnounceStaysUntilBothWithdrawIt() {
        let registry = ChildRegistry(clusterSecret: nil)
        let inbox = Inbox()
        registry.register(ChildSnapshot(clientId: "c1", remoteAddress: "x", registeredSince: Date()), send: inbox.send)
        registry.announce("live", from: "origin-a")
        registry.announce("live", from: "origin-b")
        registry.withdrawAll(from: "origin-a")
        #expect(inbox.all == ["addStream live"])
        registry.withdraw("live", from: "origin-b")
        #expect(inbox.all == ["addStream live", "removeStream live"])
    }

    @Test func clusterSecretIsCheckedExactly() {
        let registry = ChildRegistry(clusterSecret: "s3cret")
        #expect(registry.accepts(secret: "s3cret"))
        #expect(!registry.accepts(secret: "s3cre"))
        #expect(!registry.accepts(secret: "s3cret!"))
        #expect(!registry.accepts(secret: nil))
        #expect(ChildRegistry(clusterSecret: nil).accepts(secret: nil))
    }
}
