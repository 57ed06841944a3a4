import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputNameError, outputNameProblem, proposeOutputName, sanitizeStem } from '../../web/editor/js/names.js';

test('valid output names', () => {
  for (const name of ['goal-1.f4v', 'Goal 1.MP4', 'a.b.f4v', 'ü.mp4']) assert.equal(outputNameProblem(name), null, name);
});

test('invalid output names are explained as the server would refuse them', () => {
  assert.match(outputNameProblem(''), /enter/);
  assert.match(outputNameProblem('a/b.f4v'), /\//);
  assert.match(outputNameProblem('a\\b.f4v'), /\\/);
  assert.match(outputNameProblem('a..b.f4v'), /\.\./);
  assert.match(outputNameProblem('.hidden.f4v'), /dot/);
  assert.match(outputNameProblem('x'.repeat(197) + '.f4v'), /200 bytes/);
  assert.equal(outputNameProblem('x'.repeat(196) + '.f4v'), null);
  assert.match(outputNameProblem('é'.repeat(99) + '.f4v'), /200 bytes/);
  assert.match(outputNameProblem('a\tb.f4v'), /control/);
  assert.match(outputNameProblem('clip.flv'), /\.f4v or \.mp4/);
});

test('names already used are refused; proposals are unique', () => {
  const taken = new Set(['highlight-1.f4v', 'highlight-2.f4v']);
  assert.match(outputNameError('highlight-1.f4v', taken), /exists/);
  assert.equal(outputNameError('highlight-3.f4v', taken), null);
  assert.equal(proposeOutputName(taken), 'highlight-3.f4v');
  assert.equal(proposeOutputName(new Set()), 'highlight-1.f4v');
  assert.equal(proposeOutputName(new Set(), 'Goal! at 12:03.mp4'), 'Goal-at-12-03-1.f4v');
  assert.equal(outputNameProblem(proposeOutputName(new Set(), '../../etc')), null);
  assert.equal(sanitizeStem('...'), '');
});
