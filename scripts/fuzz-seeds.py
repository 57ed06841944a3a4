#!/usr/bin/env python3
"""Regenerates the fuzz seed corpora in FuzzTesting/Corpus/<Target>/ from real sessions and files.

Real bytes only: ffmpeg makes tiny FLV/MP4/F4V files (a few frames at 64x48, several H.264
profiles, AAC); ffmpeg publishes them and rtmpdump and ffmpeg play them, against nginx-rtmp and
against lsc-relay, through a recording TCP proxy on loopback; lsc-relay records a short DVR
recording; lsc-control talks to lsc-relay through a recording proxy on the control socket. The
captures are split into the inputs each target takes (docs/FUZZING.md, "Seeds").

Usage: scripts/fuzz-seeds.py [--relay .build/debug]   (needs ffmpeg, rtmpdump, nginx + rtmp module)
"""
import argparse
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "FuzzTesting", "Corpus")
SEPARATOR = b"\n--LSC-FUZZ-PART--\n"  # FuzzInput.separator
MAX_SEED = 12 * 1024  # keeps libFuzzer's max_len, and the committed corpus, small


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=15.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def save(target, data, label):
    if not data:
        return
    data = data[:MAX_SEED]
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    name = "%s-%s" % (label, hashlib.sha1(data).hexdigest()[:10])
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


class Proxy:
    """Forwards connections (TCP or Unix) and records each direction of each connection."""

    def __init__(self, listen, connect, family=socket.AF_INET):
        self.connect, self.family = connect, family
        self.sessions = []  # [client_to_server bytearray, server_to_client bytearray]
        self.server = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET:
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(listen)
        self.server.listen(16)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(self.family, socket.SOCK_STREAM)
            upstream.connect(self.connect)
            session = [bytearray(), bytearray()]
            self.sessions.append(session)
            threading.Thread(target=self.pump, args=(client, upstream, session[0]), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, session[1]), daemon=True).start()

    @staticmethod
    def pump(source, destination, record):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                record += data
                destination.sendall(data)
        except OSError:
            pass
        for s in (source, destination):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.server.close()


def chunk_messages(stream):
    """Decodes an RTMP chunk stream (after the handshake) into (type, body) messages."""
    chunk_size, position, streams, messages = 128, 0, {}, []
    while position < len(stream):
        start = position
        first = stream[position]; position += 1
        fmt, csid = first >> 6, first & 0x3F
        if csid == 0:
            if position >= len(stream): break
            csid = 64 + stream[position]; position += 1
        elif csid == 1:
            if position + 2 > len(stream): break
            csid = 64 + stream[position] + 256 * stream[position + 1]; position += 2
        state = streams.setdefault(csid, {"length": 0, "type": 0, "partial": bytearray()})
        header = {0: 11, 1: 7, 2: 3, 3: 0}[fmt]
        if position + header > len(stream): break
        h = stream[position:position + header]; position += header
        timestamp = None
        if fmt <= 2:
            timestamp = int.from_bytes(h[0:3], "big")
        if fmt <= 1:
            state["length"] = int.from_bytes(h[3:6], "big")
            state["type"] = h[6]
        if timestamp == 0xFFFFFF or (fmt == 3 and state.get("extended")):
            position += 4
        if fmt <= 2:
            state["extended"] = timestamp == 0xFFFFFF
        take = min(chunk_size, state["length"] - len(state["partial"]))
        if position + take > len(stream): break
        state["partial"] += stream[position:position + take]; position += take
        if len(state["partial"]) >= state["length"]:
            body = bytes(state["partial"]); state["partial"] = bytearray()
            messages.append((state["type"], body))
            if state["type"] == 1 and len(body) >= 4:
                chunk_size = int.from_bytes(body[:4], "big") & 0x7FFFFFFF
        if position == start: break
    return messages


