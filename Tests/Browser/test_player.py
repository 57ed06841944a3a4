"""The player page and HTTP media in real headless Chromium (Debian's chromium + chromium-driver)."""
import json
import time

import lsc_harness as h


def wait_playing(chrome, minimum_time: float = 1.0, timeout: float = 40.0) -> float:
    """Waits until the page's <video> has played ``minimum_time`` seconds; returns currentTime."""
    start = {}

    def advanced():
        now = chrome.execute_script("const v = document.querySelector('video'); return v ? v.currentTime : 0;")
        start.setdefault("t", now)
        return now if now - start["t"] >= minimum_time else None

    return h.wait_until("video currentTime to advance", advanced, timeout=timeout, interval=0.25)


def frame_number(chrome):
    return h.wait_until("a frame number drawn from the video", lambda: chrome.execute_script(h.READ_VIDEO_FRAME_JS), timeout=20)


def test_capabilities_reported(chrome):
    """What this Chromium plays, checked rather than assumed; kept next to the screenshots."""
    chrome.get("data:text/html,<video></video>")
    caps = chrome.execute_script("""
        const v = document.querySelector('video');
        return {
          nativeHLS: v.canPlayType('application/vnd.apple.mpegurl'),
          mp4: v.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"'),
          flv: v.canPlayType('video/x-flv'),
          mse: typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E,mp4a.40.2"'),
          userAgent: navigator.userAgent,
        };""")
    (h.artifacts_dir() / "chromium-capabilities.json").write_text(json.dumps(caps, indent=2))
    assert caps["mp4"] == "probably"
    assert caps["mse"] is True


def test_player_page_plays_live_at_origin(cluster, chrome):
    origin = cluster.node("origin", control=False)
    cluster.publish(origin.rtmp_url(), seconds=90)
    h.wait_until("HLS playlist", lambda: h.http_get(origin.http_url("/livestreamcast_origin/livestream/index.m3u8"))[0] == 200, timeout=30)
    chrome.get(origin.player_url())
    wait_playing(chrome, 2.0)
    first = frame_number(chrome)
    time.sleep(1.5)
    second = frame_number(chrome)
    chrome.save_screenshot(str(h.artifacts_dir() / "player-origin.png"))
    assert second > first > 0, (first, second)


def test_player_page_plays_fmp4_when_forced(cluster, chrome):
    origin = cluster.node("origin", control=False)
    cluster.publish(origin.rtmp_url(), seconds=90)
    h.wait_until("HLS playlist", lambda: h.http_get(origin.http_url("/livestreamcast_origin/livestream/index.m3u8"))[0] == 200, timeout=30)
    chrome.get(origin.player_url() + "?mode=mp4")
    wait_playing(chrome, 2.0)
    assert chrome.execute_script("return window.lscPlayer.source").startswith("/livestreamcast_origin/livestream.mp4")
    first = frame_number(chrome)
    time.sleep(1.5)
    second = frame_number(chrome)
    chrome.save_screenshot(str(h.artifacts_dir() / "player-origin-fmp4.png"))
    assert second > first > 0, (first, second)


def active_upstream(edge):
    streams = h.get_json(edge.api_url("/api/v1/streams"))["streams"]
    stream = next((s for s in streams if s["name"] == "livestream"), None)
    return ((stream or {}).get("source") or {}).get("upstream")


def test_edge_player_keeps_playing_through_origin_kill(cluster, chrome):
    a = cluster.node("origin-a")
    b = cluster.node("origin-b")
    cluster.publish(a.rtmp_url(), seconds=120, name="publisher-a")
    cluster.publish(b.rtmp_url(), seconds=120, name="publisher-b", frame_offset=5000)
    for node in (a, b):
        h.wait_until(f"{node.name} publishing", lambda node=node: h.http_get(node.http_url("/livestreamcast_origin/livestream/index.m3u8"))[0] == 200,
                     timeout=30)
    edge = cluster.node("edge", role="edge", host_ini=[a.upstream_line("group-a"), b.upstream_line("group-b")])
    h.wait_until("the edge knows the stream", lambda: "livestream" in json_text(edge.api_url("/api/v1/topology")), timeout=20)
    chrome.get(edge.player_url())
    wait_playing(chrome, 2.0)
    before = frame_number(chrome)
    upstream = h.wait_until("the edge's active upstream", lambda: active_upstream(edge), timeout=10)
    victim = a if str(a.rtmp_port) in upstream else b
    victim.relay.kill()
    killed_at = chrome.execute_script("return document.querySelector('video').currentTime")
    h.wait_until("playback continuing 6 s past the kill",
                 lambda: chrome.execute_script("return document.querySelector('video').currentTime") > killed_at + 6, timeout=40)
    after = frame_number(chrome)
    chrome.save_screenshot(str(h.artifacts_dir() / "player-edge-after-origin-kill.png"))
    assert after != before
    survivor = b if victim is a else a
    assert str(survivor.rtmp_port) in (active_upstream(edge) or ""), "the edge now pulls from the surviving origin"
    # The splice continues timestamps with the same codec parameters: no discontinuity in the playlist.
    playlist = h.http_get(edge.http_url("/livestreamcast_edge/livestream/index.m3u8"))[2].decode()
    assert "#EXT-X-DISCONTINUITY" not in playlist, playlist


