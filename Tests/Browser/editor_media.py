"""What the editor's browser tests need beyond lsc_harness: a clip with the burned-in frame
number, the numbers read back from a file, and the recording's first frame."""
from __future__ import annotations

import subprocess
from pathlib import Path

from lsc_harness import CODE_HEIGHT, CODE_WIDTH, frame_code_filter, read_frame_code

FPS = 25


def make_clip(path: Path, seconds: int = 6):
    """An H.264 + AAC MP4 (moov first) whose frames carry their numbers from 0."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate={FPS},{frame_code_filter()}",
                    "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100", "-t", str(seconds),
                    "-c:v", "libx264", "-preset", "veryfast", "-g", str(FPS), "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-movflags", "+faststart", str(path)], check=True, timeout=120)


def frame_codes(path: Path, frames: int | None = None) -> list[int]:
    """The number burned into each decoded video frame of `path` (edit lists applied), in order."""
    limit = ["-frames:v", str(frames)] if frames else []
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-fps_mode", "passthrough", *limit,
                          "-vf", f"crop={CODE_WIDTH}:{CODE_HEIGHT}:0:0", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                         capture_output=True, timeout=120, check=True).stdout
    size = CODE_WIDTH * CODE_HEIGHT
    return [read_frame_code(lambda x, y, s=start: raw[s + y * CODE_WIDTH + x]) for start in range(0, len(raw) - size + 1, size)]


def runs(codes: list[int]) -> list[tuple[int, int]]:
    """[(first, count)] of consecutive numbers: one run per exported item."""
    out: list[tuple[int, int]] = []
    for code in codes:
        if out and code == out[-1][0] + out[-1][1]:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((code, 1))
    return out


def first_recorded_frame(media: Path, stream: str = "livestream") -> tuple[int, float]:
    """(number, recording time in seconds) of the first video frame of a DVR recording."""
    segment = media / "dvr" / stream / "seg-00000001.flv"
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                            "-read_intervals", "%+#1", "-of", "csv=p=0", str(segment)],
                           capture_output=True, text=True, timeout=60, check=True).stdout.split()
    return frame_codes(segment, frames=1)[0], float(probe[0])