def split_session(session, label):
    """Seeds from one recorded RTMP connection: handshakes, chunk streams, messages."""
    to_server, to_client = bytes(session[0]), bytes(session[1])
    if len(to_server) < 3073 or len(to_client) < 3073:
        return
    save("Handshake", to_server[:3073 + 512], label + "-c0c1c2")
    save("Handshake", to_client[:3073 + 256], label + "-s0s1s2")
    for direction, stream in (("in", to_server[3073:]), ("out", to_client[3073:])):
        save("ChunkStream", stream[:4096], "%s-%s-start" % (label, direction))
        save("ChunkStream", stream[:MAX_SEED], "%s-%s" % (label, direction))
        for type_id, body in chunk_messages(stream)[:40]:
            if type_id in (15, 17, 18, 20):
                amf = body[1:] if type_id in (15, 17) and body[:1] == b"\0" else body
                save("AMF0", amf, "%s-%s-type%d" % (label, direction, type_id))
                selector = {20: 0, 17: 1, 18: 2, 15: 3}[type_id]
                save("Command", bytes([selector]) + body, "%s-%s-type%d" % (label, direction, type_id))
            elif type_id == 4:
                save("Command", bytes([4]) + body, "%s-%s-usercontrol" % (label, direction))
            elif type_id in (8, 9):
                selector = 1 if type_id == 8 else 0
                if body[:2] in (b"\x17\x00", b"\xaf\x00") or len(save_media.seen) < 12:
                    save_media(selector, body, "%s-%s" % (label, direction))


def save_media(selector, body, label):
    key = (selector, body[:2])
    if key in save_media.seen:
        return
    save_media.seen.add(key)
    save("FLVTagHeaders", bytes([selector]) + body[:512], label + "-tag")
save_media.seen = set()


def flv_tags(data):
    position = 13
    while position + 11 <= len(data):
        kind = data[position]
        size = int.from_bytes(data[position + 1:position + 4], "big")
        body = data[position + 11:position + 11 + size]
        yield kind, body
        position += 11 + size + 4


def avc_sps(record):
    """The SPS NAL units of an AVCDecoderConfigurationRecord."""
    if len(record) < 6:
        return []
    count, position, units = record[5] & 0x1F, 6, []
    for _ in range(count):
        length = int.from_bytes(record[position:position + 2], "big")
        units.append(record[position + 2:position + 2 + length])
        position += 2 + length
    return units


def make_media(work):
    """Tiny real files: several H.264 profiles (scaling matrices included) and AAC variants."""
    files = []
    variants = [
        ("baseline", ["-profile:v", "baseline"], ["-c:a", "aac", "-ar", "44100", "-ac", "2"]),
        ("main", ["-profile:v", "main"], ["-c:a", "aac", "-ar", "22050", "-ac", "1"]),
        ("high-cqm", ["-profile:v", "high", "-x264opts", "cqm=jvt"], ["-c:a", "aac", "-ar", "48000", "-ac", "2"]),
        ("high444", ["-profile:v", "high444", "-pix_fmt", "yuv444p", "-x264opts", "cqm=jvt"], ["-c:a", "aac", "-ar", "8000", "-ac", "1"]),
        ("high10-vui", ["-profile:v", "high10", "-pix_fmt", "yuv420p10le", "-x264-params", "fullrange=on:colorprim=bt709"], ["-an"]),
    ]
    for name, video, audio in variants:
        for extension, extra in (("flv", []), ("mp4", []), ("faststart.mp4", ["-movflags", "+faststart"]), ("f4v", ["-f", "f4v"])):
            path = os.path.join(work, "%s.%s" % (name, extension))
            command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "0.3",
                       "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "3", "-bf", "2" if name != "baseline" else "0", *video, *audio, *extra, path]
            if subprocess.run(command).returncode == 0:
                files.append(path)
    return files


