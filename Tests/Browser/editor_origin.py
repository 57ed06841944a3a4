"""A live origin for the editor's browser tests: lsc-relay + lsc-control on free loopback ports,
an ffmpeg publisher whose video carries its frame number (text and a 16-bit bar code in the top
40 lines, as Tests/IntegrationTests/Support/FrameNumberCode.swift), and a clip in sources/ with
the same code. Processes are ended by PID."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
WIDTH, BAND = 320, 40
FPS = 25


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def frame_code_filter(offset=0):
    bit = f"mod(floor((N+{offset})/pow(2,floor(X/20))),2)"
    chain = (f"geq=lum='if(lt(Y,{BAND}),if({bit},235,16),lum(X,Y))'"
             f":cb='if(lt(Y,{BAND // 2}),128,cb(X,Y))':cr='if(lt(Y,{BAND // 2}),128,cr(X,Y))'")
    if os.path.exists(FONT):
        chain += f",drawtext=fontfile={FONT}:text='%{{n}}':fontsize=36:x=8:y=190:fontcolor=white:box=1:boxcolor=black"
    return chain


def read_frame_codes(path):
    """The number burned into every decoded video frame of `path`, in presentation order."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
                          "-vf", f"crop={WIDTH}:{BAND}:0:0", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                         capture_output=True, timeout=120, check=True).stdout
    size = WIDTH * BAND
    codes = []
    for start in range(0, len(raw) - size + 1, size):
        value = 0
        for b in range(16):
            total = sum(raw[start + y * WIDTH + x] for y in range(10, 30) for x in range(b * 20 + 5, b * 20 + 15))
            if total / 200 > 128:
                value |= 1 << b
        codes.append(value)
    return codes


def runs(codes):
    """[(first, count)] of consecutive numbers: one run per exported item."""
    out = []
    for c in codes:
        if out and c == out[-1][0] + out[-1][1]:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((c, 1))
    return out


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _answers(get, path):
    try:
        return get(path) is not None
    except Exception:
        return False


class Origin:
    def __init__(self, bin_dir, token=None, publish=True):
        self.bin_dir = bin_dir
        self.token = token
        self.publish = publish
        self.work = tempfile.mkdtemp(prefix="lsc-editor-")
        self.media = os.path.join(self.work, "media")
        os.makedirs(os.path.join(self.media, "sources"))
        self.rtmp_port = free_port()
        self.http_port = free_port()
        self.media_port = free_port()
        self.socket = os.path.join(self.work, "origin.sock")
        self.processes = []
        self.relay_has_http = "--http" in subprocess.run([os.path.join(bin_dir, "lsc-relay"), "--help"],
                                                         capture_output=True, text=True).stdout

    @property
    def api(self):
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, name, args):
        log = open(os.path.join(self.work, f"{name}.log"), "wb")
        self.processes.append(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))

    def get(self, path):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with urllib.request.urlopen(urllib.request.Request(self.api + path, headers=headers), timeout=5) as r:
            return json.load(r)

    def make_clip(self, name="opener.mp4", seconds=6):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={WIDTH}x240:rate={FPS}",
                        "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100", "-t", str(seconds),
                        "-vf", frame_code_filter(), "-c:v", "libx264", "-preset", "veryfast", "-g", str(FPS),
                        "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart",
                        os.path.join(self.media, "sources", name)], check=True, timeout=120)

    def __enter__(self):
        self.make_clip()
        relay = [os.path.join(self.bin_dir, "lsc-relay"), "--role", "origin", "--rtmp", f"127.0.0.1:{self.rtmp_port}",
                 "--media", self.media, "--control-socket", self.socket]
        if self.relay_has_http:
            relay += ["--http", f"127.0.0.1:{self.media_port}"]
        self.start("relay", relay)
        wait_for(lambda: os.path.exists(self.socket), 30, "the relay's control socket")
        control = [os.path.join(self.bin_dir, "lsc-control"), "--role", "origin", "--http",
                   f"127.0.0.1:{self.http_port}", "--media", self.media, "--control-socket", self.socket]
        if self.token:
            token_file = os.path.join(self.work, "token")
            with open(token_file, "w") as f:
                f.write(self.token + "\n")
            control += ["--api-token-file", token_file]
        self.start("control", control)
        if not self.publish:
            wait_for(lambda: _answers(self.get, "/api/v1/sources"), 30, "the admin API")
            return self
        self.start("publisher", ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", f"testsrc2=size={WIDTH}x240:rate={FPS}",
                                 "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                                 "-vf", frame_code_filter(), "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
                                 "-g", str(FPS), "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv",
                                 f"rtmp://127.0.0.1:{self.rtmp_port}/livestreamcast_origin/livestream"])

        def recording():
            try:
                return [r for r in self.get("/api/v1/dvr")["recordings"] if r["stream"] == "livestream" and r["duration"] > 3]
            except Exception:
                return None
        wait_for(recording, 60, "the DVR recording of livestream")
        return self

    def first_recorded_frame(self):
        """(code, recording time in seconds) of the first recorded video frame."""
        segment = os.path.join(self.media, "dvr", "livestream", "seg-00000001.flv")
        probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                                "-read_intervals", "%+#1", "-of", "csv=p=0", segment],
                               capture_output=True, text=True, timeout=60, check=True).stdout.split()
        return self.first_recorded_code(), float(probe[0])

    def first_recorded_code(self):
        segment = os.path.join(self.media, "dvr", "livestream", "seg-00000001.flv")
        out = subprocess.run(["ffmpeg", "-v", "error", "-i", segment, "-frames:v", "1", "-map", "0:v:0",
                              "-vf", f"crop={WIDTH}:{BAND}:0:0", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                             capture_output=True, timeout=60, check=True).stdout
        value = 0
        for b in range(16):
            total = sum(out[y * WIDTH + x] for y in range(10, 30) for x in range(b * 20 + 5, b * 20 + 15))
            if total / 200 > 128:
                value |= 1 << b
        return value

    def __exit__(self, *exc):
        for p in reversed(self.processes):
            p.terminate()
        for p in reversed(self.processes):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if os.environ.get("LSC_KEEP_WORK") is None:
            shutil.rmtree(self.work, ignore_errors=True)
