import AdminAPI
import Foundation
import PlayAuthorization
import Testing
@testable import ControlPlane

/// Minted play URLs carry a token the relay's verifier accepts for that stream, and only it.
@Suite struct PlayURLMinterTests {
    let signer = PlayTokenSigner(secret: "s3cret")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func minter(listen: String = "0.0.0.0:1935", media: String? = nil) -> PlayURLMinter {
        PlayURLMinter(signer: signer, clock: { [now] in now }) { ("livestreamcast_edge", listen, media) }
    }

    @Test func theRelaysVerifierAcceptsTheMintedToken() throws {
        let minted = try minter().mint(PlayURLRequest(stream: "mp4:livestream.f4v", ttl: 600), host: "edge1.example:8080").get()
        #expect(minted.expires == 1_800_000_600)
        #expect(minted.rtmp.hasPrefix("rtmp://edge1.example:1935/livestreamcast_edge/mp4:livestream.f4v?expires=1800000600&token="))
        // The relay normalizes the play name and checks it against its app.
        #expect(signer.verify(app: "livestreamcast_edge", stream: "livestream", query: Substring(minted.query), now: 1_800_000_600) == .valid)
        #expect(signer.verify(app: "livestreamcast_edge", stream: "livestream", query: Substring(minted.query), now: 1_800_000_601) == .expired)
        #expect(signer.verify(app: "livestreamcast_edge", stream: "other", query: Substring(minted.query), now: 1_800_000_000) == .forged)
        let vod = try minter(listen: "127.0.0.1:19350").mint(PlayURLRequest(stream: "mp4:exports/goal-1.f4v"), host: nil).get()
        #expect(vod.rtmp.hasPrefix("rtmp://127.0.0.1:19350/livestreamcast_edge/mp4:exports/goal-1.f4v?"))
        #expect(signer.verify(app: "livestreamcast_edge", stream: "mp4:exports/goal-1.f4v", query: Substring(vod.query), now: 1_800_000_000) == .valid)
    }

    @Test func httpURLsCarryTheSameTokenWhenTheDataPlaneServesHTTP() throws {
        #expect(try minter().mint(PlayURLRequest(stream: "live"), host: nil).get().http.isEmpty)
        let live = try minter(media: "0.0.0.0:8935").mint(PlayURLRequest(stream: "live"), host: "edge1.example:8080").get()
        #expect(live.http == ["", "/index.m3u8", ".mp4", ".flv"].map { "http://edge1.example:8935/livestreamcast_edge/live\($0)?\(live.query)" })
        let file = try minter(media: "127.0.0.1:8935").mint(PlayURLRequest(stream: "mp4:exports/goal-1.f4v"), host: nil).get()
        #expect(file.http == ["http://127.0.0.1:8935/vod/exports/goal-1.f4v?\(file.query)"])
    }

    @Test func badRequestsAreRefused() {
        for request in [PlayURLRequest(stream: "live", ttl: 0), PlayURLRequest(stream: "live", ttl: 8 * 86_400),
                        PlayURLRequest(stream: "a/../b"), PlayURLRequest(stream: "live\u{0}"), PlayURLRequest(stream: "live?token=x"),
                        PlayURLRequest(stream: "")] {
            guard case .failure(let error) = minter().mint(request, host: nil) else { Issue.record("minted \(request)"); continue }
            #expect(error.status == 400)
        }
        let noDataPlane = PlayURLMinter(signer: signer) { nil }
        guard case .failure(let error) = noDataPlane.mint(PlayURLRequest(stream: "live"), host: nil) else { Issue.record("minted"); return }
        #expect(error.status == 503)
    }
}
