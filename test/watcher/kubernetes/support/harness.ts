import { Writable } from 'node:stream';
import pino from 'pino';
import type { WatchedResourceConfig } from '../../../../src/config/types.ts';
import type { Logger } from '../../../../src/log.ts';
import { Discovery } from '../../../../src/watcher/kubernetes/discovery.ts';
import { Reflector } from '../../../../src/watcher/kubernetes/reflector.ts';
import { resolveTuning, type Tuning } from '../../../../src/watcher/kubernetes/tuning.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { watched } from './drive.ts';
import { FakeApiClient, discoveryReply, type FakeReply } from './fake-client.ts';
import { RecordingSink } from './recording-sink.ts';

/** A logger that keeps every record (parsed) for assertions. */
export function capturingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) records.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}

/** A ConfigMap list body. */
export function configMapList(rv: string, items: Array<{ name: string; rv: string; uid?: string }>, next?: string): FakeReply {
  return {
    json: {
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) },
      items: items.map((i) => ({ metadata: { name: i.name, namespace: 'ns', resourceVersion: i.rv, uid: i.uid ?? `uid-${i.name}` } })),
    },
  };
}

/** One watch event line for a ConfigMap. */
export function event(type: string, name: string, rv: string, extra: Record<string, unknown> = {}): string {
  const metadata = type === 'BOOKMARK' ? { resourceVersion: rv, ...extra } : { name, namespace: 'ns', resourceVersion: rv, uid: `uid-${name}` };
  return `${JSON.stringify({ type, object: { kind: 'ConfigMap', apiVersion: 'v1', metadata } })}\n`;
}

/** A reflector wired to a fake client and a fake clock. */
export function harness(options: {
  handler: (path: string, query: URLSearchParams) => FakeReply;
  resource?: Partial<WatchedResourceConfig>;
  tuning?: Partial<Tuning>;
  streamingList?: boolean;
  random?: () => number;
}) {
  const clock = new FakeClock();
  const sink = new RecordingSink();
  const { logger, records } = capturingLogger();
  const client = new FakeApiClient((path, query) => discoveryReply(path) ?? options.handler(path, query));
  const reflector = new Reflector({
    resource: watched({ name: 'configmaps', ...options.resource }),
    sink,
    client,
    discovery: new Discovery(),
    logger,
    clock,
    random: options.random ?? (() => 0.5),
    tuning: resolveTuning(options.tuning),
    streamingList: options.streamingList ?? false,
  });
  return { clock, sink, client, reflector, records };
}
