import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidWatchLineError, LineSplitter, parseWatchEvent, type WatchEvent } from '../../../src/watcher/kubernetes/lines.ts';

const EVENTS = [
  { type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a', namespace: 'ns', resourceVersion: '11' }, data: { k: 'välue ✓ 😀' } } },
  { type: 'MODIFIED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a', namespace: 'ns', resourceVersion: '12' } } },
  { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '20' } } },
  { type: 'DELETED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a', namespace: 'ns', resourceVersion: '21' } } },
  { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 } },
];

/** The sample stream: events, a blank line and a CRLF line in between. */
const STREAM = Buffer.from(
  `${JSON.stringify(EVENTS[0])}\n\n${JSON.stringify(EVENTS[1])}\r\n${JSON.stringify(EVENTS[2])}\n` +
    `   \n${JSON.stringify(EVENTS[3])}\n${JSON.stringify(EVENTS[4])}\n`,
  'utf8',
);

function decode(chunks: Uint8Array[]): WatchEvent[] {
  const splitter = new LineSplitter();
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  return [...lines, ...splitter.end()].map(parseWatchEvent);
}

describe('LineSplitter and parseWatchEvent', () => {
  test('decode a stream delivered in one chunk into its events, skipping blank lines', () => {
    assert.deepEqual(decode([STREAM]), EVENTS);
  });

  test('decode the same events whatever byte offset the stream is split at', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      assert.deepEqual(decode([STREAM.subarray(0, at), STREAM.subarray(at)]), EVENTS, `split at byte ${at}`);
    }
  });

  test('decode the same events when split at two offsets, including inside multi-byte characters', () => {
    const emoji = STREAM.indexOf(Buffer.from('😀'));
    for (let a = emoji - 2; a <= emoji + 5; a++) {
      for (let b = a; b <= STREAM.length; b += 7) {
        const chunks = [STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)];
        assert.deepEqual(decode(chunks), EVENTS, `split at bytes ${a} and ${b}`);
      }
    }
  });

  test('decode the same events when every byte arrives in its own chunk', () => {
    const chunks = [...STREAM].map((byte) => Uint8Array.of(byte));
    assert.deepEqual(decode(chunks), EVENTS);
  });

  test('return several events from one chunk, in order', () => {
    const splitter = new LineSplitter();
    assert.equal(splitter.push(STREAM).length, EVENTS.length);
  });

  test('keep an unterminated last line until end() and return it then', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push('{"a":1}\n{"b":'), ['{"a":1}']);
    assert.deepEqual(splitter.push('2}'), []);
    assert.deepEqual(splitter.end(), ['{"b":2}']);
    assert.deepEqual(splitter.end(), []);
  });

  test('reject a line longer than the limit instead of buffering without bound', () => {
    const splitter = new LineSplitter(10);
    assert.throws(() => splitter.push('x'.repeat(11)), InvalidWatchLineError);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['not JSON', '{"type":"ADDED","object":{', /invalid JSON/],
    ['an unknown type', '{"type":"UPSERTED","object":{"metadata":{"name":"a"}}}', /unknown type "UPSERTED"/],
    ['a missing object', '{"type":"ADDED"}', /without an object/],
    ['an object without a name', '{"type":"MODIFIED","object":{"metadata":{}}}', /without metadata.name/],
    ['a bookmark without a resourceVersion', '{"type":"BOOKMARK","object":{"metadata":{}}}', /BOOKMARK without/],
    ['a JSON array', '[1,2]', /unknown type/],
    ['JSON null', 'null', /unknown type/],
  ];
  for (const [what, line, message] of invalid) {
    test(`reject ${what} with an InvalidWatchLineError`, () => {
      assert.throws(() => parseWatchEvent(line), (err: unknown) => {
        assert.ok(err instanceof InvalidWatchLineError);
        assert.match(err.message, message);
        assert.equal(err.excerpt, line);
        return true;
      });
    });
  }

  test('quote only the first 200 characters of a long invalid line', () => {
    const line = `garbage${'x'.repeat(1000)}`;
    assert.throws(() => parseWatchEvent(line), (err: unknown) => {
      assert.ok(err instanceof InvalidWatchLineError);
      assert.equal(err.excerpt, `${line.slice(0, 200)}…`);
      return true;
    });
  });
});
