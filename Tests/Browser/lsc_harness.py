"""Shared harness for LiveStreamCast browser tests (pytest + selenium + Debian's chromium).

Starts the real binaries (``.build/debug`` or ``$LSC_BIN_DIR``) on free loopback ports, an
ffmpeg publisher with a burned-in frame number, and headless Chromium; every process is
stopped by its PID at the end. Used by the player tests here and by the editor's tests.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
# Frame number bar code, as Tests/IntegrationTests/Support/FrameNumberCode.swift burns it:
# bit b of the frame number is the 20-pixel column b of the top 40 lines (white = 1), 320 px wide.
CODE_WIDTH = 320
CODE_HEIGHT = 40


def bin_dir() -> Path:
    path = Path(os.environ.get("LSC_BIN_DIR", REPO / ".build" / "debug"))
    if not (path / "lsc-relay").exists():
        raise RuntimeError(f"no lsc-relay in {path}: run `swift build` or set LSC_BIN_DIR")
    return path


def artifacts_dir() -> Path:
    """Where screenshots and logs go (``.build/browser-tests``)."""
    path = Path(os.environ.get("LSC_ARTIFACTS", REPO / ".build" / "browser-tests"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it, so parallel runs do not collide)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(what: str, condition, timeout: float = 20.0, interval: float = 0.1):
    """Polls ``condition`` until it returns a truthy value; raises TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - keep polling, report the last one
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


@dataclass
class Proc:
    """A started process, stopped by its own PID only."""
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0):
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def kill(self):
        """SIGKILL, as a crash."""
        if self.alive():
            self.popen.kill()
            self.popen.wait(5)


class Processes:
    """Starts processes and stops all of them (by PID) at the end."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.started: list[Proc] = []

    def start(self, name: str, args: list[str], cwd: Path | None = None) -> Proc:
        log = self.directory / f"{name}.log"
        handle = open(log, "wb")
        popen = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd)
        proc = Proc(name, popen, log)
        self.started.append(proc)
        return proc

    def stop_all(self):
        for proc in reversed(self.started):
            proc.stop()


@dataclass
class Node:
    """One node: ``lsc-relay`` (RTMP + HTTP media port) and optionally ``lsc-control`` (admin API)."""
    name: str
    role: str
    directory: Path
    rtmp_port: int
    http_port: int
    api_port: int | None
    relay: Proc
    control: Proc | None = None
    relay_args: list[str] = field(default_factory=list)

    @property
    def app(self) -> str:
        return f"livestreamcast_{self.role}"

    @property
    def media(self) -> Path:
        return self.directory / "media"

    def rtmp_url(self, stream: str = "livestream") -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/{self.app}/{stream}"

    def http_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"

    def player_url(self, stream: str = "livestream") -> str:
        return self.http_url(f"/{self.app}/{stream}")

    def api_url(self, path: str) -> str:
        assert self.api_port is not None, "node started without lsc-control"
        return f"http://127.0.0.1:{self.api_port}{path}"

    def upstream_line(self, label: str, secondary: "Node | None" = None) -> str:
        other = secondary or self
        return f"{label} 127.0.0.1:{self.rtmp_port};127.0.0.1:{other.rtmp_port} {self.app}"


class Cluster:
    """Nodes, publishers and browsers of one test; ``close()`` stops everything it started."""

    def __init__(self, name: str = "lsc"):
        self.directory = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=os.environ.get("LSC_TMP")))
        self.processes = Processes(self.directory)
        self.bin = bin_dir()

    def node(self, name: str, role: str = "origin", host_ini: list[str] | None = None, control: bool = True,
             relay_extra: list[str] | None = None, control_extra: list[str] | None = None) -> Node:
        directory = self.directory / name
        (directory / "media").mkdir(parents=True, exist_ok=True)
        rtmp, http = free_port(), free_port()
        sock = str(directory / f"{name}.sock")
        relay_args = [str(self.bin / "lsc-relay"), "--role", role, "--rtmp", f"127.0.0.1:{rtmp}", "--http", f"127.0.0.1:{http}",
                      "--threads", "2", "--media", str(directory / "media"), "--control-socket", sock] + (relay_extra or [])
        relay = self.processes.start(f"{name}-relay", relay_args, cwd=directory)
        wait_until(f"{name} relay listening", lambda: is_listening(rtmp) and is_listening(http), timeout=20)
        node = Node(name, role, directory, rtmp, http, None, relay, relay_args=relay_args)
        if control:
            api = free_port()
            args = [str(self.bin / "lsc-control"), "--role", role, "--http", f"127.0.0.1:{api}", "--media", str(directory / "media"),
                    "--control-socket", sock] + (control_extra or [])
            if host_ini is not None:
                ini = directory / "host.ini"
                ini.write_text("\n".join(host_ini) + "\n")
                args += ["--host-ini", str(ini)]
            node.control = self.processes.start(f"{name}-control", args, cwd=directory)
            node.api_port = api
            wait_until(f"{name} control listening", lambda: is_listening(api), timeout=20)
        return node

    def restart_relay(self, node: Node):
        node.relay = self.processes.start(f"{node.name}-relay-again", node.relay_args, cwd=node.directory)
        wait_until(f"{node.name} relay listening again", lambda: is_listening(node.rtmp_port), timeout=20)

    def publish(self, url: str, seconds: int = 60, name: str = "publisher", size: str = "320x240", gop: int = 25,
                frame_offset: int = 0) -> Proc:
        """ffmpeg publishing testsrc2 with the frame number burned in (bar code + text) and a sine, H.264 + AAC."""
        ffmpeg = shutil.which("ffmpeg")
        video = f"testsrc2=size={size}:rate=25,{frame_code_filter(frame_offset)}"
        return self.processes.start(name, [
            ffmpeg, "-hide_banner", "-nostats", "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            "-g", str(gop), "-keyint_min", str(gop), "-c:a", "aac", "-b:a", "64k", "-t", str(seconds), "-f", "flv", url])

    def close(self):
        self.processes.stop_all()


def frame_code_filter(offset: int = 0) -> str:
    """The filter chain burning frame number N+offset into 320-pixel-wide video (see FrameNumberCode.swift)."""
    bit = f"mod(floor((N+{offset})/pow(2,floor(X/20))),2)"
    chain = (f"geq=lum='if(lt(Y,{CODE_HEIGHT}),if({bit},235,16),lum(X,Y))'"
             f":cb='if(lt(Y,{CODE_HEIGHT // 2}),128,cb(X,Y))':cr='if(lt(Y,{CODE_HEIGHT // 2}),128,cr(X,Y))'")
    if os.path.exists(FONT):
        chain += f",drawtext=fontfile={FONT}:text='%{{n}}':fontsize=36:x=8:y=190:fontcolor=white:box=1:boxcolor=black"
    return chain


def read_frame_code(luma_at) -> int:
    """The frame number from a picture: ``luma_at(x, y)`` gives 0-255 brightness at (x, y) in a 320-wide frame."""
    value = 0
    for bit in range(16):
        total = 0
        count = 0
        for y in range(12, 30, 4):
            for x in range(bit * 20 + 6, bit * 20 + 15, 3):
                total += luma_at(x, y)
                count += 1
        if total / count > 128:
            value |= 1 << bit
    return value


def http_get(url: str, headers: dict | None = None, timeout: float = 10.0) -> tuple[int, dict, bytes]:
    """GET ``url``: (status, headers lower-cased, body); HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def get_json(url: str):
    status, _, body = http_get(url)
    assert status == 200, f"{url}: {status} {body[:200]!r}"
    return json.loads(body)


