"""The highlight editor in headless Chromium against a live origin (issue 13): sources listed
with the live badge, marking with buttons, keys and typed times, an edit list of two DVR items and
one clip item, export, the job reaching done in the page, the output in Outputs, the exported
items starting on the marked frames (read back from the burned-in numbers), a future out-point
that waits for live, and no console errors or failed requests. Screenshots per step in
.build/browser-editor/. LSC_EDITOR_SCREENSHOT=docs/editor.png also saves the README picture.
Media comes from lsc-relay --http (Tests/Browser/lsc_harness.py starts the nodes)."""
import json
import math
import os
import shutil

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import lsc_harness
from editor_media import FPS, first_recorded_frame, frame_codes, make_clip, runs

ROOT = lsc_harness.REPO
SHOTS = os.path.join(ROOT, ".build", "browser-editor")


class Origin:
    """An origin node (lsc-relay with --http, lsc-control), a clip in sources/ and, unless
    `publish` is off, an ffmpeg publisher recorded to DVR."""

    def __init__(self, cluster, token=None, publish=True):
        extra = []
        if token:
            token_file = cluster.directory / "token"
            token_file.write_text(token + "\n")
            extra = ["--api-token-file", str(token_file)]
        make_clip(cluster.directory / "origin" / "media" / "sources" / "opener.mp4")
        self.node = cluster.node("origin", control_extra=extra)
        self.token = token
        self.media = self.node.media
        self.api = f"http://127.0.0.1:{self.node.api_port}"
        if publish:
            cluster.publish(self.node.rtmp_url(), seconds=900)
            lsc_harness.wait_until("the DVR recording of livestream", lambda: self.recording() and self.recording()["duration"] > 3,
                                   timeout=60)
        else:
            lsc_harness.wait_until("the admin API", lambda: lsc_harness.http_get(self.api + "/api/v1/health", headers=self.auth)[0] == 200,
                                   timeout=30)

    @property
    def auth(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path):
        status, _, body = lsc_harness.http_get(self.api + path, headers=self.auth)
        assert status == 200, f"{path}: {status}"
        return json.loads(body)

    def recording(self):
        try:
            return next((r for r in self.get("/api/v1/dvr")["recordings"] if r["stream"] == "livestream"), None)
        except Exception:  # not answering yet
            return None


def wait_for(condition, timeout, what):
    return lsc_harness.wait_until(what, condition, timeout=timeout)


@pytest.fixture(scope="module")
def origin():
    cluster = lsc_harness.Cluster("editor")
    try:
        yield Origin(cluster)
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def driver():
    shutil.rmtree(SHOTS, ignore_errors=True)
    d = lsc_harness.chromium()
    d.set_window_size(1440, 960)
    d.set_script_timeout(30)
    yield d
    d.quit()