def json_text(url):
    return h.http_get(url)[2].decode()


def test_dvr_rewind_shows_the_frame_recorded_then(cluster, chrome):
    origin = cluster.node("origin", control=False)
    cluster.publish(origin.rtmp_url(), seconds=120)
    dvr = origin.http_url("/livestreamcast_origin/livestream/dvr.m3u8")
    h.wait_until("12 s of DVR", lambda: h.http_get(dvr)[2].decode().count("#EXTINF") >= 6, timeout=40)
    chrome.get(origin.player_url())
    wait_playing(chrome, 1.0)
    live = frame_number(chrome)
    chrome.execute_script("window.lscPlayDVR(4)")
    wait_playing(chrome, 1.0)
    rewound = frame_number(chrome)
    chrome.save_screenshot(str(h.artifacts_dir() / "player-dvr-rewind.png"))
    # 4 s into the recording at 25 fps is frame ~100 (plus the second of playback waited for).
    assert 75 <= rewound <= 200, (rewound, live)
    assert live > rewound
    assert chrome.execute_script("return window.lscPlayer.mode") == "dvr"
    # Chromium has MSE, so rewind goes through it (its native HLS does not seek in a growing EVENT playlist).
    assert chrome.execute_script("return window.lscPlayer.source").startswith("mse:")



def signed_query(secret: str, app: str, stream: str, lifetime: int = 600) -> str:
    """The signed-play query, computed here independently of the relay (HMAC-SHA256 of
    "<app>/<stream>:<expires>")."""
    import hashlib
    import hmac
    expires = int(time.time()) + lifetime
    token = hmac.new(secret.encode(), f"{app}/{stream}:{expires}".encode(), hashlib.sha256).hexdigest()
    return f"expires={expires}&token={token}"


def test_signed_player_page_plays_live_and_rewinds_with_its_token(cluster, chrome):
    """With --play-secret-file every media URL needs the token: the page opened with a signed
    URL passes it on to the live stream and to the DVR playlist, whose segments carry it too."""
    secret = cluster.directory / "play.secret"
    secret.write_text("browser-secret\n")
    origin = cluster.node("origin", control=False, relay_extra=["--play-secret-file", str(secret)])
    cluster.publish(origin.rtmp_url(), seconds=120)
    query = signed_query("browser-secret", "livestreamcast_origin", "livestream")
    playlist = origin.http_url("/livestreamcast_origin/livestream/index.m3u8")
    assert h.http_get(playlist)[0] == 403
    dvr = origin.http_url("/livestreamcast_origin/livestream/dvr.m3u8")
    h.wait_until("8 s of DVR", lambda: h.http_get(f"{dvr}?{query}")[2].decode().count("#EXTINF") >= 4, timeout=40)
    assert h.http_get(origin.player_url())[0] == 403
    chrome.get(f"{origin.player_url()}?{query}")
    wait_playing(chrome, 2.0)
    live = frame_number(chrome)
    assert "token=" in chrome.execute_script("return window.lscPlayer.source")
    chrome.execute_script("window.lscPlayDVR(2)")
    wait_playing(chrome, 1.0)
    rewound = frame_number(chrome)
    chrome.save_screenshot(str(h.artifacts_dir() / "player-signed-dvr.png"))
    assert live > rewound > 0, (live, rewound)
    # Every media request the page made was accepted: nothing refused in the relay's log.
    # (The two bare requests above were refused; nothing after them.)
    refusals = (cluster.directory / "origin-relay.log").read_text().count("refusing HTTP play")
    assert refusals == 2, refusals
