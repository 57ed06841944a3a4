// The sources panel: live DVR recordings (live badge, growing duration, wall-clock start),
// on-demand clips and exported outputs, as the API lists them; refreshed without reloading.
import { formatTime } from './timecode.js';
import { element } from './dom.js';

export class SourceLists {
  constructor(lists, onSelect) {
    this.lists = lists; // {dvr, clip, output}: <ul> elements
    this.onSelect = onSelect;
    this.data = { dvr: [], clip: [], output: [] };
    this.fetchedAt = 0;
    this.selected = null; // {kind, name}
    for (const [kind, ul] of Object.entries(lists)) {
      ul.addEventListener('click', (event) => {
        const li = event.target.closest('li[data-name]');
        if (li) this.select(kind, li.dataset.name);
      });
    }
    setInterval(() => this.tickDurations(), 500);
  }

  /** `dvr`: GET /api/v1/dvr recordings; `clips`, `outputs`: files. */
  update({ dvr, clips, outputs }) {
    this.data = { dvr, clip: clips, output: outputs };
    this.fetchedAt = performance.now();
    this.render('dvr', dvr.map((r) => ({
      name: r.stream, live: r.live,
      meta: `${r.live ? '' : 'ended · '}started ${new Date(r.startedAt).toLocaleString()}`,
      duration: r.duration,
    })), 'No recordings yet.');
    this.render('clip', clips.map((f) => fileRow(f)), 'No clips in sources/.');
    this.render('output', outputs.map((f) => fileRow(f)), 'No exports yet.');
  }

  /** The listed facts about a source: a recording or a file. */
  find(kind, name) {
    if (kind === 'dvr') return this.data.dvr.find((r) => r.stream === name) ?? null;
    return this.data[kind]?.find((f) => f.name === name) ?? null;
  }

  /** A live recording's duration now: the listed one plus the time since the listing. */
  liveDuration(recording) {
    if (!recording) return NaN;
    return recording.live ? recording.duration + (performance.now() - this.fetchedAt) / 1000 : recording.duration;
  }

  select(kind, name) {
    this.selected = { kind, name };
    for (const [k, ul] of Object.entries(this.lists)) {
      for (const li of ul.querySelectorAll('li[data-name]')) {
        li.setAttribute('aria-selected', String(k === kind && li.dataset.name === name));
      }
    }
    this.onSelect(kind, name);
  }

  render(kind, rows, emptyText) {
    const ul = this.lists[kind];
    const key = JSON.stringify(rows.map((r) => [r.name, r.live, r.meta]));
    if (ul.dataset.key === key) return; // Durations tick in place; the rows stay (no flicker, selection kept).
    ul.dataset.key = key;
    ul.replaceChildren(...(rows.length ? rows.map((row) => {
      const selected = Boolean(this.selected && this.selected.kind === kind && this.selected.name === row.name);
      const li = element('li', { dataset: { name: row.name }, tabIndex: 0, role: 'option', 'aria-selected': String(selected) },
        element('span', { className: 'name', textContent: row.name }),
        row.live ? element('span', { className: 'badge live', textContent: 'LIVE' }) : null,
        element('span', { className: 'duration', textContent: Number.isFinite(row.duration) ? formatTime(row.duration) : '' }),
        element('span', { className: 'meta', textContent: row.meta }));
      li.addEventListener('keydown', (event) => { if (event.key === 'Enter') this.select(kind, row.name); });
      return li;
    }) : [element('li', { className: 'empty', textContent: emptyText })]));
    this.tickDurations();
  }

  tickDurations() {
    for (const li of this.lists.dvr.querySelectorAll('li[data-name]')) {
      const recording = this.find('dvr', li.dataset.name);
      const span = li.querySelector('.duration');
      if (recording && span) span.textContent = formatTime(this.liveDuration(recording));
    }
  }
}

function fileRow(file) {
  const facts = [file.codecs?.join('+'), file.width && file.height ? `${file.width}×${file.height}` : null,
    `${(file.size / 1e6).toFixed(1)} MB`, file.error].filter(Boolean);
  return { name: file.name, duration: file.duration ?? NaN, meta: facts.join(' · ') };
}
