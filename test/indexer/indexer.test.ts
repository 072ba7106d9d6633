import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { WatchedResourceConfig } from '../../src/config/types.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { Indexer, IndexerError, type IndexKey, type IndexSink } from '../../src/indexer/index.ts';
import { PathError } from '../../src/path/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { watchedResource } from '../support/builders.ts';

const LAST_APPLIED = "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']";
const APP_LABEL = "metadata.labels['app.kubernetes.io/name']";

function resource(overrides: Partial<WatchedResourceConfig> = {}): WatchedResourceConfig {
  return watchedResource('services', { kind: 'Service', removeFields: ['metadata.managedFields', LAST_APPLIED], ...overrides });
}

function service(name: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      namespace: 'shop',
      name,
      uid: `uid-${name}`,
      resourceVersion: '1',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}', owner: 'team-a' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      ...meta,
    },
    spec: { ports: [{ port: 80 }] },
  };
}

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const rawLines: string[] = [];
  const write = (line: string): void => {
    rawLines.push(line);
    lines.push(JSON.parse(line));
  };
  const logger = pino({ level: 'debug' }, { write });
  const warnings = () => lines.filter((line) => line.level === 40);
  return { logger, lines, rawLines, warnings };
}

function setup(overrides: Partial<WatchedResourceConfig> = {}) {
  const config = resource(overrides);
  const store = new MemoryStore({ name: config.name, keyCount: config.indexBy.length });
  const logs = capturingLogger();
  let changes = 0;
  const indexer = new Indexer({ resource: config, store, logger: logs.logger, onChange: () => void changes++ });
  return { indexer, store, logs, changes: () => changes };
}

