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
