// Where the player finds media: the data plane's HTTP delivery (lsc-relay --http), whose address
// GET /api/v1/node lists. Pure functions.

/**
 * The data plane's HTTP base URL ("http://host:port") from GET /api/v1/node, or null when it
 * serves no HTTP. A wildcard host (0.0.0.0, ::) is replaced by the host the page was loaded from.
 */
export function mediaBase(node, pageHostname) {
  const address = node?.mediaListen;
  if (typeof address !== 'string' || address === '') return null;
  if (/^https?:\/\//.test(address)) return address.replace(/\/+$/, '');
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
  if (!match) return null;
  let host = match[1];
  if (host === '0.0.0.0' || host === '[::]' || host === '::') host = pageHostname.includes(':') ? `[${pageHostname}]` : pageHostname;
  return `http://${host}:${match[2]}`;
}

/** The URL that plays a source: a DVR recording's EVENT playlist, a clip or an export file. */
export function mediaURL(base, app, source) {
  const enc = encodeURIComponent;
  switch (source.kind) {
    case 'dvr': return `${base}/${enc(app)}/${enc(source.name)}/dvr.m3u8`;
    case 'clip': return `${base}/vod/sources/${enc(source.name)}`;
    case 'output': return `${base}/vod/exports/${enc(source.name)}`;
    default: throw new Error(`unknown source kind ${source.kind}`);
  }
}

/** True when the URL is an HLS playlist (played through MSE where the browser has no native HLS). */
export function isPlaylist(url) {
  return /\.m3u8(\?|$)/.test(url);
}

/**
 * Parses a media playlist: {initURL, segments: [{url, duration, start}], ended}. URLs are
 * resolved against the playlist's URL.
 */
export function parseMediaPlaylist(text, playlistURL) {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an M3U8 playlist');
  const segments = [];
  let initURL = null;
  let duration = null;
  let start = 0;
  let ended = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]+)"/.exec(line);
      if (uri) initURL = new URL(uri[1], playlistURL).href;
    } else if (line.startsWith('#EXTINF:')) {
      duration = parseFloat(line.slice(8));
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (line !== '' && !line.startsWith('#')) {
      const d = Number.isFinite(duration) ? duration : 0;
      segments.push({ url: new URL(line, playlistURL).href, duration: d, start });
      start += d;
      duration = null;
    }
  }
  return { initURL, segments, ended };
}
