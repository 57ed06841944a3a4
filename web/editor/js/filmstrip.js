// The filmstrip: thumbnails along the source (a DVR recording's whole window) drawn in the
// browser from a hidden second <video> (no server decoding), with the in/out marks and the
// playhead on top; a click seeks the player.
import { isPlaylist } from './media.js';
import { HLSSession } from './hls.js';

/** Times (seconds) of `count` thumbnails evenly over [0, span], each at the middle of its cell. */
export function thumbnailTimes(span, count) {
  if (!(span > 0) || !(count > 0)) return [];
  return Array.from({ length: count }, (_, i) => ((i + 0.5) * span) / count);
}

export class Filmstrip {
  constructor(canvas, player) {
    this.canvas = canvas;
    this.player = player;
    this.thumbs = [];
    this.span = 0;
    this.marks = { in: NaN, out: NaN };
    this.generation = 0;
    canvas.addEventListener('click', (event) => {
      if (!(this.span > 0)) return;
      const rect = canvas.getBoundingClientRect();
      this.player.seek(((event.clientX - rect.left) / rect.width) * this.span);
    });
    new ResizeObserver(() => this.draw()).observe(canvas);
    player.onTime(() => this.draw());
  }

  setMarks(inPoint, outPoint) { this.marks = { in: inPoint, out: outPoint }; this.draw(); }

  /** Rebuilds the thumbnails of `source` over [0, span]. */
  async build(source, span) {
    const generation = ++this.generation;
    this.span = span;
    this.thumbs = [];
    this.draw();
    if (!source?.url || !(span > 0)) return;
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    let session = null;
    try {
      if (isPlaylist(source.url) && 'MediaSource' in window) {
        session = new HLSSession(video, source.url, { onError: () => {} });
      } else {
        video.src = source.url;
      }
      await once(video, 'loadeddata', 8000);
      const count = Math.max(1, Math.floor(this.canvas.clientWidth / (this.canvas.height * 16 / 9)));
      for (const time of thumbnailTimes(span, count)) {
        if (generation !== this.generation) return;
        video.currentTime = time;
        await once(video, 'seeked', 4000);
        // readyState 2 (HAVE_CURRENT_DATA): the frame at the new time can be drawn.
        if (video.readyState < 2) await once(video, 'loadeddata', 4000).catch(() => {});
        const thumb = document.createElement('canvas');
        thumb.width = 128; thumb.height = 72;
        thumb.getContext('2d').drawImage(video, 0, 0, thumb.width, thumb.height);
        this.thumbs.push({ time, image: thumb });
        this.draw();
      }
    } catch {
      // Thumbnails are a help, not a requirement: the strip stays a plain timeline.
    } finally {
      session?.close();
      video.removeAttribute('src');
      video.load();
    }
  }

  draw() {
    const canvas = this.canvas;
    const width = canvas.clientWidth;
    if (canvas.width !== width) canvas.width = width;
    const ctx = canvas.getContext('2d');
    const h = canvas.height;
    ctx.fillStyle = '#0c0d0f';
    ctx.fillRect(0, 0, width, h);
    if (!(this.span > 0)) return;
    const x = (t) => (t / this.span) * width;
    const cell = this.thumbs.length ? width / Math.max(this.thumbs.length, Math.floor(width / (h * 16 / 9))) : 0;
    this.thumbs.forEach((thumb, i) => ctx.drawImage(thumb.image, i * cell, 0, cell - 1, h));
    const { in: a, out: b } = this.marks;
    if (Number.isFinite(a) || Number.isFinite(b)) {
      ctx.fillStyle = 'rgba(61,139,253,0.35)';
      const from = Number.isFinite(a) ? x(a) : 0;
      const to = Number.isFinite(b) ? x(Math.min(b, this.span)) : width;
      ctx.fillRect(from, 0, Math.max(1, to - from), h);
    }
    ctx.fillStyle = '#fff';
    ctx.fillRect(Math.round(x(this.player.currentTime)), 0, 2, h);
  }
}

function once(target, event, timeout) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { target.removeEventListener(event, done); reject(new Error(`${event} timed out`)); }, timeout);
    function done() { clearTimeout(timer); resolve(); }
    target.addEventListener(event, done, { once: true });
  });
}