def seed_files(files):
    for path in files:
        data = open(path, "rb").read()
        name = os.path.basename(path)
        if path.endswith(".flv"):
            save("FLVFile", data, name)
            save("FLVFile", data[:len(data) // 2], name + "-torn")
            for kind, body in flv_tags(data):
                if kind == 9 and body[:2] == b"\x17\x00":
                    save("FLVTagHeaders", b"\x00" + body, name + "-avc-seq")
                    save("AVCConfiguration", body[5:], name)
                    for sps in avc_sps(body[5:]):
                        save("H264SPS", sps, name)
                elif kind == 8 and body[:2] == b"\xaf\x00":
                    save("FLVTagHeaders", b"\x01" + body, name + "-aac-seq")
                    save("AACConfiguration", body[2:], name)
                elif kind in (8, 9):
                    save("FLVTagHeaders", bytes([kind & 1]) + body[:256], name + "-frame")
        else:
            save("MP4", data, name)
            save("MP4", data[:len(data) * 2 // 3], name + "-torn")
            esds = data.find(b"esds")
            if esds > 0:
                size = int.from_bytes(data[esds - 4:esds], "big")
                save("AACConfiguration", data[esds + 8:esds - 4 + size], name + "-esds")


def rtmp_sessions(port, source, label, work):
    """Publishes `source` to 127.0.0.1:port/app/cam through a proxy while rtmpdump and ffmpeg play."""
    proxy_port = free_port()
    proxy = Proxy(("127.0.0.1", proxy_port), ("127.0.0.1", port))
    base = "rtmp://127.0.0.1:%d/%s" % (proxy_port, label.split(":")[1])
    publisher = subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-stream_loop", "3", "-i", source, "-c", "copy",
                                  "-f", "flv", base + "/cam"])
    time.sleep(1.0)  # let the publisher reach publish before the players ask for the stream
    players = [
        subprocess.Popen(["rtmpdump", "-q", "-v", "-r", base + "/cam", "-o", os.path.join(work, "dump.flv"), "-B", "1"]),
        subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-i", base + "/cam", "-t", "0.5", "-f", "null", "-"]),
    ]
    for process in players + [publisher]:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    time.sleep(0.3)
    proxy.close()
    for number, session in enumerate(proxy.sessions):
        split_session(session, "%s-%d" % (label.split(":")[0], number))


def nginx_sessions(source, work):
    port = free_port()
    prefix = os.path.join(work, "nginx")
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    config = os.path.join(prefix, "nginx.conf")
    with open(config, "w") as f:
        f.write("load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\nerror_log %s/logs/error.log;\n"
                "pid %s/nginx.pid;\nevents {}\nrtmp { server { listen 127.0.0.1:%d; application live { live on; } } }\n"
                % (prefix, prefix, port))
    nginx = subprocess.Popen(["nginx", "-p", prefix, "-c", config, "-g", "daemon off;"])
    try:
        wait_for(lambda: port_open(port), what="nginx-rtmp")
        rtmp_sessions(port, source, "nginx:live", work)
    finally:
        nginx.terminate()
        nginx.wait()


def relay_sessions(binaries, source, work):
    port = free_port()
    media = os.path.join(work, "media")
    os.makedirs(media, exist_ok=True)
    relay_socket = os.path.join(work, "relay.sock")
    proxy_socket = os.path.join(work, "proxy.sock")
    relay = subprocess.Popen([os.path.join(binaries, "lsc-relay"), "--rtmp", "127.0.0.1:%d" % port, "--app", "live",
                              "--control-socket", relay_socket, "--media", media, "--dvr", "all",
                              "--dvr-segment-bytes", str(1 << 20)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    control = None
    try:
        wait_for(lambda: port_open(port) and os.path.exists(relay_socket), what="lsc-relay")
        link = Proxy(proxy_socket, relay_socket, family=socket.AF_UNIX)
        http = free_port()
        control = subprocess.Popen([os.path.join(binaries, "lsc-control"), "--http", "127.0.0.1:%d" % http,
                                    "--control-socket", proxy_socket, "--media", media],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open(http), what="lsc-control")
        rtmp_sessions(port, source, "relay:live", work)
        subprocess.run(["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:%d/api/v1/dvr" % http])
        # The client list is asked for on demand (listClients and its reply).
        subprocess.run(["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:%d/api/v1/clients" % http])
        time.sleep(1.5)
        for number, (to_relay, to_control) in enumerate(link.sessions):
            for direction, data in (("command", bytes(to_relay)), ("event", bytes(to_control))):
                lines = data.split(b"\n")
                save("ControlLink", b"\n".join(lines[:6]), "%s-%d-first" % (direction, number))
                for line in lines[:200]:
                    if line.startswith(b'{"snapshot"') or line.startswith(b'{"hello"') or number == 0 and len(line) < 400:
                        save("ControlLink", line, "%s-%d" % (direction, number))
        link.close()
    finally:
        for process in (control, relay):
            if process:
                process.terminate()
                process.wait()
    for directory, _, names in os.walk(os.path.join(media, "dvr")):
        if "recording.json" not in names:
            continue
        read = lambda name: open(os.path.join(directory, name), "rb").read()
        segments = sorted(n for n in names if n.endswith(".flv"))
        info, index = read("recording.json"), read("index.dvx") if "index.dvx" in names else b""
        media_bytes = [read(n) for n in segments]
        save("DVR", SEPARATOR.join([info, index] + [m[:6000] for m in media_bytes]), "recording")
        save("DVR", SEPARATOR.join([info, index[:len(index) // 2 + 5]] + [m[:3000] for m in media_bytes]), "torn-index")
        save("DVR", SEPARATOR.join([info, index] + [m[:2000] + b"\xff" * 64 for m in media_bytes]), "corrupt-tail")
        save("DVR", SEPARATOR.join([info, b""] + [m[:4000] for m in media_bytes]), "no-index")


def static_seeds():
    topologies = os.path.join(ROOT, "deploy", "topologies")
    for directory, _, names in os.walk(topologies):
        for name in names:
            if name.endswith(".ini"):
                data = open(os.path.join(directory, name), "rb").read()
                save("HostINI", data, os.path.relpath(os.path.join(directory, name), topologies).replace("/", "-"))
    token = "authorization: Bearer fuzz-token\n"
    requests = [
        "GET /api/v1/health\n\n", "GET /api/v1/node\n%s\n" % token, "GET /api/v1/streams\n%s\n" % token,
        "GET /api/v1/streams/cam%%201\n%s\n" % token, "GET /api/v1/clients\n%s\n" % token,
        "DELETE /api/v1/clients/c1\n%s\n" % token, "GET /api/v1/dvr\n%s\n" % token,
        "POST /api/v1/dvr/cam%%201/start\n%scontent-type: application/json\n\n{}" % token,
        "POST /api/v1/dvr/cam%%201/stop\n%s\n" % token, "GET /api/v1/sources\n%s\n" % token,
        'POST /api/v1/exports\n%scontent-type: application/json\n\n{"output": "best.f4v", "items": ['
        '{"source": "dvr", "name": "cam 1", "start": 10, "end": "2027-01-15T08:00:00Z"},'
        '{"source": "clip", "name": "intro.mp4", "start": 0, "end": 2.5}]}' % token,
        "GET /api/v1/exports\n%s\n" % token, "GET /api/v1/exports/1\n%s\n" % token,
        "DELETE /api/v1/exports/1\n%s\n" % token, "GET /api/v1/outputs\n%s\n" % token,
        "GET /api/v1/topology\n%s\n" % token, "POST /api/v1/topology/reload\n%s\n" % token,
        "GET /api/v1/children\n%s\n" % token, "GET /metrics\n%s\n" % token, "PUT /api/v1/node\n\n",
    ]
    for number, request in enumerate(requests):
        save("AdminAPI", request.encode(), "request-%02d" % number)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--relay", default=os.path.join(ROOT, ".build", "debug"),
                        help="directory holding lsc-relay and lsc-control")
    arguments = parser.parse_args()
    work = tempfile.mkdtemp(prefix="lsc-fuzz-seeds-")
    try:
        shutil.rmtree(CORPUS, ignore_errors=True)
        files = make_media(work)
        seed_files(files)
        source = next(f for f in files if f.endswith("main.flv"))
        nginx_sessions(source, work)
        if os.path.exists(os.path.join(arguments.relay, "lsc-relay")):
            relay_sessions(arguments.relay, source, work)
        else:
            print("no lsc-relay in %s: relay sessions, DVR and control-link seeds skipped" % arguments.relay)
        static_seeds()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = 0
    for target in sorted(os.listdir(CORPUS)):
        names = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, n)) for n in names)
        total += size
        print("%-18s %4d seeds %8d bytes" % (target, len(names), size))
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
