import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTime, frameAt, parseTime, formatWallClock } from '../../web/editor/js/timecode.js';

test('formatTime shows minutes, seconds and milliseconds, hours when needed', () => {
  assert.equal(formatTime(0), '00:00.000');
  assert.equal(formatTime(83.5), '01:23.500');
  assert.equal(formatTime(3723.0456), '1:02:03.046');
  assert.equal(formatTime(59.9996), '01:00.000');
  assert.equal(formatTime(-1.25), '-00:01.250');
  assert.equal(formatTime(NaN), '--:--.---');
  assert.equal(formatTime(undefined), '--:--.---');
});

test('formatTime output parses back to the same millisecond', () => {
  for (const t of [0, 0.001, 1.04, 59.999, 61.5, 3599.999, 3600, 7325.125]) {
    assert.equal(parseTime(formatTime(t)).seconds, t);
  }
});

test('frameAt counts frames from 0, exact at frame boundaries', () => {
  assert.equal(frameAt(0, 25), 0);
  assert.equal(frameAt(0.04, 25), 1);
  assert.equal(frameAt(0.039, 25), 0);
  assert.equal(frameAt(10, 30), 300);
  assert.equal(frameAt(1.001, 29.97), 29);
  assert.equal(frameAt(1.002, 29.97), 30);
  assert.equal(frameAt(1, 0), null);
});

test('parseTime accepts seconds and clock forms', () => {
  assert.deepEqual(parseTime('83.5'), { seconds: 83.5 });
  assert.deepEqual(parseTime(' 1:23.5 '), { seconds: 83.5 });
  assert.deepEqual(parseTime('0:01:23.500'), { seconds: 83.5 });
  assert.deepEqual(parseTime('2:00:00'), { seconds: 7200 });
});

test('parseTime explains what it rejects', () => {
  assert.match(parseTime('').error, /empty/);
  assert.match(parseTime('abc').error, /not a time/);
  assert.match(parseTime('1:75').error, /not a time/);
  assert.match(parseTime('-3').error, /not a time/);
  assert.match(parseTime('1:2:3:4').error, /not a time/);
  assert.match(parseTime('@12:00:00').error, /DVR source/);
});

test('parseTime maps RFC 3339 wall-clock times onto the recording', () => {
  const startedAt = '2026-12-02T18:00:00.000Z';
  assert.deepEqual(parseTime('2026-12-02T18:01:02.250Z', startedAt), { seconds: 62.25 });
  assert.deepEqual(parseTime('2026-12-02T19:01:02+01:00', startedAt), { seconds: 62 });
  assert.match(parseTime('2026-12-02T17:59:00Z', startedAt).error, /before the recording/);
});

test('parseTime maps @hh:mm:ss local clock times onto the recording day', () => {
  const start = new Date(2026, 11, 2, 18, 0, 0, 0); // local time
  assert.deepEqual(parseTime('@18:00:10.5', start), { seconds: 10.5 });
  assert.deepEqual(parseTime('@19:00', start), { seconds: 60 * 60 }); // @hh:mm is h:mm
  const late = new Date(2026, 11, 2, 23, 59, 0, 0);
  assert.deepEqual(parseTime('@00:01:00', late), { seconds: 120 }); // past midnight
  assert.equal(formatWallClock(start, 10.5), '18:00:10.500');
});
