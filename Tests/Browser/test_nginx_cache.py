"""A real nginx with proxy_cache in front of an edge: many LL-HLS clients, about one edge request per part."""
import re
import shutil
import threading
import time
import urllib.parse

import pytest

import lsc_harness as h

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format edge '$upstream_addr $upstream_cache_status $request_uri';
    access_log {dir}/access.log edge;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    proxy_cache_path {dir}/cache levels=1:2 keys_zone=lsc_hls:8m max_size=256m inactive=2m use_temp_path=off;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{edge};
            proxy_http_version 1.1;
            proxy_cache lsc_hls;
            proxy_cache_key $uri$is_args$args;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 10s;
            proxy_cache_lock_age 10s;
            proxy_read_timeout 15s;
        }}
    }}
}}
"""


def client(base: str, until: float, counts: dict, lock: threading.Lock):
    """An LL-HLS client: blocking reload of the next part, then that part."""
    msn, part = None, None
    while time.monotonic() < until:
        query = f"?_HLS_msn={msn}&_HLS_part={part}" if msn is not None else ""
        status, _, body = h.http_get(f"{base}/index.m3u8{query}", timeout=15)
        if status != 200:
            time.sleep(0.2)
            msn = part = None
            continue
        text = body.decode()
        hint = re.search(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p(\d+)\.m4s"', text)
        last_msn = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1)) + text.count("#EXTINF")
        parts_in_open = text.rsplit("#EXTINF", 1)[-1].count("#EXT-X-PART:")
        status, _, _ = h.http_get(f"{base}/p{hint.group(1)}.m4s", timeout=15)
        with lock:
            counts["parts"] += 1
            counts["ok"] += status == 200
        msn, part = last_msn, parts_in_open + 1 if parts_in_open else 1


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is installed by scripts/install-deps.sh")
def test_nginx_cache_in_front_of_an_edge_takes_the_load(cluster):
    origin = cluster.node("origin")
    cluster.publish(origin.rtmp_url(), seconds=120)
    h.wait_until("origin publishing", lambda: h.http_get(origin.http_url("/livestreamcast_origin/livestream/index.m3u8"))[0] == 200, timeout=30)
    edge = cluster.node("edge", role="edge", host_ini=[origin.upstream_line("origins")])
    h.wait_until("the edge knows the stream", lambda: "livestream" in h.http_get(edge.api_url("/api/v1/topology"))[2].decode(), timeout=20)
    h.wait_until("edge HLS", lambda: h.http_get(edge.http_url("/livestreamcast_edge/livestream/index.m3u8"))[0] == 200, timeout=30)

    directory = cluster.directory / "nginx"
    directory.mkdir()
    directory.chmod(0o777)
    port = h.free_port()
    (directory / "nginx.conf").write_text(NGINX_CONF.format(dir=directory, port=port, edge=edge.http_port))
    cluster.processes.start("nginx", [shutil.which("nginx"), "-p", str(directory), "-c", str(directory / "nginx.conf"),
                                      "-g", "user root;"])
    h.wait_until("nginx listening", lambda: h.is_listening(port), timeout=10)

    base = f"http://127.0.0.1:{port}/livestreamcast_edge/livestream"
    counts = {"parts": 0, "ok": 0}
    lock = threading.Lock()
    until = time.monotonic() + 8
    threads = [threading.Thread(target=client, args=(base, until, counts, lock)) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    upstream_parts: dict[str, int] = {}
    for line in (directory / "access.log").read_text().splitlines():
        address, _, uri = line.split(" ", 2)
        path = urllib.parse.urlsplit(uri).path
        if address != "-" and re.search(r"/p\d+\.m4s$", path):
            upstream_parts[path] = upstream_parts.get(path, 0) + 1
    edge_requests = sum(upstream_parts.values())
    print(f"clients fetched {counts['parts']} parts ({counts['ok']} ok); the edge served {edge_requests} part requests "
          f"for {len(upstream_parts)} distinct parts")
    assert counts["ok"] >= 24 * 8, counts
    assert len(upstream_parts) >= 10
    assert edge_requests <= len(upstream_parts) * 1.25, upstream_parts
