/**
 * Templates over objects of several clusters: InCluster(name), Clusters(), the cluster as
 * an index key, on full stores and through the two-pass fetch of on-demand stores.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { FakeFetcher, secret } from '../store/fake-fetcher.ts';
import { inlineError, inlineRenderer, renderInline } from './fixtures.ts';

function svc(cluster: string | undefined, namespace: string, name: string, port: number): KubeObject {
  const metadata: KubeObject['metadata'] = { namespace, name, uid: `${cluster}-${namespace}-${name}` };
  if (cluster !== undefined) metadata.cluster = cluster;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec: { port } };
}

/** Services of clusters "eu" and "root:ws" (same namespace/name in both), indexed by cluster, namespace, name. */
function stores(): Map<string, Store> {
  const services = new MemoryStore({ name: 'services', keyCount: 3 });
  for (const obj of [svc('root:ws', 'shop', 'web', 8443), svc('eu', 'shop', 'web', 8080), svc('eu', 'shop', 'api', 9000)]) {
    services.add(obj, [obj.metadata.cluster!, obj.metadata.namespace!, obj.metadata.name]);
  }
  return new Map<string, Store>([['services', services]]);
}

describe('templates over several clusters', () => {
  test('every object shows its cluster, and iteration is sorted by namespace, name, then cluster', async () => {
    const out = await renderInline('{% for s in resources.services %}{{ s.metadata.cluster }}|{{ s.metadata.name }} {% endfor %}', stores());
    assert.equal(out, 'eu|api eu|web root:ws|web ');
  });

  test('Clusters() lists the distinct cluster names, sorted', async () => {
    assert.equal(await renderInline('{{ resources.services.Clusters() | join(",") }}', stores()), 'eu,root:ws');
    const single = new MemoryStore({ name: 'services', keyCount: 2 });
    single.add(svc(undefined, 'shop', 'web', 80), ['shop', 'web']);
    assert.equal(await renderInline('[{{ resources.services.Clusters() | join(",") }}]', new Map([['services', single]])), '[]');
  });

  test('InCluster restricts iteration, List, length, Get and GetSingle to one cluster', async () => {
    const text = [
      '{% for c in resources.services.Clusters() %}{% set v = resources.services.InCluster(c) %}',
      '{{ c }}: {{ v | length }} [{% for s in v %}{{ s.metadata.name }}:{{ s.spec.port }} {% endfor %}]',
      ' list={{ v.List() | length }} get={{ v.Get(c, "shop") | length }} single={{ v.GetSingle(c, "shop", "web").spec.port }}',
      ' other={{ v.Get("eu", "shop", "web") | length }}',
      '{% endfor %}',
    ].join('');
    assert.equal(await renderInline(text, stores()), 'eu: 2 [api:9000 web:8080 ] list=2 get=2 single=8080 other=1' + 'root:ws: 1 [web:8443 ] list=1 get=1 single=8443 other=0');
  });

  test('index_by with the cluster first makes Get(cluster, namespace, name) exact', async () => {
    const out = await renderInline('{{ resources.services.GetSingle("root:ws", "shop", "web").spec.port }} {{ resources.services.Get("eu") | length }}', stores());
    assert.equal(out, '8443 2');
  });

  test('InCluster of a cluster with no objects is empty, and a name that is not a string fails naming the call', async () => {
    assert.equal(await renderInline('{{ resources.services.InCluster("us") | length }}', stores()), '0');
    const err = await inlineError('{{ resources.services.InCluster(3) }}', stores());
    assert.match(err.message, /resources\.services\.InCluster\(3\): the cluster is 3; cluster names are strings/);
  });

  test('on an on-demand store, InCluster fetches only that cluster\'s objects, from their cluster, in one render', async () => {
    const fetcher = new FakeFetcher();
    const secrets = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: 64, ttlMs: 600_000 });
    for (const cluster of ['a', 'b']) {
      const obj: KubeObject = { ...secret('web', 'tls', '1', { c: Buffer.from(cluster).toString('base64') }) };
      obj.metadata = { ...obj.metadata, cluster, uid: `uid-${cluster}` };
      fetcher.put(obj);
      secrets.update(structuredClone(obj), ['web', 'tls']);
    }
    const text = '{{ resources.secrets.Clusters() | join(",") }}:{% for s in resources.secrets.InCluster("b") %}{{ s.metadata.cluster }}={{ s.data.c | b64decode }}{% endfor %}'
      + ' {{ resources.secrets.InCluster("a").GetSingle("web", "tls").data.c | b64decode }}';
    const renderer = inlineRenderer({ main: text }, { stores: new Map<string, Store>([['secrets', secrets]]) });
    assert.equal(await renderer.render('main'), 'a,b:b=b a');
    assert.deepEqual(fetcher.gets.map((g) => `${g.cluster}|${g.namespace}/${g.name}`).sort(), ['a|web/tls', 'b|web/tls']);
  });
});
