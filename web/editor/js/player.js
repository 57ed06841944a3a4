// The player: one <video> for the selected source (DVR playlist with its live edge, a clip, an
// export), the time display to the ms with the frame number, frame step, J/K/L shuttle, and the
// edit-list preview (item after item).
import { formatTime, frameAt, formatWallClock } from './timecode.js';
import { isPlaylist } from './media.js';
import { HLSSession } from './hls.js';

export class Player {
  constructor(elements) {
    this.el = elements;
    this.video = elements.video;
    this.source = null;
    this.session = null;
    this.shuttle = null;
    this.preview = null;
    this.fps = 25;
    this.listeners = new Set();
    this.video.addEventListener('error', () => this.show(`cannot play: ${this.video.error?.message || 'media error'}`));
    for (const event of ['play', 'pause', 'seeked', 'loadedmetadata', 'timeupdate']) {
      this.video.addEventListener(event, () => this.render());
    }
    this.video.addEventListener('timeupdate', () => this.checkPreview());
    const tick = () => { this.render(); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  }

  /** Called with the current time whenever it changes. */
  onTime(listener) { this.listeners.add(listener); }

  get currentTime() { return this.video.currentTime; }

  /** Plays `source` ({kind, name, url, fps, startedAt, live, duration}) from `at` seconds. */
  load(source, { at = null, autoplay = false } = {}) {
    this.stopShuttle();
    this.session?.close();
    this.session = null;
    this.source = source;
    this.fps = source.fps > 0 ? source.fps : 25;
    this.show(null);
    this.el.nowPlaying.textContent = `${source.kind === 'dvr' ? 'DVR' : source.kind === 'clip' ? 'Clip' : 'Output'}: ${source.name}`;
    this.el.live.hidden = !source.live;
    if (!source.url) {
      this.video.removeAttribute('src');
      this.video.load();
      this.show('The data plane serves no HTTP media (start lsc-relay with --http).');
      return;
    }
    // Playlists go through our MSE loader wherever MSE exists (we control seeking and the live
    // edge); native HLS only where it does not (iOS Safari).
    if (isPlaylist(source.url) && 'MediaSource' in window) {
      this.session = new HLSSession(this.video, source.url, { start: at, onError: (e) => this.show(`cannot play: ${e.message}`) });
    } else {
      this.video.src = source.url;
      if (at !== null) this.video.addEventListener('loadedmetadata', () => { this.video.currentTime = at; }, { once: true });
    }
    if (autoplay) this.video.addEventListener('loadedmetadata', () => this.play(), { once: true });
  }

  show(message) {
    this.el.message.hidden = !message;
    this.el.message.textContent = message ?? '';
  }

  play() { this.stopShuttle(); this.video.playbackRate = 1; this.video.play().catch(() => {}); }
  pause() { this.stopShuttle(); this.video.pause(); }
  toggle() { if (this.video.paused || this.shuttle) this.play(); else this.pause(); }

  seek(seconds) {
    const end = this.edge();
    this.video.currentTime = Math.max(0, Number.isFinite(end) ? Math.min(seconds, end) : seconds);
  }

  /** Steps `frames` frames (negative: back), paused. */
  step(frames) {
    this.pause();
    const frame = frameAt(this.video.currentTime, this.fps) ?? 0;
    this.seek(Math.max(0, (frame + frames + 0.5) / this.fps));
  }

  /** L: forward, faster on each press (1x, 2x, 4x); J: backward likewise (by seeking); K: pause. */
  forward() {
    if (this.shuttle) this.stopShuttle();
    if (this.video.paused) { this.play(); return; }
    this.video.playbackRate = Math.min(4, this.video.playbackRate * 2);
  }

  backward() {
    const speed = this.shuttle ? Math.min(8, this.shuttle.speed * 2) : 1;
    this.stopShuttle();
    this.video.pause();
    const timer = setInterval(() => {
      if (this.video.currentTime <= 0) { this.stopShuttle(); return; }
      this.seek(this.video.currentTime - speed * 0.25);
    }, 250);
    this.shuttle = { timer, speed };
  }

  stopShuttle() {
    if (this.shuttle) clearInterval(this.shuttle.timer);
    this.shuttle = null;
  }

  /** The latest playable time: the live edge of a DVR source, else the duration. */
  edge() {
    if (this.session) return this.session.edge;
    const d = this.video.duration;
    if (Number.isFinite(d)) return d;
    const ranges = this.video.seekable;
    return ranges.length ? ranges.end(ranges.length - 1) : NaN;
  }

  goLive() { const edge = this.edge(); if (Number.isFinite(edge)) { this.seek(Math.max(0, edge - 1)); this.play(); } }

  render() {
    const t = this.video.currentTime;
    const text = this.source ? formatTime(t) : '--:--.---';
    if (this.el.timecode.textContent !== text) {
      this.el.timecode.textContent = text;
      const frame = this.source ? frameAt(t, this.fps) : null;
      this.el.frame.textContent = frame === null ? 'frame –' : `frame ${frame} @ ${this.fps} fps`;
      this.el.wallclock.textContent = this.source?.startedAt ? formatWallClock(this.source.startedAt, t) : '';
      for (const listener of this.listeners) listener(t);
    }
    this.el.play.textContent = this.video.paused ? '▶︎' : '❚❚';
  }

  /** Plays each item from its in- to its out-point, one after the other; `onItem(index)` as each starts. */
  playList(entries, onItem) {
    this.preview = { entries, index: -1, onItem };
    this.nextPreviewItem();
  }

  nextPreviewItem() {
    const preview = this.preview;
    if (!preview) return;
    preview.index += 1;
    const entry = preview.entries[preview.index];
    preview.onItem(entry ? preview.index : -1);
    if (!entry) { this.preview = null; this.pause(); return; }
    if (this.source?.url === entry.source.url) {
      this.seek(entry.start);
      this.play();
    } else {
      this.load(entry.source, { at: entry.start, autoplay: true });
    }
  }

  checkPreview() {
    const entry = this.preview?.entries[this.preview.index];
    if (entry && this.video.currentTime >= entry.end) this.nextPreviewItem();
  }

  stopPreview() { if (this.preview) { this.preview.onItem(-1); this.preview = null; } }
}
