import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchedResourceConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { WatchError } from '../../../src/watcher/index.ts';
import { FilesSource, ManifestError } from '../../../src/watcher/files/index.ts';
import { watchedResource } from '../../support/builders.ts';
import { captureLogger, configMap, RecordingSink, tempFolder } from './helpers.ts';

async function load(t: TestContext, files: Record<string, string>, resources: WatchedResourceConfig[], path?: (root: string) => string) {
  const dir = await tempFolder();
  t.after(dir.remove);
  for (const [rel, text] of Object.entries(files)) await dir.write(rel, text);
  const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
  const errors: WatchError[] = [];
  const { logger, records } = captureLogger();
  const source = new FilesSource({
    path: path ? path(dir.root) : dir.root, watch: false, debounceMs: 20, resources, logger, onError: (e) => errors.push(e),
  });
  t.after(() => source.stop());
  await source.start(sinks);
  const sink = (name: string): RecordingSink => sinks.get(name)!;
  return { dir, source, sink, errors, records };
}

const replaced = (sink: RecordingSink): KubeObject[] => {
  const event = sink.events[0];
  assert.equal(event?.type, 'replace');
  return event.type === 'replace' ? event.objs : [];
};
const ids = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);

describe('FilesSource loading a folder', () => {
  test('delivers each resource its objects with one replace, then synced for every resource, also empty ones', async (t) => {
    const { sink, source } = await load(t, { 'cms.yaml': configMap('b', 'ns') + '---\n' + configMap('a', 'ns') }, [
      watchedResource('cms', { kind: 'ConfigMap' }),
      watchedResource('secrets', { kind: 'Secret' }),
    ]);
    assert.deepEqual(sink('cms').summary(), ['replace', 'synced']);
    assert.deepEqual(ids(replaced(sink('cms'))), ['ns/a', 'ns/b'], 'sorted by namespace then name');
    assert.deepEqual(sink('secrets').summary(), ['replace', 'synced']);
    assert.deepEqual(replaced(sink('secrets')), []);
    assert.deepEqual(source.status().map((s) => [s.resource, s.synced]), [['cms', true], ['secrets', true]]);
  });

  test('reads multi-document files, List kinds, typed lists, nested folders and JSON files', async (t) => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n- ' + configMap('from-list', 'ns').trimEnd().replace(/\n/g, '\n  ') + '\n';
    const typed = 'apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: from-typed-list, namespace: ns}\n';
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-json', namespace: 'ns' } });
    const { sink } = await load(t, {
      'multi.yaml': configMap('doc-1', 'ns') + '---\n\n---\n' + configMap('doc-2', 'ns'),
      'list.yml': list,
      'deep/er/typed.yaml': typed,
      'data.json': json,
      '.hidden/ignored.yaml': configMap('hidden', 'ns'),
      'notes.txt': configMap('not-a-manifest', 'ns'),
    }, [watchedResource('cms', { kind: 'ConfigMap' })]);
    assert.deepEqual(ids(replaced(sink('cms'))), ['ns/doc-1', 'ns/doc-2', 'ns/from-json', 'ns/from-list', 'ns/from-typed-list']);
  });

  test('routes by namespace, label selector and field selector, and an object to every resource it matches', async (t) => {
    const { sink } = await load(t, {
      'a.yaml': [
        configMap('web', 'prod', {}, { app: 'web' }),
        configMap('api', 'prod', {}, { app: 'api', canary: 'true' }),
        configMap('web', 'dev', {}, { app: 'web' }),
        configMap('kube-root-ca.crt', 'dev'),
      ].join('---\n'),
    }, [
      watchedResource('all', { kind: 'ConfigMap' }),
      watchedResource('prod', { kind: 'ConfigMap', namespace: 'prod' }),
      watchedResource('stable', { kind: 'ConfigMap', labelSelector: 'app in (web,api),!canary' }),
      watchedResource('named', { resource: 'configmaps', fieldSelector: 'metadata.name!=kube-root-ca.crt,metadata.namespace=dev' }),
    ]);
    assert.deepEqual(ids(replaced(sink('all'))), ['dev/kube-root-ca.crt', 'dev/web', 'prod/api', 'prod/web']);
    assert.deepEqual(ids(replaced(sink('prod'))), ['prod/api', 'prod/web']);
    assert.deepEqual(ids(replaced(sink('stable'))), ['dev/web', 'prod/web']);
    assert.deepEqual(ids(replaced(sink('named'))), ['dev/web']);
    const fromAll = replaced(sink('all')).find((o) => o.metadata.name === 'web' && o.metadata.namespace === 'prod');
    const fromProd = replaced(sink('prod')).find((o) => o.metadata.name === 'web');
    assert.deepEqual(fromAll, fromProd);
    assert.notEqual(fromAll, fromProd, 'each sink owns its own copy');
    assert.notEqual(fromAll!.metadata, fromProd!.metadata);
  });

  test('ignores objects of no watched resource, with a debug log', async (t) => {
    const { sink, records } = await load(t, {
      'a.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\n---\n' + configMap('c', 'ns'),
    }, [watchedResource('cms', { kind: 'ConfigMap' })]);
    assert.deepEqual(ids(replaced(sink('cms'))), ['ns/c']);
    assert.ok(records.some((r) => r.level === 20 && r.object === 'Pod ns/p' && /no watched resource/.test(String(r.msg))));
  });

  test('gives objects a stable synthetic uid and a content resourceVersion, keeping those the file sets', async (t) => {
    const given = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: given, namespace: ns, uid: u-1, resourceVersion: "7"}\n';
    const { sink } = await load(t, { 'a.yaml': configMap('a', 'ns', { k: 'v' }) + '---\n' + given }, [watchedResource('cms', { kind: 'ConfigMap' })]);
    const [a, kept] = replaced(sink('cms'));
    assert.match(a!.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.match(a!.metadata.resourceVersion!, /^[0-9a-f]{16}$/);
    assert.equal(kept!.metadata.uid, 'u-1');
    assert.equal(kept!.metadata.resourceVersion, '7');
  });

  test('reports malformed YAML with path and line while the other files load', async (t) => {
    const { dir, sink, errors, records, source } = await load(t, {
      'good.yaml': configMap('good', 'ns'),
      'sub/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: bad\n',
      'noname.yaml': configMap('x', 'ns').replace('  name: x\n', ''),
    }, [watchedResource('cms', { kind: 'ConfigMap' })]);
    assert.deepEqual(ids(replaced(sink('cms'))), ['ns/good']);
    const bad = `${dir.root}/sub/bad.yaml`;
    const noname = `${dir.root}/noname.yaml`;
    assert.deepEqual(source.problems().map((p) => [p.file, p.line, p.col]), [[noname, 1, 1], [bad, 4, 1]]);
    assert.ok(errors.every((e) => e instanceof ManifestError));
    assert.deepEqual(errors.map((e) => e.message).sort(), [
      `${noname}:1:1: ConfigMap object has no metadata.name`,
      `${bad}:4:1: Tabs are not allowed as indentation`,
    ].sort());
    assert.ok(records.some((r) => r.level === 50 && r.file === bad && r.line === 4));
  });

  test('lets the later file win a duplicate identity and warns naming both files', async (t) => {
    const { dir, sink, records } = await load(t, {
      'a.yaml': configMap('dup', 'ns', { from: 'a' }),
      'b.yaml': configMap('dup', 'ns', { from: 'b' }),
    }, [watchedResource('cms', { kind: 'ConfigMap' })]);
    assert.deepEqual(replaced(sink('cms')).map((o) => o.data), [{ from: 'b' }]);
    const warning = records.find((r) => r.level === 40);
    assert.ok(warning, 'a warning is logged');
    assert.match(String(warning.msg), new RegExp(`${dir.root}/a\\.yaml:1:1 and ${dir.root}/b\\.yaml:1:1`));
  });

  test('loads a single file given as the path', async (t) => {
    const { sink } = await load(t, { 'one.yaml': configMap('one', 'ns'), 'other.yaml': configMap('other', 'ns') },
      [watchedResource('cms', { kind: 'ConfigMap' })], (root) => `${root}/one.yaml`);
    assert.deepEqual(ids(replaced(sink('cms'))), ['ns/one']);
  });
});

