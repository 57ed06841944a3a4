// A small HLS (fMP4) player on Media Source Extensions for browsers without native HLS
// (desktop Chromium, Firefox): fetches the media playlist, its init segment and the segments
// around the playhead, and re-reads the playlist while it is live (an EVENT playlist grows).
import { parseMediaPlaylist } from './media.js';

/** The codecs of an fMP4 init segment, as MSE wants them ("avc1.64001f,mp4a.40.2"). */
export function codecsOfInit(bytes) {
  const find = (a, b, c, d, from = 0) => {
    for (let i = from; i + 3 < bytes.length; i++) if (bytes[i] === a && bytes[i + 1] === b && bytes[i + 2] === c && bytes[i + 3] === d) return i;
    return -1;
  };
  const codecs = [];
  const avcC = find(0x61, 0x76, 0x63, 0x43);
  if (avcC >= 0) {
    const hex = (n) => n.toString(16).padStart(2, '0');
    codecs.push(`avc1.${hex(bytes[avcC + 5])}${hex(bytes[avcC + 6])}${hex(bytes[avcC + 7])}`);
  }
  if (find(0x6d, 0x70, 0x34, 0x61) >= 0) codecs.push('mp4a.40.2');
  return codecs.join(',');
}

export class HLSSession {
  constructor(video, url, { onError } = {}) {
    this.video = video;
    this.url = url;
    this.onError = onError ?? (() => {});
    this.closed = false;
    this.appended = new Set();
    this.playlist = null;
    this.mediaSource = new MediaSource();
    this.objectURL = URL.createObjectURL(this.mediaSource);
    video.src = this.objectURL;
    this.mediaSource.addEventListener('sourceopen', () => this.start().catch((e) => this.fail(e)), { once: true });
    this.onSeeking = () => this.pump();
    video.addEventListener('seeking', this.onSeeking);
    video.addEventListener('timeupdate', this.onSeeking);
  }

  fail(error) {
    if (!this.closed) this.onError(error);
  }

  async fetchBytes(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async reload() {
    const response = await fetch(this.url, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${response.status} for ${this.url}`);
    this.playlist = parseMediaPlaylist(await response.text(), this.url);
    const last = this.playlist.segments.at(-1);
    if (this.playlist.ended && last) this.mediaSource.duration = last.start + last.duration;
  }

  async start() {
    await this.reload();
    if (!this.playlist.initURL) throw new Error('the playlist has no fMP4 init segment');
    const init = await this.fetchBytes(this.playlist.initURL);
    const type = `video/mp4; codecs="${codecsOfInit(init) || 'avc1.42e01e'}"`;
    this.buffer = this.mediaSource.addSourceBuffer(type);
    this.buffer.mode = 'segments';
    await this.append(init);
    this.pump();
    this.poll();
  }

  append(bytes) {
    return new Promise((resolve, reject) => {
      this.buffer.addEventListener('updateend', resolve, { once: true });
      this.buffer.addEventListener('error', reject, { once: true });
      this.buffer.appendBuffer(bytes);
    });
  }

  /** Appends, one at a time, the segments from just before the playhead to 30 s ahead. */
  async pump() {
    if (this.pumping || this.closed || !this.buffer || !this.playlist) return;
    this.pumping = true;
    try {
      for (;;) {
        const t = this.video.currentTime;
        const next = this.playlist.segments.find((s) => !this.appended.has(s.url) && s.start + s.duration > t - 1 && s.start < t + 30);
        if (!next || this.closed) break;
        this.appended.add(next.url);
        const bytes = await this.fetchBytes(next.url);
        if (this.closed) break;
        await this.append(bytes);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.pumping = false;
    }
  }

  /** Re-reads a live playlist every 2 s. */
  async poll() {
    while (!this.closed && !this.playlist.ended) {
      await new Promise((r) => setTimeout(r, 2000));
      if (this.closed) return;
      try { await this.reload(); this.pump(); } catch (error) { this.fail(error); }
    }
  }

  /** The latest time in the playlist (the live edge). */
  get edge() {
    const last = this.playlist?.segments.at(-1);
    return last ? last.start + last.duration : 0;
  }

  close() {
    this.closed = true;
    this.video.removeEventListener('seeking', this.onSeeking);
    this.video.removeEventListener('timeupdate', this.onSeeking);
    URL.revokeObjectURL(this.objectURL);
  }
}
