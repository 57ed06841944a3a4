// A small HLS (fMP4) player on Media Source Extensions (used wherever MSE exists, native HLS only
// where it does not): fetches the media playlist, its init segment and the segments
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
  constructor(video, url, { onError, start = null } = {}) {
    this.video = video;
    this.startAt = start;
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
    this.updateRange();
  }

  /** A finished playlist has a duration; a growing one is live, seekable over the whole DVR window. */
  updateRange() {
    const last = this.playlist.segments.at(-1);
    if (!last || this.mediaSource.readyState !== 'open' || this.buffer?.updating) return;
    const end = last.start + last.duration;
    if (this.playlist.ended) {
      this.mediaSource.duration = end;
    } else {
      // The init segment may declare duration 0, which would clamp every seek to 0.
      if (this.mediaSource.duration !== Infinity) this.mediaSource.duration = Infinity;
      this.mediaSource.setLiveSeekableRange(this.playlist.segments[0].start, end);
    }
  }

  async start() {
    await this.reload();
    if (!this.playlist.initURL) throw new Error('the playlist has no fMP4 init segment');
    const init = await this.fetchBytes(this.playlist.initURL);
    const type = `video/mp4; codecs="${codecsOfInit(init) || 'avc1.42e01e'}"`;
    const buffer = this.mediaSource.addSourceBuffer(type);
    buffer.mode = 'segments';
    await this.append(init, buffer);
    // Media segments only after the init segment (seeking events may call pump() meanwhile).
    this.buffer = buffer;
    this.updateRange();
    if (this.startAt !== null) {
      // A seek before the element has metadata is lost: wait for it (the init segment gives it).
      if (this.video.readyState < 1) await new Promise((r) => this.video.addEventListener('loadedmetadata', r, { once: true }));
      this.video.currentTime = this.startAt;
    }
    this.pump();
    this.poll();
  }

  append(bytes, buffer = this.buffer) {
    return new Promise((resolve, reject) => {
      buffer.addEventListener('updateend', resolve, { once: true });
      buffer.addEventListener('error', reject, { once: true });
      buffer.appendBuffer(bytes);
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
