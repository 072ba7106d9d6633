import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeStream, type FakeReply } from './support/fake-client.ts';
import { advance, settle } from './support/drive.ts';
import { configMapList, event, harness } from './support/harness.ts';

const isWatch = (query: URLSearchParams): boolean => query.get('watch') === 'true';
const status = (code: number, reason: string, headers?: Record<string, string>): FakeReply => ({
  status: code,
  json: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${reason} message`, reason, code },
  ...(headers ? { headers } : {}),
});

describe('Reflector (fake client, fake clock)', () => {
  test('abort a stalled watch after the inactivity timeout and resume it from the same resourceVersion', async () => {
    const streams: FakeStream[] = [];
    const h = harness({
      tuning: { idleTimeoutMs: 10_000 },
      handler: (_path, query) => {
        if (!isWatch(query)) return configMapList('7', [{ name: 'a', rv: '7' }]);
        const stream = new FakeStream();
        streams.push(stream);
        return { stream };
      },
    });
    h.reflector.start();
    await settle();
    assert.equal(h.client.watches().length, 1);
    await advance(h.clock, 9_900);
    assert.equal(h.client.watches().length, 1, 'not aborted before the timeout');
    await advance(h.clock, 1_000 + 800);
    const watches = h.client.watches();
    assert.equal(watches.length, 2, 'a new watch after the timeout and a backoff');
    assert.equal(watches[1]!.query.get('resourceVersion'), '7');
    assert.equal(h.client.lists().length, 1, 'no relist');
    assert.equal(h.reflector.stats().errors['idle-timeout'], 1);
    const warning = h.records.find((r) => r.level === 40 && /no data from the API server for 10 s/.test(String(r.msg)));
    assert.ok(warning, 'the stall was logged');
    assert.equal(h.reflector.status().lastProblem, undefined, 'the problem cleared once the new watch was open');
    await h.reflector.stop();
    assert.equal(h.client.open, 0);
  });

  test('keep a watch that receives data within every inactivity period', async () => {
    const stream = new FakeStream();
    const h = harness({
      tuning: { idleTimeoutMs: 10_000 },
      handler: (_p, query) => (isWatch(query) ? { stream } : configMapList('7', [])),
    });
    h.reflector.start();
    await settle();
    for (let i = 0; i < 5; i++) {
      await advance(h.clock, 6_000);
      stream.push(event('BOOKMARK', '', String(10 + i)));
      await settle();
    }
    assert.equal(h.client.watches().length, 1);
    assert.equal(h.reflector.stats().resourceVersion, '14');
    await h.reflector.stop();
  });

  test('resume at once, from the last resourceVersion, after a clean close of a watch that lasted and carried events', async () => {
    const streams: FakeStream[] = [];
    const h = harness({
      handler: (_p, query) => {
        if (!isWatch(query)) return configMapList('3', []);
        streams.push(new FakeStream());
        return { stream: streams.at(-1)! };
      },
    });
    h.reflector.start();
    await settle();
    await advance(h.clock, 1_500);
    streams[0]!.push(event('BOOKMARK', '', '8'));
    streams[0]!.end();
    await settle();
    assert.equal(h.client.watches().length, 2, 'no backoff');
    assert.equal(h.client.watches()[1]!.query.get('resourceVersion'), '8');
    assert.deepEqual(Object.entries(h.reflector.stats().errors).filter(([, n]) => n > 0), [], 'no error counted');
    await h.reflector.stop();
  });

  test('back off after a watch closed cleanly within a second, even one that carried events', async () => {
    const streams: FakeStream[] = [];
    const h = harness({
      handler: (_p, query) => {
        if (!isWatch(query)) return configMapList('3', []);
        streams.push(new FakeStream());
        return { stream: streams.at(-1)! };
      },
    });
    h.reflector.start();
    await settle();
    streams[0]!.push(event('BOOKMARK', '', '8'));
    streams[0]!.end();
    await settle();
    assert.equal(h.client.watches().length, 1, 'waiting');
    await advance(h.clock, 500);
    assert.equal(h.client.watches().length, 2, 'retried after the backoff (0.4 s with random 0.5)');
    assert.equal(h.reflector.stats().errors['closed-early'], 1);
    await h.reflector.stop();
  });

  test('wait at least Retry-After before retrying a 429', async () => {
    let lists = 0;
    const h = harness({
      handler: (_p, query) => {
        if (isWatch(query)) return { stream: new FakeStream() };
        return ++lists === 1 ? status(429, 'TooManyRequests', { 'Retry-After': '20' }) : configMapList('3', []);
      },
    });
    h.reflector.start();
    await settle();
    await advance(h.clock, 19_900);
    assert.equal(h.client.lists().length, 1, 'no retry before Retry-After');
    await advance(h.clock, 200);
    assert.equal(h.client.lists().length, 2);
    assert.equal(h.sink.syncedCount, 1);
    assert.equal(h.reflector.stats().errors['429'], 1);
    await h.reflector.stop();
  });

  test('report a 403 per resource naming the verb, the resource and the RBAC fix, and retry it slowly', async () => {
    const h = harness({
      resource: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'ingresses' },
      handler: () => status(403, 'Forbidden'),
    });
    h.reflector.start();
    await settle();
    const problem = h.reflector.status().lastProblem;
    assert.equal(problem?.status, 403);
    assert.match(problem?.message ?? '', /^forbidden: cannot list networking\.k8s\.io\/ingresses in all namespaces; grant list,watch \(RBAC\)/);
    assert.equal(h.reflector.status().synced, false);
    const warned = h.records.find((r) => r.level === 40 && String(r.msg).startsWith('forbidden'));
    assert.equal(warned?.resource, 'ingresses');
    await advance(h.clock, 29_000, 500);
    assert.equal(h.client.lists().length, 1, 'no retry within 30 s');
    await advance(h.clock, 8_000, 500);
    assert.equal(h.client.lists().length, 2, 'retried within 30–36 s');
    await h.reflector.stop();
  });

  test('name the namespace in a 403 for a namespaced watch', async () => {
    const h = harness({ resource: { namespace: 'web' }, handler: () => status(403, 'Forbidden') });
    h.reflector.start();
    await settle();
    assert.match(h.reflector.status().lastProblem?.message ?? '', /cannot list configmaps in namespace "web"/);
    assert.equal(h.client.requests.at(-1)?.path, '/api/v1/namespaces/web/configmaps');
    await h.reflector.stop();
  });

  test('report an unknown kind naming the api_version and kind with close matches, and keep retrying', async () => {
    const h = harness({
      resource: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingres', name: 'ingresses' },
      handler: () => status(500, 'InternalError'),
    });
    h.reflector.start();
    await settle();
    assert.equal(
      h.reflector.status().lastProblem?.message,
      'api_version networking.k8s.io/v1 has no kind Ingres; did you mean Ingress?',
    );
    await advance(h.clock, 40_000, 1_000);
    const discoveries = h.client.requests.filter((r) => r.path === '/apis/networking.k8s.io/v1');
    assert.equal(discoveries.length, 2, 'discovery retried slowly, not cached as a failure');
    await h.reflector.stop();
  });

  test('relist with a consistent read when the sink throws, instead of skipping the event', async () => {
    const stream = new FakeStream();
    let lists = 0;
    const h = harness({
      handler: (_p, query) => {
        if (isWatch(query)) return lists === 1 ? { stream } : { stream: new FakeStream() };
        lists++;
        return configMapList(lists === 1 ? '5' : '9', lists === 1 ? [] : [{ name: 'b', rv: '8' }]);
      },
    });
    h.reflector.start();
    await settle();
    h.sink.failNext = new Error('index key broken');
    stream.push(event('ADDED', 'b', '8'));
    await settle();
    await advance(h.clock, 1_000);
    const lists2 = h.client.lists();
    assert.equal(lists2.length, 2);
    assert.equal(lists2[1]!.query.get('resourceVersion'), null, 'the relist is a consistent read (no resourceVersion)');
    assert.deepEqual([...h.sink.versions()], [['ns/b', '8']]);
    assert.equal(h.reflector.stats().errors.sink, 1);
    await h.reflector.stop();
  });

  test('log an invalid watch line with its start and relist', async () => {
    let lists = 0;
    const h = harness({
      handler: (_p, query) => {
        if (!isWatch(query)) return configMapList(String(++lists * 10), [{ name: 'a', rv: '1' }]);
        return lists === 1 ? { chunks: [event('ADDED', 'b', '11'), `{"type":"MODIFIED","object":${'x'.repeat(300)}\n`] } : { stream: new FakeStream() };
      },
    });
    h.reflector.start();
    await settle();
    await advance(h.clock, 1_000);
    const warning = h.records.find((r) => r.level === 40 && String(r.msg).includes('invalid JSON'));
    assert.ok(warning, 'a warning was logged');
    assert.equal(warning.resource, 'configmaps');
    assert.equal(warning.line, `{"type":"MODIFIED","object":${'x'.repeat(172)}…`);
    assert.match(String(warning.msg), /relisting$/);
    assert.equal(h.client.lists().length, 2);
    assert.deepEqual([...h.sink.versions()], [['ns/a', '1']], 'replace() reconciled b away');
    assert.equal(h.reflector.stats().relists, 1);
    await h.reflector.stop();
  });

  test('never log the content of a Secret watch line', async () => {
    let lists = 0;
    const h = harness({
      resource: { name: 'secrets', kind: 'Secret' },
      handler: (_p, query) => {
        if (!isWatch(query)) return configMapList(String(++lists), []);
        return lists === 1 ? { chunks: ['{"type":"ADDED","object":{"data":{"password":"aHVudGVyMg=="\n'] } : { stream: new FakeStream() };
      },
    });
    h.reflector.start();
    await settle();
    await advance(h.clock, 1_000);
    assert.equal(h.client.lists().length, 2, 'relisted');
    const logged = JSON.stringify(h.records);
    assert.ok(!logged.includes('aHVudGVyMg'), 'the secret value is not in the log');
    assert.ok(h.records.some((r) => /^\[\d+ characters of a Secret watch stream, not logged\]$/.test(String(r.line))));
    await h.reflector.stop();
  });

  test('buffer a streaming list until the initial-events-end bookmark, then replace and sync', async () => {
    const stream = new FakeStream();
    const h = harness({ streamingList: true, handler: () => ({ stream }) });
    h.reflector.start();
    await settle();
    const query = h.client.watches()[0]!.query;
    assert.equal(query.get('sendInitialEvents'), 'true');
    assert.equal(query.get('resourceVersionMatch'), 'NotOlderThan');
    assert.equal(query.get('allowWatchBookmarks'), 'true');
    assert.equal(query.get('resourceVersion'), null);
    stream.push(event('ADDED', 'a', '4') + event('ADDED', 'b', '5'));
    await settle();
    assert.deepEqual(h.sink.ops(), [], 'nothing delivered before the end bookmark');
    stream.push(event('BOOKMARK', '', '6', { annotations: { 'k8s.io/initial-events-end': 'true' } }));
    await settle();
    assert.deepEqual(h.sink.ops(), ['replace', 'synced']);
    stream.push(event('MODIFIED', 'a', '7'));
    await settle();
    assert.deepEqual(h.sink.ops(), ['replace', 'synced', 'update']);
    assert.equal(h.reflector.stats().resourceVersion, '7');
    assert.equal(h.client.lists().length, 0);
    await h.reflector.stop();
  });

  test('fall back to list+watch when the server rejects streaming lists, and remember it', async () => {
    let lists = 0;
    const h = harness({
      streamingList: true,
      handler: (_p, query) => {
        if (query.get('sendInitialEvents') === 'true') return status(422, 'Invalid');
        if (!isWatch(query)) return configMapList(String(++lists * 10), []);
        return lists === 1 ? { chunks: [event('ERROR', '', '0').replace('"kind":"ConfigMap"', '"kind":"Status","code":410,"reason":"Expired"')] } : { stream: new FakeStream() };
      },
    });
    h.reflector.start();
    await settle();
    await advance(h.clock, 1_000);
    const streamingAttempts = h.client.requests.filter((r) => r.query.get('sendInitialEvents') === 'true');
    assert.equal(streamingAttempts.length, 1, 'one streaming attempt, none after the 410 relist');
    assert.equal(h.client.lists().length, 2);
    assert.equal(h.reflector.stats().streamingList, false);
    assert.equal(h.reflector.status().lastProblem, undefined, 'a fallback is not a problem');
    await h.reflector.stop();
  });

  test('stop during backoff clears every timer and makes no more calls', async () => {
    const h = harness({ handler: () => status(503, 'ServiceUnavailable') });
    h.reflector.start();
    await settle();
    assert.ok(h.clock.pending > 0, 'a backoff timer is pending');
    await h.reflector.stop();
    assert.equal(h.clock.pending, 0);
    const count = h.client.requests.length;
    await advance(h.clock, 60_000, 1_000);
    assert.equal(h.client.requests.length, count);
  });

  test('stop mid-stream aborts the watch body and delivers nothing after it', async () => {
    const stream = new FakeStream();
    const h = harness({ handler: (_p, query) => (isWatch(query) ? { stream } : configMapList('3', [])) });
    h.reflector.start();
    await settle();
    assert.equal(h.client.open, 1);
    await h.reflector.stop();
    assert.equal(h.client.open, 0);
    assert.equal(h.clock.pending, 0);
    const calls = h.sink.calls.length;
    stream.push(event('ADDED', 'late', '9'));
    await settle();
    assert.equal(h.sink.calls.length, calls);
  });
});
