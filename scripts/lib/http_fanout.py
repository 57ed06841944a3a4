#!/usr/bin/env python3
"""HTTP-FLV fan-out beside RTMP fan-out, same run: one origin (lsc-relay), an ffmpeg 320x240
H.264+AAC publisher, N HTTP-FLV readers (threads in this process) for S seconds, then N RTMP
players (lsc-loadclient) for S seconds. Reports relay CPU (utime+stime delta), RSS and how many
viewers kept up (received at least 90% of the bytes the fastest one did). Prints Markdown.

    python3 scripts/lib/http_fanout.py [viewers] [seconds]    (LSC_BIN_DIR: binaries, default .build/release)
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "Browser"))
os.environ.setdefault("LSC_BIN_DIR", str(ROOT / ".build" / "release"))
import lsc_harness as h  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reader(url: str, until: float, counts: list, index: int):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            while time.monotonic() < until:
                chunk = response.read1(65536)
                if not chunk:
                    return
                counts[index] += len(chunk)
    except Exception:  # noqa: BLE001 - a dropped viewer simply stops counting
        return


def main():
    viewers = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    cluster = h.Cluster("lsc-bench-http-fanout")
    try:
        origin = cluster.node("origin", control=False, relay_extra=["--dvr", "off", "--log-level", "warning"])
        cluster.publish(origin.rtmp_url(), seconds=int(seconds * 2 + 60))
        h.wait_until("stream over HTTP", lambda: h.http_get(origin.http_url("/livestreamcast_origin/livestream/index.m3u8"), timeout=12)[0] == 200,
                     timeout=40)
        pid = origin.relay.pid
        print(f"| {viewers} viewers, {seconds:.0f} s, 320x240 H.264+AAC | relay CPU s | relay CPU % | RSS MiB | kept up |")
        print("|---|---|---|---|---|")
        # HTTP-FLV
        counts = [0] * viewers
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=reader, args=(origin.http_url("/livestreamcast_origin/livestream.flv"), until, counts, i))
                   for i in range(viewers)]
        cpu0 = cpu_seconds(pid)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 20)
        cpu = cpu_seconds(pid) - cpu0
        best = max(counts) or 1
        kept = sum(1 for c in counts if c >= best * 0.9)
        print(f"| HTTP-FLV | {cpu:.2f} | {100 * cpu / seconds:.0f} | {rss_mib(pid):.0f} | {kept}/{viewers} |")
        # RTMP, same relay, same stream
        cpu0 = cpu_seconds(pid)
        result = subprocess.run([str(cluster.bin / "lsc-loadclient"), origin.rtmp_url(), "--players", str(viewers), "--duration", str(seconds)],
                                capture_output=True, text=True, timeout=seconds + 60)
        cpu = cpu_seconds(pid) - cpu0
        report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
        print(f"| RTMP (lsc-loadclient) | {cpu:.2f} | {100 * cpu / seconds:.0f} | {rss_mib(pid):.0f} | {report.get('keptUp', '?')}/{viewers} |")
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
