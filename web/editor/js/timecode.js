// Time display and typed times: pure functions, tested by Tests/Web with node --test.

/** Formats seconds as H:MM:SS.mmm (hours only when needed); "--:--.---" for no time. */
export function formatTime(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '--:--.---';
  const sign = seconds < 0 ? '-' : '';
  const totalMs = Math.round(Math.abs(seconds) * 1000);
  const ms = totalMs % 1000;
  const totalSeconds = (totalMs - ms) / 1000;
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  const mmm = String(ms).padStart(3, '0');
  return h > 0 ? `${sign}${h}:${mm}:${ss}.${mmm}` : `${sign}${mm}:${ss}.${mmm}`;
}

/** The frame shown at `seconds` at `fps` frames per second (frame 0 starts at 0 s). */
export function frameAt(seconds, fps) {
  if (!(fps > 0) || !Number.isFinite(seconds)) return null;
  // A tiny epsilon: 0.04 * 25 is 0.9999999 in binary floating point.
  return Math.floor(seconds * fps + 1e-6);
}

/** The start time of frame `frame` (what a frame step seeks to, nudged into the frame). */
export function timeOfFrame(frame, fps) {
  return (frame + 0.5) / fps;
}

/** Wall-clock time (local, to the ms) of a recording time, given the recording's start. */
export function formatWallClock(startedAt, seconds) {
  const start = startedAt instanceof Date ? startedAt.getTime() : Date.parse(startedAt);
  if (!Number.isFinite(start) || !Number.isFinite(seconds)) return '';
  const d = new Date(start + Math.round(seconds * 1000));
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * Parses a typed in/out point into seconds from the start of the source.
 *   "83.5", "1:23.5", "0:01:23.500"        seconds from the start
 *   "2026-12-02T18:04:05.250Z" (RFC 3339)  a wall-clock time (DVR sources only)
 *   "@18:04:05.250", "@18:04"               a local wall-clock time on the day the recording started
 * Returns {seconds} or {error}; `startedAt` (a Date or RFC 3339 string) is needed for wall-clock times.
 */
export function parseTime(text, startedAt) {
  const input = String(text ?? '').trim();
  if (input === '') return { error: 'empty time' };
  if (input.startsWith('@') || /^\d{4}-\d{2}-\d{2}T/.test(input)) {
    const start = startedAt instanceof Date ? startedAt.getTime() : Date.parse(startedAt ?? '');
    if (!Number.isFinite(start)) return { error: 'wall-clock times need a DVR source' };
    let wall;
    if (input.startsWith('@')) {
      // Wall-clock "@hh:mm" is hours and minutes, as a clock reads.
      const clockText = input.slice(1).split(':').length === 2 ? `${input.slice(1)}:00` : input.slice(1);
      const clock = parseClock(clockText);
      if (clock === null) return { error: `not a wall-clock time: ${input} (use @hh:mm:ss.mmm)` };
      const day = new Date(start);
      day.setHours(0, 0, 0, 0);
      wall = day.getTime() + clock * 1000;
      // Past midnight since the recording started: the clock time is on the next day.
      if (wall < start - 12 * 3600 * 1000) wall += 24 * 3600 * 1000;
    } else {
      wall = Date.parse(input);
      if (!Number.isFinite(wall)) return { error: `not an RFC 3339 time: ${input}` };
    }
    const seconds = (wall - start) / 1000;
    if (seconds < 0) return { error: `${input} is before the recording started` };
    return { seconds: Math.round(seconds * 1000) / 1000 };
  }
  const clock = parseClock(input);
  if (clock === null) return { error: `not a time: ${input} (seconds, m:ss.mmm or h:mm:ss.mmm)` };
  return { seconds: clock };
}

/** "83.5" | "1:23.5" | "1:02:03.5" -> seconds, or null. Minutes and seconds after a colon are < 60. */
function parseClock(text) {
  const parts = text.split(':');
  if (parts.length > 3) return null;
  if (!parts.every((p, i) => (i === parts.length - 1 ? /^\d+(\.\d+)?$/ : /^\d+$/).test(p))) return null;
  const numbers = parts.map(Number);
  for (let i = 1; i < numbers.length; i++) if (numbers[i] >= 60) return null;
  const seconds = numbers.reduce((total, n) => total * 60 + n, 0);
  return Math.round(seconds * 1000) / 1000;
}
