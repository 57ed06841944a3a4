import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaBase, mediaURL, isPlaylist, parseMediaPlaylist } from '../../web/editor/js/media.js';
import { codecsOfInit } from '../../web/editor/js/hls.js';
import { thumbnailTimes } from '../../web/editor/js/filmstrip.js';

test('the data plane HTTP base from /api/v1/node; wildcard hosts become the page host', () => {
  assert.equal(mediaBase({ mediaListen: '127.0.0.1:8935' }, 'x'), 'http://127.0.0.1:8935');
  assert.equal(mediaBase({ mediaListen: '0.0.0.0:8935' }, 'editor.example'), 'http://editor.example:8935');
  assert.equal(mediaBase({ mediaListen: '[::]:8935' }, '::1'), 'http://[::1]:8935');
  assert.equal(mediaBase({ mediaListen: 'http://cdn.example/live/' }, 'x'), 'http://cdn.example/live');
  assert.equal(mediaBase({ role: 'origin' }, 'x'), null);
  assert.equal(mediaBase(null, 'x'), null);
});

test('media URLs per source kind, names encoded', () => {
  const base = 'http://h:1';
  assert.equal(mediaURL(base, 'livestreamcast_origin', { kind: 'dvr', name: 'live stream' }), 'http://h:1/livestreamcast_origin/live%20stream/dvr.m3u8');
  assert.equal(mediaURL(base, 'a', { kind: 'clip', name: 'opener.mp4' }), 'http://h:1/vod/sources/opener.mp4');
  assert.equal(mediaURL(base, 'a', { kind: 'output', name: 'goal#1.f4v' }), 'http://h:1/vod/exports/goal%231.f4v');
  assert.equal(isPlaylist('http://h/a/s/dvr.m3u8?start=3'), true);
  assert.equal(isPlaylist('http://h/vod/exports/x.f4v'), false);
});

test('media playlists: init segment, segment times, end', () => {
  const text = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.000,\nseg1.m4s\n#EXTINF:1.5,\nseg2.m4s?x=1\n';
  const list = parseMediaPlaylist(text, 'http://h:1/app/s/dvr.m3u8');
  assert.equal(list.initURL, 'http://h:1/app/s/init.mp4');
  assert.deepEqual(list.segments, [
    { url: 'http://h:1/app/s/seg1.m4s', duration: 2, start: 0 },
    { url: 'http://h:1/app/s/seg2.m4s?x=1', duration: 1.5, start: 2 },
  ]);
  assert.equal(list.ended, false);
  assert.equal(parseMediaPlaylist(text + '#EXT-X-ENDLIST\n', 'http://h/p.m3u8').ended, true);
  assert.throws(() => parseMediaPlaylist('nope', 'http://h/p.m3u8'));
});

test('codecs of an fMP4 init segment', () => {
  const bytes = new Uint8Array([0, 0, 0, 0, 0x61, 0x76, 0x63, 0x43, 1, 0x64, 0x00, 0x1f, 0xff, 0x6d, 0x70, 0x34, 0x61]);
  assert.equal(codecsOfInit(bytes), 'avc1.64001f,mp4a.40.2');
  assert.equal(codecsOfInit(new Uint8Array(4)), '');
});

test('thumbnail times are spread over the window', () => {
  assert.deepEqual(thumbnailTimes(10, 5), [1, 3, 5, 7, 9]);
  assert.deepEqual(thumbnailTimes(0, 5), []);
});