class Page:
    step = 0  # screenshots are numbered across the module's tests

    def __init__(self, driver, origin):
        self.d = driver
        self.origin = origin
        os.makedirs(SHOTS, exist_ok=True)

    def shot(self, name):
        Page.step += 1
        path = os.path.join(SHOTS, f"{Page.step:02d}-{name}.png")
        self.d.save_screenshot(path)
        return path

    def q(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def qs(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def until(self, fn, what, timeout=20):
        try:
            return wait_for(lambda: _safe(fn), timeout, what)
        except TimeoutError as error:
            raise TimeoutError(f"{error}; player: {self.player_state()}; console: {self.d.get_log('browser')}") from None

    def player_state(self):
        return _safe(lambda: self.d.execute_script(
            "const v = document.getElementById('video'); const b = [];"
            "for (let i = 0; i < v.buffered.length; i++) b.push([v.buffered.start(i), v.buffered.end(i)]);"
            "return {currentTime: v.currentTime, paused: v.paused, readyState: v.readyState, buffered: b,"
            " error: v.error && v.error.message, message: document.getElementById('player-message').textContent}"))

    def typed(self, css, text):
        field = self.q(css)
        field.clear()
        field.send_keys(text)

    def press(self, key):
        ActionChains(self.d).send_keys(key).perform()

    def rows(self):
        return self.qs("#editlist-body tr")

    def time(self):
        return self.d.execute_script("return document.getElementById('video').currentTime")

    def frame_on_screen(self):
        """The frame number burned into the picture the <video> shows."""
        return self.d.execute_script(lsc_harness.READ_VIDEO_FRAME_JS, self.q("#video"))

    def seek(self, seconds):
        self.d.execute_async_script(
            "const [t, done] = arguments; const v = document.getElementById('video');"
            "v.pause(); v.addEventListener('seeked', () => done(), {once: true}); v.currentTime = t;", seconds)

    def errors(self):
        return [e for e in self.d.get_log("browser") if e["level"] == "SEVERE"]


def _safe(fn):
    try:
        return fn()
    except Exception:
        return None


def test_editor_cuts_a_highlight_from_the_live_recording_and_a_clip(origin, driver):
    page = Page(driver, origin)
    driver.get(origin.api + "/")
    assert driver.current_url.endswith("/editor/")
    page.until(lambda: page.qs('#list-dvr li[data-name="livestream"] .badge.live'), "the live DVR recording")
    page.until(lambda: page.qs('#list-clips li[data-name="opener.mp4"]'), "the clip")
    page.shot("sources")
    # The live recording's duration grows without a reload.
    duration = lambda: page.q('#list-dvr li[data-name="livestream"] .duration').text
    first = duration()
    page.until(lambda: duration() > first, "a growing DVR duration")

    # Play the DVR source (it starts near the live edge), then seek and mark with the buttons.
    page.q('#list-dvr li[data-name="livestream"]').click()
    page.until(lambda: driver.execute_script("return document.getElementById('video').readyState >= 2"), "DVR playback")
    t0 = page.time()
    page.until(lambda: page.time() > t0 + 0.5, "the DVR source playing (currentTime advances)")
    page.shot("dvr-playing")
    marked = []  # the burned-in number on screen at each in-point
    page.seek(1.0)
    marked.append(page.frame_on_screen())
    page.q("#btn-set-in").click()
    page.seek(2.0)
    page.q("#btn-set-out").click()
    assert page.q("#in-point").get_attribute("value") == "00:01.000"
    assert page.q("#out-point").get_attribute("value") == "00:02.000"
    assert page.q("#frame").text.startswith("frame 50 ")
    page.shot("dvr-marked")
    page.q("#btn-add").click()
    page.until(lambda: len(page.rows()) == 1, "the first item")

    # DVR item 2: frame steps and the I and O keys (from the playhead), Enter to add.
    driver.execute_script("document.activeElement.blur()")
    page.seek(2.4)
    page.press(Keys.ARROW_RIGHT)
    page.until(lambda: abs(page.time() - 2.46) < 0.011, "one frame forward")
    page.press(Keys.ARROW_LEFT)
    page.until(lambda: abs(page.time() - 2.42) < 0.011, "one frame back")
    page.seek(2.4)
    marked.append(page.frame_on_screen())
    page.press("i")
    page.seek(3.2)
    page.press("o")
    page.press(Keys.ENTER)
    page.until(lambda: len(page.rows()) == 2, "the second item")

    # J/K/L: forward, pause, backward (by seeking), pause.
    paused = lambda: driver.execute_script("return document.getElementById('video').paused")
    page.press("l")
    page.until(lambda: not paused(), "L plays")
    page.press("k")
    page.until(paused, "K pauses")
    before = page.time()
    page.press("j")
    page.until(lambda: page.time() < before - 0.4, "J goes backward")
    page.press("k")

    # Clip item: typed in and out.
    page.q('#list-clips li[data-name="opener.mp4"]').click()
    page.typed("#in-point", "1.2")
    page.typed("#out-point", "2")
    page.q("#btn-add").click()
    page.until(lambda: len(page.rows()) == 3, "the clip item")
    totals = [r.find_element(By.CSS_SELECTOR, "td.total").text for r in page.rows()]
    assert totals == ["00:01.000", "00:01.800", "00:02.600"]
    page.shot("edit-list")

    # Reorder, then back; the list survives a reload (localStorage).
    page.rows()[2].find_element(By.CSS_SELECTOR, 'button[data-action="up"]').click()
    assert "opener.mp4" in page.rows()[1].text
    page.rows()[1].find_element(By.CSS_SELECTOR, 'button[data-action="down"]').click()
    driver.refresh()
    page.until(lambda: len(page.rows()) == 3, "the edit list after a reload")
    assert [r.find_element(By.CSS_SELECTOR, "td.in").text for r in page.rows()] == ["00:01.000", "00:02.400", "00:01.200"]

    # Export: an invalid name is explained before sending; the proposal is unique.
    page.until(lambda: page.q("#output-name").get_attribute("value") == "highlight-1.f4v", "the proposed name")
    page.typed("#output-name", "bad/name.f4v")
    page.q("#btn-export").click()
    assert "must not contain /" in page.q("#export-message").text
    page.typed("#output-name", "highlight-1.f4v")
    page.q("#btn-export").click()
    page.until(lambda: page.qs('#jobs li[data-state="done"]'), "the job done in the page", timeout=60)
    page.until(lambda: page.qs('#list-outputs li[data-name="highlight-1.f4v"]'), "the output in Outputs")
    page.shot("exported")
    # The README picture: the recording selected, the edit list, the finished job.
    page.q('#list-dvr li[data-name="livestream"]').click()
    page.until(lambda: driver.execute_script("return document.getElementById('video').readyState >= 2"), "DVR playback")
    page.seek(1.0)
    page.typed("#in-point", "1")
    page.typed("#out-point", "2")
    driver.execute_script("document.activeElement.blur()")
    shutil.copy(page.shot("editor"), os.path.join(SHOTS, "editor.png"))
    if os.environ.get("LSC_EDITOR_SCREENSHOT"):
        shutil.copy(os.path.join(SHOTS, "editor.png"), os.path.join(ROOT, os.environ["LSC_EDITOR_SCREENSHOT"]))

    # The exported items start on the frames at the marked in-points.
    # The frame on screen at recording time t is the last one presented at or before t; the
    # recording's first video frame may come a little after time 0 (audio can come first).
    base, first_time = first_recorded_frame(origin.media)
    on_screen = lambda t: base + math.floor((t - first_time) * FPS + 1e-6)
    codes = frame_codes(origin.media / "exports" / "highlight-1.f4v")
    items = runs(codes)
    assert [first for first, _ in items] == [on_screen(1.0), on_screen(2.4), round(1.2 * FPS)], items
    # ... which are the frames the page showed when they were marked.
    assert [first for first, _ in items[:2]] == marked, (items, marked)
    # Every frame on screen during the item: its duration in frames, one more when it starts mid-frame.
    assert [count for _, count in items][2] == 20, items
    for (first, count), (start, end) in zip(items[:2], [(1.0, 2.0), (2.4, 3.2)]):
        assert count == on_screen(end - 1e-3) - first + 1, items

    # Done -> play it in the player; the download link points at the file.
    page.q('#jobs li[data-state="done"] button[data-action="play"]').click()
    page.until(lambda: page.time() > 0.5, "the output playing (currentTime advances)")
    page.shot("output-playing")
    link = page.q('#jobs li[data-state="done"] a.download').get_attribute("href")
    status, _, body = lsc_harness.http_get(link)
    assert status == 200 and body == (origin.media / "exports" / "highlight-1.f4v").read_bytes()

    # Preview the list: item after item from the in-points.
    page.q("#btn-preview").click()
    page.until(lambda: page.qs("#editlist-body tr.playing"), "the preview playing the first item")
    page.until(lambda: page.rows()[2].get_attribute("class") == "playing", "the preview reaching the clip", timeout=30)
    page.until(lambda: not page.qs("#editlist-body tr.playing"), "the preview ending", timeout=30)

    assert page.errors() == []


def test_a_future_out_point_waits_for_live_and_completes(origin, driver):
    page = Page(driver, origin)
    driver.get(origin.api + "/editor/")
    page.until(lambda: page.qs('#list-dvr li[data-name="livestream"]'), "the recording")
    page.q("#btn-clear").click()
    page.q('#list-dvr li[data-name="livestream"]').click()
    edge = [r for r in origin.get("/api/v1/dvr")["recordings"] if r["stream"] == "livestream"][0]["duration"]
    page.typed("#in-point", f"{edge - 1:.3f}")
    page.typed("#out-point", f"{edge + 4:.3f}")
    assert "waits for live" in page.q("#mark-message").text
    page.q("#btn-add").click()
    page.until(lambda: "waits for live" in page.rows()[0].text, "the waiting item")
    page.typed("#output-name", "future.f4v")
    page.q("#btn-export").click()
    page.until(lambda: page.qs('#jobs li[data-state="waiting"]'), "the job waiting for live")
    page.shot("waiting-for-live")
    page.until(lambda: page.qs('#jobs li[data-state="done"] .title') and
               any("future.f4v" in li.text for li in page.qs('#jobs li[data-state="done"]')), "the waiting job done", timeout=60)
    page.shot("waited-done")

    # A job can be cancelled from the page while it waits.
    page.q('#editlist-body button[data-action="edit"]').click()
    page.typed("#out-point", f"{edge + 600:.3f}")
    page.q("#btn-add").click()  # "Update #1"
    page.until(lambda: f"{int(edge + 600) // 60:02d}:" in page.rows()[0].find_element(By.CSS_SELECTOR, "td.out").text, "the edited out point")
    page.typed("#output-name", "cancelled.f4v")
    page.q("#btn-export").click()
    job = lambda: next((li for li in page.qs("#jobs li") if "cancelled.f4v" in li.text), None)
    page.until(lambda: job() and job().get_attribute("data-state") == "waiting", "the second job waiting")
    job().find_element(By.CSS_SELECTOR, 'button[data-action="cancel"]').click()
    page.until(lambda: job().get_attribute("data-state") == "cancelled", "the job cancelled in the page")
    page.shot("cancelled")
    assert page.errors() == []


def test_on_a_phone_sized_screen_nothing_overflows(origin, driver):
    page = Page(driver, origin)
    driver.set_window_size(390, 844)
    try:
        driver.get(origin.api + "/editor/")
        page.until(lambda: page.qs('#list-dvr li[data-name="livestream"]'), "the recording")
        page.q('#list-dvr li[data-name="livestream"]').click()
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        video = page.q("#video").rect
        assert video["width"] <= 390 and video["width"] > 300
        page.shot("phone")
        assert page.errors() == []
    finally:
        driver.set_window_size(1440, 960)


def test_with_a_token_the_page_asks_once_and_sends_it_as_a_bearer_header(driver):
    token = "s3cret-editor-token"
    cluster = lsc_harness.Cluster("editor-token")
    try:
        origin = Origin(cluster, token=token, publish=False)
        page = Page(driver, origin)
        driver.get(origin.api + "/editor/")
        page.until(lambda: page.q("#token-dialog").get_attribute("open") is not None, "the token question")
        page.shot("token")
        page.typed("#token-input", token)
        page.q("#token-form button").click()
        page.until(lambda: page.qs('#list-clips li[data-name="opener.mp4"]'), "the clips after the token")
        # Kept for the tab, never in a URL: a reload asks nothing.
        assert driver.execute_script("return sessionStorage.getItem('lsc.apiToken')") == token
        driver.refresh()
        page.until(lambda: page.qs('#list-clips li[data-name="opener.mp4"]'), "the clips after a reload")
        assert page.q("#token-dialog").get_attribute("open") is None
        assert token not in driver.current_url
        # The 401s before the token was given are expected; nothing else failed.
        assert [e for e in page.errors() if "401" not in e["message"]] == []
    finally:
        cluster.close()
