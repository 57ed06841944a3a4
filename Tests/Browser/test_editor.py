"""The highlight editor in headless Chromium against a live origin (issue 13): sources listed
with the live badge, marking with buttons, keys and typed times, an edit list of two DVR items and
one clip item, export, the job reaching done in the page, the output in Outputs, the exported
items starting on the marked frames (read back from the burned-in numbers), a future out-point
that waits for live, and no console errors or failed requests. Screenshots per step in
.build/browser-editor/. LSC_EDITOR_SCREENSHOT=docs/editor.png also saves the README picture.
Media playback steps run when lsc-relay serves HTTP media (--http)."""
import math
import os
import shutil
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from editor_origin import FPS, Origin, read_frame_codes, runs, wait_for

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("LSC_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
SHOTS = os.path.join(ROOT, ".build", "browser-editor")


@pytest.fixture(scope="module")
def origin():
    with Origin(BIN_DIR) as o:
        yield o


@pytest.fixture(scope="module")
def driver():
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,960",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
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
        return wait_for(lambda: _safe(fn), timeout, what)

    def typed(self, css, text):
        field = self.q(css)
        field.clear()
        field.send_keys(text)

    def press(self, key):
        ActionChains(self.d).send_keys(key).perform()

    def rows(self):
        return self.qs("#editlist-body tr")

    def media(self):
        return self.origin.relay_has_http

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

    # DVR item 1: with the buttons.
    page.q('#list-dvr li[data-name="livestream"]').click()
    if page.media():
        page.until(lambda: driver.execute_script("return document.getElementById('video').readyState >= 2"), "DVR playback")
        page.seek(1.0)
        page.q("#btn-set-in").click()
        page.seek(2.0)
        page.q("#btn-set-out").click()
        assert page.q("#in-point").get_attribute("value") == "00:01.000"
    else:
        page.typed("#in-point", "1")
        page.typed("#out-point", "0:02.000")
    page.shot("dvr-marked")
    page.q("#btn-add").click()
    page.until(lambda: len(page.rows()) == 1, "the first item")

    # DVR item 2: with the I and O keys (from the playhead), and Enter to add.
    driver.execute_script("document.activeElement.blur()")
    if page.media():
        page.seek(2.4)
        page.press("i")
        page.seek(3.2)
        page.press("o")
    else:
        # Without HTTP media the playhead stays at 0: the keys set it, typing moves it.
        page.press("i")
        assert page.q("#in-point").get_attribute("value") == "00:00.000"
        page.typed("#in-point", "2.4")
        page.typed("#out-point", "3.2")
        driver.execute_script("document.activeElement.blur()")
    page.press(Keys.ENTER)
    page.until(lambda: len(page.rows()) == 2, "the second item")

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
    if page.media():
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
    base, first_time = origin.first_recorded_frame()
    on_screen = lambda t: base + math.floor((t - first_time) * FPS + 1e-6)
    codes = read_frame_codes(os.path.join(origin.media, "exports", "highlight-1.f4v"))
    items = runs(codes)
    assert [first for first, _ in items] == [on_screen(1.0), on_screen(2.4), round(1.2 * FPS)], items
    # Every frame on screen during the item: its duration in frames, one more when it starts mid-frame.
    assert [count for _, count in items][2] == 20, items
    for (first, count), (start, end) in zip(items[:2], [(1.0, 2.0), (2.4, 3.2)]):
        assert count == on_screen(end - 1e-3) - first + 1, items

    if page.media():
        page.q('#jobs li[data-state="done"] button[data-action="play"]').click()
        page.until(lambda: driver.execute_script("return document.getElementById('video').currentTime") > 0.5,
                   "the output playing")
        page.shot("output-playing")

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


def test_with_a_token_the_page_asks_once_and_sends_it_as_a_bearer_header(driver, tmp_path):
    token = "s3cret-editor-token"
    with Origin(BIN_DIR, token=token, publish=False) as origin:
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