describe('Indexer', () => {
  test('stores each object under the key index_by extracts', () => {
    const { indexer, store } = setup();
    indexer.add(service('web'));
    indexer.add(service('api'));
    assert.deepEqual(
      store.get('shop').map((o) => o.metadata.name),
      ['api', 'web'],
    );
    assert.equal(store.get('shop', 'web').length, 1);
  });

  test('indexes by bracketed label keys and by jsonpath-plus expressions alike', () => {
    const { indexer, store } = setup({ indexBy: [APP_LABEL, 'spec.ports[*].port'] });
    indexer.add(service('web', { labels: { 'app.kubernetes.io/name': 'shop-web' } }));
    assert.deepEqual(
      store.get('shop-web', '80').map((o) => o.metadata.name),
      ['web'],
    );
  });

  test('default remove_fields strip managedFields and the last-applied annotation, keeping other annotations', () => {
    const { indexer, store } = setup();
    indexer.add(service('web'));
    const stored = store.get('shop', 'web')[0]!;
    assert.equal('managedFields' in stored.metadata, false);
    assert.deepEqual(stored.metadata.annotations, { owner: 'team-a' });
  });

  test('leaves the objects the source handed over exactly as they were', () => {
    const { indexer } = setup({ removeFields: ['metadata.managedFields', LAST_APPLIED, 'spec.ports[0]'] });
    const added = service('web');
    const updated = service('web', { resourceVersion: '2' });
    const relisted = [service('web', { resourceVersion: '3' }), service('api')];
    const before = structuredClone({ added, updated, relisted });
    indexer.add(added);
    indexer.update(updated);
    indexer.replace(relisted);
    assert.deepEqual({ added, updated, relisted }, before);
  });

  test('an object without an index key is not stored, and is counted and logged once however often it changes', () => {
    const { indexer, store, logs } = setup({ indexBy: [APP_LABEL] });
    indexer.add(service('web'));
    indexer.update(service('web', { resourceVersion: '2' }));
    indexer.update(service('web', { resourceVersion: '3' }));
    assert.equal(store.size(), 0);
    assert.deepEqual(indexer.stats(), {
      missingKeys: 1,
      missing: [{ id: 'shop/web', expr: APP_LABEL, reason: 'no value' }],
    });
    const warnings = logs.warnings();
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.resource, 'services');
    assert.equal(warnings[0]!.namespace, 'shop');
    assert.equal(warnings[0]!.name, 'web');
    assert.equal(warnings[0]!.expr, APP_LABEL);
    assert.match(String(warnings[0]!.msg), /services.*shop\/web.*app\.kubernetes\.io\/name/);
  });

  test('a later version that has the key is stored and leaves the missing set', () => {
    const { indexer, store } = setup({ indexBy: [APP_LABEL] });
    indexer.add(service('web'));
    indexer.update(service('web', { resourceVersion: '2', labels: { 'app.kubernetes.io/name': 'shop-web' } }));
    assert.equal(store.get('shop-web').length, 1);
    assert.deepEqual(indexer.stats(), { missingKeys: 1, missing: [] });
  });

  test('a stored object whose new version lacks the key is removed from the store and counted', () => {
    const { indexer, store, logs, changes } = setup({ indexBy: [APP_LABEL] });
    indexer.add(service('web', { labels: { 'app.kubernetes.io/name': 'shop-web' } }));
    const afterAdd = changes();
    indexer.update(service('web', { resourceVersion: '2', labels: {} }));
    assert.equal(store.size(), 0);
    assert.equal(changes(), afterAdd + 1);
    assert.equal(indexer.stats().missingKeys, 1);
    assert.equal(logs.warnings().length, 1);
  });

  test('a recreated object without a key also removes the older incarnation that is stored', () => {
    const { indexer, store } = setup({ indexBy: [APP_LABEL] });
    indexer.add(service('web', { uid: 'first', labels: { 'app.kubernetes.io/name': 'shop-web' } }));
    indexer.update(service('web', { uid: 'second', resourceVersion: '9' }));
    assert.equal(store.size(), 0);
  });

  test('an object that loses its key again after getting one is counted and logged again', () => {
    const { indexer, logs } = setup({ indexBy: [APP_LABEL] });
    indexer.add(service('web'));
    indexer.update(service('web', { resourceVersion: '2', labels: { 'app.kubernetes.io/name': 'x' } }));
    indexer.update(service('web', { resourceVersion: '3' }));
    assert.equal(indexer.stats().missingKeys, 2);
    assert.equal(logs.warnings().length, 2);
  });

  test('deleting an object that lacks a key takes it out of the missing set', () => {
    const { indexer } = setup({ indexBy: [APP_LABEL] });
    indexer.add(service('web'));
    indexer.delete(service('web'));
    assert.deepEqual(indexer.stats(), { missingKeys: 1, missing: [] });
  });

  test('delete removes exactly that object from the store', () => {
    const { indexer, store } = setup({ indexBy: ['metadata.namespace'] });
    indexer.add(service('web'));
    indexer.add(service('api'));
    indexer.delete({ metadata: { namespace: 'shop', name: 'web' } });
    assert.deepEqual(
      store.get('shop').map((o) => o.metadata.name),
      ['api'],
    );
  });

  test('replace reconciles through to the store and to the missing set', () => {
    const { indexer, store, logs } = setup({ indexBy: [APP_LABEL] });
    const label = (value: string) => ({ labels: { 'app.kubernetes.io/name': value } });
    indexer.add(service('kept', label('k')));
    indexer.add(service('gone', label('g')));
    indexer.add(service('unkeyed'));
    indexer.replace([
      service('kept', label('k')),
      service('moved', { ...label('new'), resourceVersion: '5' }),
      service('unkeyed'),
      service('lost-key'),
    ]);
    assert.deepEqual(
      store.list().map((o) => `${o.metadata.name}:${o.metadata.labels?.['app.kubernetes.io/name']}`),
      ['kept:k', 'moved:new'],
    );
    assert.equal(store.get('k')[0]!.metadata.managedFields, undefined);
    assert.deepEqual(
      indexer.stats().missing.map((m) => m.id),
      ['shop/lost-key', 'shop/unkeyed'],
    );
    assert.equal(indexer.stats().missingKeys, 2);
    assert.equal(logs.warnings().length, 2);
    indexer.replace([service('kept', label('k'))]);
    assert.deepEqual(indexer.stats(), { missingKeys: 2, missing: [] });
  });

  test('onChange fires after calls that changed the store, and only those', () => {
    const { indexer, changes } = setup({ indexBy: [APP_LABEL] });
    const labelled = service('web', { labels: { 'app.kubernetes.io/name': 'web' } });
    indexer.add(labelled);
    assert.equal(changes(), 1, 'add');
    indexer.replace([service('web', { labels: { 'app.kubernetes.io/name': 'web' } })]);
    assert.equal(changes(), 1, 'replace with the same uid and resourceVersion');
    indexer.delete(service('absent'));
    assert.equal(changes(), 1, 'delete of an absent object');
    indexer.add(service('unkeyed'));
    assert.equal(changes(), 1, 'an object that is not stored');
    indexer.update(service('web', { resourceVersion: '2', labels: { 'app.kubernetes.io/name': 'web' } }));
    assert.equal(changes(), 2, 'update');
    indexer.delete(service('web'));
    assert.equal(changes(), 3, 'delete');
  });

  test('synced marks the indexer synced and fires onChange', () => {
    const { indexer, changes } = setup();
    assert.equal(indexer.isSynced, false);
    indexer.synced();
    assert.equal(indexer.isSynced, true);
    assert.equal(changes(), 1);
  });

  test('an onChange that throws is logged and never reaches the source', () => {
    const logs = capturingLogger();
    const store = new MemoryStore({ name: 'services', keyCount: 2 });
    const indexer = new Indexer({
      resource: resource(),
      store,
      logger: logs.logger,
      onChange: () => {
        throw new Error('controller bug');
      },
    });
    indexer.add(service('web'));
    assert.equal(store.size(), 1);
    const errors = logs.lines.filter((line) => line.level === 50);
    assert.equal(errors.length, 1);
    assert.equal((errors[0]!.err as { message: string }).message, 'controller bug');
  });

  test('log lines carry component and resource once, whether or not the logger already binds them', () => {
    for (const bind of [false, true]) {
      const logs = capturingLogger();
      const logger = bind ? logs.logger.child({ component: 'indexer', resource: 'services' }) : logs.logger;
      const store = new MemoryStore({ name: 'services', keyCount: 1 });
      const indexer = new Indexer({ resource: resource({ indexBy: [APP_LABEL] }), store, logger });
      indexer.add(service('web'));
      assert.equal(logs.rawLines.length, 1);
      assert.equal(logs.rawLines[0]!.match(/"component":/g)?.length, 1, logs.rawLines[0]);
      assert.equal(logs.rawLines[0]!.match(/"resource":/g)?.length, 1, logs.rawLines[0]);
      assert.equal(logs.lines[0]!.component, 'indexer');
    }
  });

  test('an expression that does not compile is an IndexerError naming the resource and option', () => {
    const store = new MemoryStore({ name: 'services', keyCount: 1 });
    const logger = capturingLogger().logger;
    const cases: Array<[Partial<WatchedResourceConfig>, string]> = [
      [{ indexBy: ['metadata.labels[?(@.app)]'] }, 'index_by'],
      [{ indexBy: ['metadata.name'], removeFields: ['metadata.*'] }, 'remove_fields'],
    ];
    for (const [overrides, option] of cases) {
      assert.throws(
        () => new Indexer({ resource: resource(overrides), store, logger }),
        (err: unknown) =>
          err instanceof IndexerError &&
          err.resource === 'services' &&
          err.message.includes(option) &&
          err.cause instanceof PathError,
      );
    }
  });

  test('a store whose keyCount differs from index_by is refused', () => {
    const store: IndexSink = new MemoryStore({ name: 'services', keyCount: 1 });
    assert.throws(
      () => new Indexer({ resource: resource(), store, logger: capturingLogger().logger }),
      (err: unknown) => err instanceof IndexerError && /1 index keys but index_by has 2/.test(err.message),
    );
  });

  test('writes through its IndexSink only: a sink with nothing but keyCount, modCount, update, delete and replace is enough', () => {
    const calls: string[] = [];
    const record = (call: string): void => void calls.push(call);
    const sink: IndexSink = {
      keyCount: 2,
      get modCount() {
        return calls.length;
      },
      update: (obj: KubeObject, key: IndexKey) => record(`update ${obj.metadata.name} [${key.join(',')}]`),
      delete: (obj: KubeObject) => record(`delete ${obj.metadata.name}`),
      replace: (entries) => record(`replace ${entries.map(({ obj }) => obj.metadata.name).join(',')}`),
    };
    let changes = 0;
    const indexer = new Indexer({ resource: resource(), store: sink, logger: capturingLogger().logger, onChange: () => void changes++ });
    indexer.add(service('web'));
    indexer.update(service('web', { resourceVersion: '2' }));
    indexer.delete(service('web'));
    indexer.replace([service('api'), service('db')]);
    assert.deepEqual(calls, ['update web [shop,web]', 'update web [shop,web]', 'delete web', 'replace api,db']);
    assert.equal(changes, 4, 'a change is reported whenever the sink says its contents moved');
  });

  test('files an object under every value of a multi-valued index_by, and moves every entry when they change', () => {
    const { indexer, store } = setup({ indexBy: ['spec.rules[*].host'] });
    const ingress = (name: string, rv: string, hosts: string[]): KubeObject => ({
      ...service(name, { resourceVersion: rv }),
      spec: { rules: hosts.map((host) => ({ host })) },
    });
    indexer.add(ingress('web', '1', ['shop.example.com', 'www.example.com', 'shop.example.com']));
    indexer.add(ingress('api', '1', ['api.example.com', 'shop.example.com']));
    assert.deepEqual(indexer.multiValued, ['spec.rules[*].host']);
    assert.deepEqual(store.get('shop.example.com').map((o) => o.metadata.name), ['api', 'web']);
    assert.deepEqual(store.get('www.example.com').map((o) => o.metadata.name), ['web']);
    assert.deepEqual(store.list().map((o) => o.metadata.name), ['api', 'web']);
    indexer.update(ingress('web', '2', ['new.example.com']));
    assert.deepEqual(store.get('shop.example.com').map((o) => o.metadata.name), ['api']);
    assert.deepEqual(store.get('www.example.com'), []);
    assert.deepEqual(store.keysOf(ingress('web', '2', [])), [['new.example.com']]);
    indexer.replace([ingress('api', '1', ['api.example.com', 'shop.example.com'])]);
    assert.deepEqual(store.list().map((o) => o.metadata.name), ['api']);
  });

  test('an object with no value for a multi-valued index_by is counted as missing its key', () => {
    const { indexer, store, logs } = setup({ indexBy: ['metadata.namespace', 'spec.rules[*].host'] });
    indexer.add({ ...service('web'), spec: { rules: [{ http: {} }] } });
    assert.equal(store.size(), 0);
    assert.deepEqual(indexer.stats(), {
      missingKeys: 1,
      missing: [{ id: 'shop/web', expr: 'spec.rules[*].host', reason: 'no value' }],
    });
    assert.equal(logs.warnings().length, 1);
  });
});