describe('FilesSource refusing to start', () => {
  test('rejects with a WatchError when the path does not exist', async () => {
    const source = new FilesSource({
      path: '/nonexistent/informant/manifests', watch: true, debounceMs: 20, resources: [watchedResource('cms', { kind: 'ConfigMap' })],
      logger: captureLogger().logger,
    });
    await assert.rejects(source.start(new Map([['cms', new RecordingSink()]])), (err: unknown) =>
      err instanceof WatchError && /manifests path \/nonexistent\/informant\/manifests does not exist/.test(err.message));
  });

  test('rejects a sink for a resource that is not configured', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    const source = new FilesSource({ path: dir.root, watch: false, debounceMs: 20, resources: [watchedResource('cms', { kind: 'ConfigMap' })], logger: captureLogger().logger });
    await assert.rejects(source.start(new Map([['ingresses', new RecordingSink()]])), /no watched resource named ingresses \(configured: cms\)/);
  });

  test('refuses a watched resource whose selector does not parse, naming it', () => {
    assert.throws(
      () => new FilesSource({ path: '/tmp', watch: false, debounceMs: 20, resources: [watchedResource('cms', { kind: 'ConfigMap', labelSelector: 'a in' })], logger: captureLogger().logger }),
      (err: unknown) => err instanceof WatchError && err.resource === 'cms',
    );
  });

  test('can be started only once', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    const source = new FilesSource({ path: dir.root, watch: false, debounceMs: 20, resources: [], logger: captureLogger().logger });
    await source.start(new Map());
    await assert.rejects(source.start(new Map()), /started only once/);
    await source.stop();
  });

  test('warns once, naming the types found, about a resource whose apiVersion and kind match no object', async (t) => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n';
    const { records } = await load(t, { 'svc.yaml': service, 'cms.yaml': configMap('a', 'ns') }, [
      watchedResource('services', { kind: 'Services' }),
      watchedResource('old', { apiVersion: 'v1beta1', kind: 'ConfigMap' }),
      watchedResource('cms', { kind: 'ConfigMap', labelSelector: 'app=none' }),
    ]);
    const warnings = records.filter((r) => r.level === 40).map((r) => String(r.msg));
    assert.equal(warnings.length, 2, 'a selector that matches nothing is not a mistake; a type that matches nothing is');
    assert.match(warnings[0]!, /^watched resource "services" \(apiVersion v1, kind Services\) matches no object in .*: it stays empty; the manifests hold v1 ConfigMap, v1 Service$/);
    assert.match(warnings[1]!, /^watched resource "old" \(apiVersion v1beta1, kind ConfigMap\)/);
  });
});
