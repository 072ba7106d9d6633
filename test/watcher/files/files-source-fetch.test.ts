import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchedResourceConfig } from '../../../src/config/types.ts';
import { FilesSource, type AppliedBatch } from '../../../src/watcher/files/index.ts';
import { WatchError, canFetch } from '../../../src/watcher/index.ts';
import { watchedResource } from '../../support/builders.ts';
import { captureLogger, configMap, RecordingSink, tempFolder, Waiters } from './helpers.ts';

const RESOURCES = [watchedResource('cms', { kind: 'ConfigMap' }), watchedResource('secrets', { kind: 'Secret', store: 'on-demand' })];

async function started(t: TestContext, files: Record<string, string>, options: { watch?: boolean; resources?: WatchedResourceConfig[] } = {}) {
  const dir = await tempFolder();
  for (const [rel, text] of Object.entries(files)) await dir.write(rel, text);
  const resources = options.resources ?? RESOURCES;
  const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
  const batches: AppliedBatch[] = [];
  const waiters = new Waiters();
  const source = new FilesSource({
    path: dir.root,
    watch: options.watch ?? false,
    debounceMs: 20,
    resources,
    logger: captureLogger().logger,
    onBatchApplied: (batch) => {
      batches.push(batch);
      waiters.notify();
    },
  });
  t.after(async () => {
    await source.stop();
    await dir.remove();
  });
  await source.start(sinks);
  return { dir, source, sinks, batches, waiters };
}

const SECRET = `apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: web}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==}
`;

describe('FilesSource.fetch (for on-demand stores)', () => {
  test('reads one object of a watched resource as delivered, synthetic uid and resourceVersion included', async (t) => {
    const { source, sinks } = await started(t, { 'secret.yaml': SECRET, 'cm.yaml': configMap('a', 'web', { k: 'v' }) });
    assert.ok(canFetch(source));
    const fetched = await source.fetch('secrets', { namespace: 'web', name: 'tls' });
    const [delivered] = (sinks.get('secrets')!.events[0] as { objs: unknown[] }).objs;
    assert.deepEqual(fetched, delivered);
    assert.deepEqual(fetched?.data, { 'tls.crt': 'Y2VydA==' });
    assert.ok(fetched?.metadata.uid && fetched.metadata.resourceVersion);
  });

  test('answers undefined for an object no manifest defines, or one of another resource', async (t) => {
    const { source } = await started(t, { 'secret.yaml': SECRET, 'cm.yaml': configMap('a', 'web') });
    assert.equal(await source.fetch('secrets', { namespace: 'web', name: 'missing' }), undefined);
    assert.equal(await source.fetch('secrets', { namespace: 'web', name: 'a' }), undefined);
    assert.equal(await source.fetch('secrets', { namespace: '', name: 'tls' }), undefined);
  });

  test('hands out a copy the caller owns', async (t) => {
    const { source } = await started(t, { 'secret.yaml': SECRET });
    const first = await source.fetch('secrets', { namespace: 'web', name: 'tls' });
    (first!.data as Record<string, string>)['tls.crt'] = 'changed';
    assert.deepEqual((await source.fetch('secrets', { namespace: 'web', name: 'tls' }))?.data, { 'tls.crt': 'Y2VydA==' });
  });

  test('follows changes to the manifests once they are applied', async (t) => {
    const { source, dir, batches, waiters } = await started(t, { 'secret.yaml': SECRET }, { watch: true });
    const before = batches.length;
    await dir.write('secret.yaml', SECRET.replace('Y2VydA==', 'bmV3'));
    await waiters.until(() => batches.slice(before).some((b) => b.events > 0), 'the change applied');
    assert.deepEqual((await source.fetch('secrets', { namespace: 'web', name: 'tls' }))?.data, { 'tls.crt': 'bmV3' });
  });

  test('rejects for a resource that is not watched, before the manifests are loaded, and once aborted', async (t) => {
    const { source } = await started(t, { 'secret.yaml': SECRET });
    await assert.rejects(source.fetch('pods', { namespace: 'web', name: 'x' }), (err: unknown) => err instanceof WatchError && err.message === 'fetch: pods is not a watched resource');
    await assert.rejects(source.fetch('secrets', { namespace: 'web', name: 'tls' }, AbortSignal.abort()));
    const fresh = new FilesSource({ path: '/nonexistent', watch: false, debounceMs: 20, resources: RESOURCES, logger: captureLogger().logger });
    await assert.rejects(fresh.fetch('secrets', { namespace: 'web', name: 'tls' }), /fetch secrets web\/tls: the manifests are not loaded yet/);
  });
});
