#!/usr/bin/env bash
# Installs the Debian packages LiveStreamCast builds and tests with, only if some are missing.
# Needs root (or sudo) the first time; a no-op once everything is there.
set -euo pipefail
packages=(libmicrohttpd-dev pkg-config ffmpeg fonts-dejavu-core rtmpdump curl wrk hyperfine nginx libnginx-mod-rtmp iproute2 procps python3-pip passwd util-linux openssl ca-certificates mount
  chromium chromium-driver  # the browser tests (selenium)
  nodejs  # node --test for the editor page's logic (Tests/Web)
  # Real clients the interop live tests play with (VLC runs as a non-root user the tests create).
  vlc-bin vlc-plugin-base gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Don't let the distribution's nginx service grab port 80/1935 behind our back; benchmarks start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
# Browser tests (Tests/Browser): pytest driving Debian's chromium through selenium.
if ! python3 -c 'import pytest, selenium' >/dev/null 2>&1; then
  echo "install-deps: pip install pytest selenium"
  python3 -m pip install -q pytest selenium 2>/dev/null || python3 -m pip install -q --break-system-packages pytest selenium
fi
# A current ffmpeg (9, static, with libx265, SVT-AV1, libopus and Enhanced RTMP) for the E-RTMP
# live tests: the imageio-ffmpeg wheel carries it; Debian's ffmpeg 5.1 stays the legacy client.
if ! python3 -c 'import imageio_ffmpeg' >/dev/null 2>&1; then
  echo "install-deps: pip install imageio-ffmpeg"
  python3 -m pip install -q imageio-ffmpeg 2>/dev/null || python3 -m pip install -q --break-system-packages imageio-ffmpeg
fi
