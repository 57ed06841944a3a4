// The edit list table: source, in, out, duration and running total per item, with reorder,
// edit and remove; the item being previewed is highlighted.
import { formatTime } from './timecode.js';
import { itemDuration, runningTotals } from './editlist.js';
import { actionButton, element } from './dom.js';

export class EditListView {
  /** `actions`: {move(id, delta), edit(id), remove(id), sourceOf(item) -> listed source} */
  constructor(body, empty, actions) {
    this.body = body;
    this.empty = empty;
    this.actions = actions;
    this.playing = -1;
  }

  render(items, editingId = null) {
    const totals = runningTotals(items);
    this.empty.hidden = items.length > 0;
    const waits = items.map((item) => {
      const source = this.actions.sourceOf(item);
      return Boolean(item.source === 'dvr' && source && source.live && item.end > this.actions.liveEdge(source));
    });
    // Rows are rebuilt only when something shown changed (the page re-renders on every refresh).
    const key = JSON.stringify([items, editingId, waits]);
    if (key === this.key) return;
    this.key = key;
    this.body.replaceChildren(...items.map((item, index) => {
      const num = (seconds, name) => element('td', { className: `num ${name}`, textContent: formatTime(seconds) });
      return element('tr', { dataset: { id: String(item.id) }, className: index === this.playing ? 'playing' : '' },
        element('td', { textContent: String(index + 1) }),
        element('td', { className: 'source' }, element('span', { className: 'kind', textContent: item.source === 'dvr' ? 'DVR' : 'clip' }),
          ` ${item.name}`, waits[index] ? element('span', { className: 'waits', textContent: 'waits for live' }) : null),
        num(item.start, 'in'), num(item.end, 'out'), num(itemDuration(item), 'duration'), num(totals[index], 'total'),
        element('td', { className: 'actions' },
          actionButton('↑', 'up', () => this.actions.move(item.id, -1), { title: 'Move up', disabled: index === 0 }),
          actionButton('↓', 'down', () => this.actions.move(item.id, 1), { title: 'Move down', disabled: index === items.length - 1 }),
          actionButton(editingId === item.id ? '…' : '✎', 'edit', () => this.actions.edit(item.id), { title: 'Edit in/out' }),
          actionButton('✕', 'remove', () => this.actions.remove(item.id), { title: 'Remove' })));
    }));
  }

  highlight(index) {
    this.playing = index;
    [...this.body.children].forEach((tr, i) => tr.classList.toggle('playing', i === index));
  }
}
