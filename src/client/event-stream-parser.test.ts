import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamParser } from './event-stream-parser.js';
import { retryAfterMs } from './retry-after.js';

test('events split anywhere across chunks, with LF, CRLF or CR line ends, parse the same', () => {
  const stream =
    ': keep-alive\n\nevent: progress\ndata: {"completedTrials":1}\n\nevent: status\ndata: {"status":"succeeded"}\n\n';
  const expected = [
    { event: 'progress', data: '{"completedTrials":1}' },
    { event: 'status', data: '{"status":"succeeded"}' },
  ];
  for (const text of [stream, stream.replaceAll('\n', '\r\n'), stream.replaceAll('\n', '\r')]) {
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new EventStreamParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      // A lone CR at the very end waits for a possible LF: the last blank line ends the stream.
      if (text.endsWith('\r') && events.length < 2) events.push(...parser.push('\n'));
      assert.deepEqual(events, expected, `cut at ${cut}`);
    }
  }
});

test('multi-line data joins with newlines; no data, no event; a field without a colon is named alone', () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push('data: a\ndata:b\n\nevent: empty\n\ndata\n\n'), [
    { event: 'message', data: 'a\nb' },
    { event: 'message', data: '' },
  ]);
});

test('Retry-After in seconds or as an HTTP-date; anything else is no advice', () => {
  const now = Date.parse('2026-01-15T09:30:00Z');
  assert.equal(retryAfterMs('7', now), 7000);
  assert.equal(retryAfterMs('Thu, 15 Jan 2026 09:30:03 GMT', now), 3000);
  assert.equal(retryAfterMs('Thu, 15 Jan 2026 09:29:00 GMT', now), 0, 'a past date: retry now');
  assert.equal(retryAfterMs(null, now), undefined);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs('-3', now), undefined);
});
