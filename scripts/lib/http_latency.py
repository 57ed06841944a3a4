#!/usr/bin/env python3
"""Glass-to-glass latency per protocol at an edge, same run: RTMP (lsc-latency), HTTP-FLV,
progressive fMP4, LL-HLS (blocking reload of the next part, then the part) and plain HLS
(polling the playlist, whole segments). lsc-latency publishes a synthetic 25 fps H.264 stream
whose frames carry their CLOCK_MONOTONIC send time in an SEI; every HTTP client scans what it
receives for those stamps, so latency = arrival - send on the same clock. Prints Markdown.

    python3 scripts/lib/http_latency.py [seconds]      (LSC_BIN_DIR: binaries, default .build/release)
"""
import json
import os
import re
import shutil
import statistics
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

UUID = bytes([0x6C, 0x73, 0x63, 0x2D, 0x8F, 0x41, 0x4E, 0x2B, 0x9A, 0x07, 0x5D, 0xC1, 0x33, 0xE2, 0x70, 0x19])


def stamps(data: bytes):
    """(sequence, sent ns) of every latency stamp in ``data`` (SEI bytes unescaped)."""
    found = []
    start = 0
    while True:
        index = data.find(UUID, start)
        if index < 0:
            return found
        raw, zeros, i = bytearray(), 0, index + 16
        while len(raw) < 16 and i < len(data):
            byte = data[i]
            i += 1
            if zeros >= 2 and byte == 3:
                zeros = 0
                continue
            raw.append(byte)
            zeros = zeros + 1 if byte == 0 else 0
        if len(raw) == 16:
            found.append((int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big")))
        start = index + 16


class Collector:
    def __init__(self, warmup_until: float):
        self.latencies = []
        self.lock = threading.Lock()
        self.warmup_until = warmup_until

    def add(self, data: bytes):
        now = time.monotonic_ns()
        if time.monotonic() < self.warmup_until:
            return
        with self.lock:
            self.latencies += [(now - sent) / 1e6 for _, sent in stamps(data)]


def stream_client(url: str, until: float, collector: Collector):
    with urllib.request.urlopen(url, timeout=10) as response:
        tail = b""
        while time.monotonic() < until:
            chunk = response.read1(65536)
            if not chunk:
                return
            collector.add(tail + chunk)
            tail = chunk[-40:]


def hls_client(base: str, until: float, collector: Collector, low_latency: bool):
    seen = set()
    msn = part = None
    while time.monotonic() < until:
        query = f"?_HLS_msn={msn}&_HLS_part={part}" if low_latency and msn is not None else ""
        status, _, body = h.http_get(f"{base}/index.m3u8{query}", timeout=15)
        if status != 200:
            time.sleep(0.2)
            continue
        text = body.decode()
        first = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1))
        if low_latency:
            uris = re.findall(r'#EXT-X-PART:[^\n]*URI="([^"]+)"', text)
            hint = re.search(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"', text).group(1)
            for uri in uris[-1:] + [hint]:
                if uri in seen:
                    continue
                seen.add(uri)
                status, _, data = h.http_get(f"{base}/{uri}", timeout=15)
                if status == 200:
                    collector.add(data)
            complete = text.count("#EXTINF")
            open_parts = text.rsplit("#EXTINF", 1)[-1].count("#EXT-X-PART:")
            msn, part = first + complete, open_parts + 1
        else:
            for uri in re.findall(r"^(s\d+\.m4s)$", text, re.M)[-1:]:
                if uri not in seen:
                    seen.add(uri)
                    status, _, data = h.http_get(f"{base}/{uri}", timeout=15)
                    if status == 200:
                        collector.add(data)
            time.sleep(0.5)


def summary(values):
    if not values:
        return "n/a", "n/a", 0
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"{statistics.median(values):.0f}", f"{p99:.0f}", len(values)


NGINX_STATIC = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ application/vnd.apple.mpegurl m3u8; video/mp4 m4s; }}
    server {{ listen 127.0.0.1:{port}; root {dir}/www; }}
}}
"""


def wrk(url: str, seconds: int = 5, connections: int = 32) -> str:
    result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, timeout=seconds + 30)
    match = re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout)
    return f"{float(match.group(1)):.0f}" if match else "n/a"


def requests_per_second(cluster, edge):
    """LL-HLS parts and playlists from the edge's memory vs nginx serving the same bytes from disk."""
    base = edge.http_url("/livestreamcast_edge/bench")
    text = h.http_get(base + "/index.m3u8")[2].decode()
    part = re.findall(r'#EXT-X-PART:[^\n]*URI="([^"]+)"', text)[-1]
    directory = cluster.directory / "nginx-static"
    (directory / "www").mkdir(parents=True)
    directory.chmod(0o777)
    (directory / "www" / "part.m4s").write_bytes(h.http_get(f"{base}/{part}")[2])
    (directory / "www" / "index.m3u8").write_text(text)
    port = h.free_port()
    (directory / "nginx.conf").write_text(NGINX_STATIC.format(dir=directory, port=port))
    cluster.processes.start("nginx-static", [shutil.which("nginx"), "-p", str(directory), "-c", str(directory / "nginx.conf"),
                                             "-g", "user root;"])
    h.wait_until("nginx listening", lambda: h.is_listening(port), timeout=10)
    size = (directory / "www" / "part.m4s").stat().st_size
    print(f"\n| requests/s, wrk -t2 -c32 -d5s (part of {size} bytes) | lsc-relay edge (memory) | nginx (file) |")
    print("|---|---|---|")
    print(f"| LL-HLS part | {wrk(f'{base}/{part}')} | {wrk(f'http://127.0.0.1:{port}/part.m4s')} |")
    print(f"| playlist (no blocking) | {wrk(f'{base}/index.m3u8')} | {wrk(f'http://127.0.0.1:{port}/index.m3u8')} |")


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    cluster = h.Cluster("lsc-bench-http-latency")
    try:
        origin = cluster.node("origin", relay_extra=["--dvr", "off", "--log-level", "warning"])
        edge = cluster.node("edge", role="edge", host_ini=[origin.upstream_line("origins")],
                            relay_extra=["--log-level", "warning", "--hls-part-target", "0.2", "--hls-segment-target", "1"])
        probe_log = cluster.directory / "latency.json"
        probe = cluster.processes.start("lsc-latency", [
            str(cluster.bin / "lsc-latency"), "--publish", origin.rtmp_url("bench"), "--play", edge.rtmp_url("bench"),
            "--duration", str(seconds + 6), "--play-delay", "2", "--keyframe-interval", "25"])
        base = edge.http_url("/livestreamcast_edge/bench")
        h.wait_until("the edge serves the stream over HTTP",
                     lambda: h.http_get(base + "/index.m3u8", timeout=12)[0] == 200, timeout=30)
        warm = time.monotonic() + 2
        until = warm + seconds
        collectors = {name: Collector(warm) for name in ("HTTP-FLV", "fMP4", "LL-HLS (part)", "HLS (segment)")}
        threads = [
            threading.Thread(target=stream_client, args=(base + ".flv", until, collectors["HTTP-FLV"])),
            threading.Thread(target=stream_client, args=(base + ".mp4", until, collectors["fMP4"])),
            threading.Thread(target=hls_client, args=(base, until, collectors["LL-HLS (part)"], True)),
            threading.Thread(target=hls_client, args=(base, until, collectors["HLS (segment)"], False)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 30)
        probe.popen.wait(60)
        text = probe.log.read_text()
        report = json.loads(text[text.index("{"):text.rindex("}") + 1]) if "{" in text else {}
        print(f"| protocol at the edge (origin -> edge, loopback) | p50 ms | p99 ms | frames |")
        print("|---|---|---|---|")
        rtmp = report.get("latency", report)
        print(f"| RTMP (lsc-latency) | {rtmp.get('p50Milliseconds', rtmp.get('p50', 'see log'))} | "
              f"{rtmp.get('p99Milliseconds', rtmp.get('p99', 'see log'))} | {rtmp.get('count', rtmp.get('samples', ''))} |")
        for name, collector in collectors.items():
            p50, p99, count = summary(collector.latencies)
            print(f"| {name} | {p50} | {p99} | {count} |")
        print(f"\n(lsc-latency report: {probe.log})")
        if shutil.which("wrk") and shutil.which("nginx"):
            requests_per_second(cluster, edge)
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