def ffprobe(url: str, timeout: float = 30.0) -> dict:
    """ffprobe's JSON view (streams) of a URL or file."""
    result = subprocess.run(["ffprobe", "-v", "error", "-rw_timeout", "5000000", "-show_entries", "stream=codec_name,codec_type",
                             "-of", "json", url], capture_output=True, text=True, timeout=timeout)
    return json.loads(result.stdout or "{}")


def chromium(headless: bool = True):
    """Debian's chromium through chromium-driver (selenium), headless, no sandbox (tests run as root)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    if headless:
        options.add_argument("--headless=new")
    for argument in ("--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                     "--mute-audio", "--window-size=1280,900", "--disable-gpu", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


@contextlib.contextmanager
def browser():
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


# JavaScript that draws the <video> to a canvas and returns the frame number burned into it.
READ_VIDEO_FRAME_JS = """
const video = arguments[0] || document.querySelector('video');
if (!video || video.videoWidth === 0) return null;
const canvas = document.createElement('canvas');
canvas.width = 320; canvas.height = 40;
const context = canvas.getContext('2d', { willReadFrequently: true });
context.drawImage(video, 0, 0, video.videoWidth, 40 * video.videoHeight / 240, 0, 0, 320, 40);
const pixels = context.getImageData(0, 0, 320, 40).data;
let value = 0;
for (let bit = 0; bit < 16; bit++) {
  let total = 0, count = 0;
  for (let y = 12; y < 30; y += 4) for (let x = bit * 20 + 6; x < bit * 20 + 15; x += 3) {
    const i = (y * 320 + x) * 4;
    total += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2]; count++;
  }
  if (total / count > 128) value |= 1 << bit;
}
return value;
"""
