// The edit list: an array of items {id, source: 'dvr'|'clip', name, start, end} (seconds) and
// pure operations on it. The page keeps one per browser in localStorage (see store.js).

/** Duration of one item in seconds (never negative). */
export function itemDuration(item) {
  return Math.max(0, item.end - item.start);
}

/** Running totals: the output time at which each item ends. */
export function runningTotals(items) {
  let total = 0;
  return items.map((item) => (total += itemDuration(item)));
}

/** Total duration of the list. */
export function totalDuration(items) {
  return items.reduce((sum, item) => sum + itemDuration(item), 0);
}

/**
 * Checks an item against its source; null when fine, else the reason.
 * `source`: {duration, live} as the API lists it (live: a DVR recording still being written;
 * its out-point may lie beyond the live edge and the export waits for it).
 */
export function itemProblem(item, source) {
  if (!item || !item.name) return 'select a source first';
  if (!Number.isFinite(item.start)) return 'set an in point';
  if (!Number.isFinite(item.end)) return 'set an out point';
  if (item.start < 0) return 'the in point is before the start';
  if (item.end <= item.start) return 'the out point must be after the in point';
  if (source && Number.isFinite(source.duration) && !source.live && item.end > source.duration + 0.0005) {
    return `the out point is after the end (${source.duration.toFixed(3)} s)`;
  }
  if (source && Number.isFinite(source.availableFrom) && item.start < source.availableFrom) {
    return `the in point is before the oldest recorded media (${source.availableFrom.toFixed(3)} s)`;
  }
  return null;
}

/** True when the item's out-point lies beyond a live recording's current edge. */
export function waitsForLive(item, source) {
  return Boolean(source && source.live && Number.isFinite(source.duration) && item.end > source.duration);
}

/** A new list with `item` appended (a fresh id). */
export function addItem(items, item) {
  const id = items.reduce((max, i) => Math.max(max, i.id), 0) + 1;
  return [...items, { id, source: item.source, name: item.name, start: item.start, end: item.end }];
}

/** A new list with item `id` moved by `delta` places (clamped). */
export function moveItem(items, id, delta) {
  const from = items.findIndex((i) => i.id === id);
  if (from < 0) return items;
  const to = Math.min(items.length - 1, Math.max(0, from + delta));
  if (to === from) return items;
  const copy = items.slice();
  const [moved] = copy.splice(from, 1);
  copy.splice(to, 0, moved);
  return copy;
}

/** A new list with item `id` changed by `changes` ({start, end}). */
export function updateItem(items, id, changes) {
  return items.map((i) => (i.id === id ? { ...i, ...changes } : i));
}

/** A new list without item `id`. */
export function removeItem(items, id) {
  return items.filter((i) => i.id !== id);
}

/** The body of POST /api/v1/exports. Times go as seconds, rounded to the ms. */
export function exportRequest(output, items) {
  const ms = (t) => Math.round(t * 1000) / 1000;
  return { output, items: items.map((i) => ({ source: i.source, name: i.name, start: ms(i.start), end: ms(i.end) })) };
}

/** Parses a stored list, dropping anything malformed (a reload never breaks the page). */
export function parseStoredList(text) {
  let value;
  try { value = JSON.parse(text); } catch { return []; }
  if (!value || value.version !== 1 || !Array.isArray(value.items)) return [];
  return value.items.filter((i) => i && Number.isInteger(i.id) && (i.source === 'dvr' || i.source === 'clip')
    && typeof i.name === 'string' && Number.isFinite(i.start) && Number.isFinite(i.end))
    .map((i) => ({ id: i.id, source: i.source, name: i.name, start: i.start, end: i.end }));
}

/** The stored form of a list. */
export function storedList(items) {
  return JSON.stringify({ version: 1, items });
}
