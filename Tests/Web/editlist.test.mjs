import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addItem, exportRequest, itemDuration, itemProblem, moveItem, parseStoredList, removeItem, runningTotals,
  storedList, totalDuration, updateItem, waitsForLive,
} from '../../web/editor/js/editlist.js';

const dvr = (start, end) => ({ source: 'dvr', name: 'livestream', start, end });
const clip = (start, end) => ({ source: 'clip', name: 'opener.mp4', start, end });

test('durations and running totals', () => {
  let items = [];
  items = addItem(items, dvr(10, 15.5));
  items = addItem(items, clip(0, 4));
  items = addItem(items, dvr(100.25, 101));
  assert.deepEqual(items.map((i) => i.id), [1, 2, 3]);
  assert.equal(itemDuration(items[0]), 5.5);
  assert.deepEqual(runningTotals(items), [5.5, 9.5, 10.25]);
  assert.equal(totalDuration(items), 10.25);
  assert.deepEqual(runningTotals([]), []);
});

test('reorder, edit and remove keep ids and make new lists', () => {
  const items = [dvr(0, 1), clip(0, 2), dvr(5, 8)].reduce(addItem, []);
  assert.deepEqual(moveItem(items, 3, -1).map((i) => i.id), [1, 3, 2]);
  assert.deepEqual(moveItem(items, 1, -1).map((i) => i.id), [1, 2, 3]);
  assert.deepEqual(moveItem(items, 1, 5).map((i) => i.id), [2, 3, 1]);
  assert.deepEqual(updateItem(items, 2, { start: 1, end: 3 })[1], { id: 2, source: 'clip', name: 'opener.mp4', start: 1, end: 3 });
  assert.deepEqual(removeItem(items, 2).map((i) => i.id), [1, 3]);
  assert.equal(addItem(removeItem(items, 3), clip(0, 1)).at(-1).id, 3);
  assert.deepEqual(items.map((i) => i.id), [1, 2, 3], 'the original is unchanged');
});

test('items are checked against their source', () => {
  assert.equal(itemProblem(clip(0, 4), { duration: 10 }), null);
  assert.match(itemProblem(clip(4, 4), { duration: 10 }), /after the in point/);
  assert.match(itemProblem(clip(NaN, 4), { duration: 10 }), /in point/);
  assert.match(itemProblem(clip(0, NaN), { duration: 10 }), /out point/);
  assert.match(itemProblem(clip(0, 12), { duration: 10 }), /after the end/);
  assert.match(itemProblem(dvr(1, 2), { duration: 100, live: true, availableFrom: 30 }), /oldest/);
  assert.match(itemProblem(null, null), /select a source/);
});

test('an out point beyond a live edge is allowed and waits for live', () => {
  const recording = { duration: 60, live: true, availableFrom: 0 };
  assert.equal(itemProblem(dvr(50, 90), recording), null);
  assert.equal(waitsForLive(dvr(50, 90), recording), true);
  assert.equal(waitsForLive(dvr(50, 59), recording), false);
  assert.match(itemProblem(dvr(50, 90), { ...recording, live: false }), /after the end/);
  assert.equal(waitsForLive(dvr(50, 90), { ...recording, live: false }), false);
});

test('the export request has seconds to the millisecond', () => {
  const items = [dvr(10.0004, 15.5), clip(0, 4)].reduce(addItem, []);
  assert.deepEqual(exportRequest('goal-1.f4v', items), {
    output: 'goal-1.f4v',
    items: [
      { source: 'dvr', name: 'livestream', start: 10, end: 15.5 },
      { source: 'clip', name: 'opener.mp4', start: 0, end: 4 },
    ],
  });
});

test('the stored list round-trips and malformed storage yields an empty or filtered list', () => {
  const items = [dvr(1, 2), clip(0, 3)].reduce(addItem, []);
  assert.deepEqual(parseStoredList(storedList(items)), items);
  assert.deepEqual(parseStoredList(''), []);
  assert.deepEqual(parseStoredList('{'), []);
  assert.deepEqual(parseStoredList('{"version":2,"items":[]}'), []);
  const mixed = JSON.stringify({ version: 1, items: [items[0], { id: 'x' }, { ...items[1], source: 'rtmp' }, null] });
  assert.deepEqual(parseStoredList(mixed), [items[0]]);
});
