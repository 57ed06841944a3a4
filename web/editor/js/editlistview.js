// The edit list table: source, in, out, duration and running total per item, with reorder,
// edit and remove; the item being previewed is highlighted.
import { formatTime } from './timecode.js';
import { itemDuration, runningTotals } from './editlist.js';

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
    this.body.replaceChildren(...items.map((item, index) => {
      const tr = document.createElement('tr');
      tr.dataset.id = String(item.id);
      if (index === this.playing) tr.className = 'playing';
      const source = this.actions.sourceOf(item);
      const name = cell(`${item.source === 'dvr' ? 'DVR' : 'clip'} ${item.name}`);
      if (item.source === 'dvr' && source && source.live && item.end > this.actions.liveEdge(source)) {
        const waits = document.createElement('span');
        waits.className = 'waits';
        waits.textContent = 'waits for live';
        name.append(waits);
      }
      const actions = document.createElement('td');
      actions.className = 'actions';
      actions.append(
        button('↑', 'up', 'Move up', () => this.actions.move(item.id, -1), index === 0),
        button('↓', 'down', 'Move down', () => this.actions.move(item.id, 1), index === items.length - 1),
        button(editingId === item.id ? '…' : '✎', 'edit', 'Edit in/out', () => this.actions.edit(item.id)),
        button('✕', 'remove', 'Remove', () => this.actions.remove(item.id)));
      tr.append(cell(String(index + 1)), name, num(formatTime(item.start), 'in'), num(formatTime(item.end), 'out'),
        num(formatTime(itemDuration(item)), 'duration'), num(formatTime(totals[index]), 'total'), actions);
      return tr;
    }));
  }

  highlight(index) {
    this.playing = index;
    [...this.body.children].forEach((tr, i) => tr.classList.toggle('playing', i === index));
  }
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function num(text, name) {
  const td = cell(text);
  td.className = `num ${name}`;
  return td;
}

function button(text, name, title, onClick, disabled = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  b.dataset.action = name;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}
