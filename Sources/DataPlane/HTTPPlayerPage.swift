import Foundation

/// The player page of a stream (`GET /A/S`) and its two static files: plain HTML, one
/// stylesheet, one ES module, no inline script or style (so the strict CSP holds) and no library
/// fetched from anywhere. Live plays native HLS where `canPlayType` says so, else the progressive
/// fMP4 stream; "Rewind" plays the DVR playlist (natively, or through a small MSE loader).
enum HTTPPlayerPage {
    struct Asset {
        var contentType: String
        var text: String
    }

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; media-src 'self' blob:; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"

    static func asset(_ name: String) -> Asset? {
        switch name {
        case "player.js": return Asset(contentType: "text/javascript; charset=utf-8", text: script)
        case "player.css": return Asset(contentType: "text/css; charset=utf-8", text: style)
        default: return nil
        }
    }

    /// `signedQuery`: the page's own `expires=…&token=…` (with `--play-secret-file`), put on its links.
    static func html(app: String, stream: String, signedQuery: String = "") -> String {
        let app = escape(app)
        let stream = escape(stream)
        let suffix = signedQuery.isEmpty ? "" : "?" + escape(signedQuery)
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(stream) · LiveStreamCast</title>
        <link rel="stylesheet" href="/player/player.css">
        <script type="module" src="/player/player.js"></script>
        </head>
        <body>
        <main id="player" data-app="\(app)" data-stream="\(stream)">
        <h1>\(stream)</h1>
        <video id="video" controls autoplay muted playsinline></video>
        <div class="bar">
        <button id="live" type="button" aria-pressed="true">Live</button>
        <button id="rewind" type="button" aria-pressed="false">Rewind (DVR)</button>
        <span id="status" role="status">starting…</span>
        </div>
        <ul class="links">
        <li><a href="/\(app)/\(stream)/index.m3u8\(suffix)">LL-HLS</a></li>
        <li><a href="/\(app)/\(stream).mp4\(suffix)">fMP4</a></li>
        <li><a href="/\(app)/\(stream).flv\(suffix)">HTTP-FLV</a></li>
        <li><a href="/\(app)/\(stream)/dvr.m3u8\(suffix)">DVR</a></li>
        </ul>
        </main>
        </body>
        </html>

        """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
        main { max-width: 960px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.1rem; font-weight: 600; }
        video { width: 100%; background: #000; aspect-ratio: 16 / 9; }
        .bar { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }
        button { background: #333; color: #eee; border: 1px solid #555; padding: .3rem .8rem; border-radius: 4px; cursor: pointer; }
        button[aria-pressed="true"] { background: #2a6; border-color: #2a6; }
        #status { color: #aaa; font-size: .9rem; }
        .links { display: flex; gap: 1rem; list-style: none; padding: 0; font-size: .85rem; }
        a { color: #8cf; }

        """

    static let script = """
        // LiveStreamCast player: live (native HLS or progressive fMP4) and DVR rewind (native HLS or MSE).
        const root = document.getElementById('player');
        const video = document.getElementById('video');
        const status = document.getElementById('status');
        const base = `/${encodeURIComponent(root.dataset.app)}/${encodeURIComponent(root.dataset.stream)}`;
        // A signed page URL (`?expires=…&token=…`, --play-secret-file) signs its media URLs too.
        const pageQuery = new URLSearchParams(location.search);
        const signed = pageQuery.has('token') ? new URLSearchParams({ expires: pageQuery.get('expires') ?? '', token: pageQuery.get('token') }) : null;
        function withQuery(url, extra) {
          const parameters = new URLSearchParams(extra ?? '');
          if (signed) for (const [name, value] of signed) parameters.set(name, value);
          const text = parameters.toString();
          return text ? `${url}?${text}` : url;
        }
        const urls = { hls: withQuery(`${base}/index.m3u8`), dvr: `${base}/dvr.m3u8` };
        // `?mode=mp4` forces the fMP4 stream (and MSE for rewind), `?mode=hls` native HLS.
        const forced = pageQuery.get('mode');
        const nativeHLS = forced ? forced === 'hls' : video.canPlayType('application/vnd.apple.mpegurl') !== '';
        const state = { mode: 'live', source: '', nativeHLS, mse: typeof MediaSource !== 'undefined', loader: null };
        window.lscPlayer = state;

        function show(text) { status.textContent = text; }

        function press(mode) {
          document.getElementById('live').setAttribute('aria-pressed', String(mode === 'live'));
          document.getElementById('rewind').setAttribute('aria-pressed', String(mode === 'dvr'));
        }

        function stopLoader() {
          if (state.loader) { state.loader.stopped = true; state.loader = null; }
        }

        export function playLive() {
          stopLoader();
          state.mode = 'live';
          state.source = nativeHLS ? urls.hls : withQuery(`${base}.mp4`, { t: Date.now() });
          video.src = state.source;
          press('live');
          show(nativeHLS ? 'live (HLS)' : 'live (fMP4)');
          video.play().catch(() => {});
        }

        export async function playDVR(startSeconds) {
          stopLoader();
          state.mode = 'dvr';
          press('dvr');
          const dvrURL = withQuery(urls.dvr, startSeconds === undefined ? undefined : { start: startSeconds });
          // Chromium's native HLS takes an EVENT playlist without ENDLIST for live (not seekable):
          // rewind goes through MSE wherever it exists, native HLS elsewhere.
          if (!state.mse) {
            state.source = dvrURL;
            video.src = state.source;
            show('rewind (HLS)');
            video.play().catch(() => {});
            return;
          }
          state.source = 'mse:' + urls.dvr;
          show('rewind (MSE)');
          await loadDVR(startSeconds);
        }

        function codecsOf(init) {
          const bytes = new Uint8Array(init);
          const find = (a, b, c, d) => {
            for (let i = 4; i + 4 < bytes.length; i++) {
              if (bytes[i] === a && bytes[i + 1] === b && bytes[i + 2] === c && bytes[i + 3] === d) return i;
            }
            return -1;
          };
          const codecs = [];
          const avcC = find(0x61, 0x76, 0x63, 0x43);
          if (avcC > 0) {
            const hex = (n) => n.toString(16).padStart(2, '0');
            codecs.push(`avc1.${hex(bytes[avcC + 5])}${hex(bytes[avcC + 6])}${hex(bytes[avcC + 7])}`);
          }
          if (find(0x6d, 0x70, 0x34, 0x61) > 0) codecs.push('mp4a.40.2');
          return `video/mp4; codecs="${codecs.join(',')}"`;
        }

        function parsePlaylist(text, url) {
          const lines = text.split('\\n');
          const segments = [];
          let init = null;
          let start = 0;
          let time = 0;
          let ended = false;
          for (let i = 0; i < lines.length; i++) {
            const line = lines[i].trim();
            if (line.startsWith('#EXT-X-MAP:')) init = new URL(/URI="([^"]+)"/.exec(line)[1], url).href;
            else if (line.startsWith('#EXT-X-START:')) start = parseFloat(/TIME-OFFSET=([0-9.]+)/.exec(line)[1]);
            else if (line.startsWith('#EXT-X-ENDLIST')) ended = true;
            else if (line.startsWith('#EXTINF:')) {
              const duration = parseFloat(line.slice(8));
              const uri = new URL(lines[++i].trim(), url).href;
              segments.push({ uri, start: time, duration });
              time += duration;
            }
          }
          return { init, segments, start, ended };
        }

        async function fetchBytes(url) {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`${url}: ${response.status}`);
          return response.arrayBuffer();
        }

        function appendTo(buffer, bytes) {
          return new Promise((resolve, reject) => {
            buffer.addEventListener('updateend', resolve, { once: true });
            buffer.addEventListener('error', reject, { once: true });
            buffer.appendBuffer(bytes);
          });
        }

        async function loadDVR(startSeconds) {
          const loader = { stopped: false };
          state.loader = loader;
          const playlistURL = new URL(withQuery(urls.dvr, startSeconds === undefined ? undefined : { start: startSeconds }), location.href).href;
          let playlist = parsePlaylist(await (await fetch(playlistURL)).text(), playlistURL);
          if (!playlist.init || playlist.segments.length === 0) { show('no recording'); return; }
          const source = new MediaSource();
          video.src = URL.createObjectURL(source);
          await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
          const init = await fetchBytes(playlist.init);
          const buffer = source.addSourceBuffer(codecsOf(init));
          await appendTo(buffer, init);
          let next = 0;
          const first = playlist.segments[0].start;
          // Segments carry recording time; skip straight to the one holding the start offset.
          while (next + 1 < playlist.segments.length && playlist.segments[next + 1].start - first <= playlist.start) next++;
          let seeked = false;
          while (!loader.stopped) {
            if (next < playlist.segments.length) {
              const segment = playlist.segments[next++];
              await appendTo(buffer, await fetchBytes(segment.uri));
              if (!seeked && buffer.buffered.length > 0) {
                seeked = true;
                const origin = buffer.buffered.start(0);
                video.currentTime = origin + Math.max(0, playlist.start - (segment.start - first));
                video.play().catch(() => {});
              }
              if (video.currentTime - 30 > 0 && buffer.buffered.length > 0 && buffer.buffered.start(0) < video.currentTime - 30) {
                await new Promise((resolve) => { buffer.addEventListener('updateend', resolve, { once: true }); buffer.remove(0, video.currentTime - 30); });
              }
            } else if (playlist.ended) {
              if (source.readyState === 'open') source.endOfStream();
              return;
            } else {
              await new Promise((resolve) => setTimeout(resolve, 1000));
              const count = playlist.segments.length;
              playlist = parsePlaylist(await (await fetch(playlistURL)).text(), playlistURL);
              next = Math.min(next, count);
            }
          }
        }

        document.getElementById('live').addEventListener('click', () => playLive());
        document.getElementById('rewind').addEventListener('click', () => playDVR());
        video.addEventListener('error', () => {
          if (state.mode !== 'live') return;
          show('reconnecting…');
          setTimeout(playLive, 1000);
        });
        video.addEventListener('ended', () => { if (state.mode === 'live') setTimeout(playLive, 500); });
        window.lscPlayLive = playLive;
        window.lscPlayDVR = playDVR;
        playLive();

        """
}
