import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listAll, listQuery, withTypeMeta } from '../../../src/watcher/kubernetes/list.ts';
import type { ResolvedResource } from '../../../src/watcher/kubernetes/discovery.ts';
import { InvalidResponseError } from '../../../src/watcher/kubernetes/errors.ts';

const target: ResolvedResource = { group: 'networking.k8s.io', version: 'v1', apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', kind: 'Ingress', namespaced: true, verbs: [] };
const params = { resourceVersion: '0', pageSize: 2, labelSelector: 'app in (web)', fieldSelector: 'metadata.name!=x' };
const item = (name: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: '3' } });

describe('listAll', () => {
  test('follow continue tokens, send resourceVersion only on the first page, and keep the first page RV', async () => {
    const queries: URLSearchParams[] = [];
    const pages = [
      { kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: '42', continue: 't1' }, items: [item('a'), item('b')] },
      { kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: '42', continue: 't2' }, items: [item('c'), item('d')] },
      { kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: '42', continue: '' }, items: [item('e')] },
    ];
    const result = await listAll(async (query) => {
      queries.push(query);
      return pages[queries.length - 1];
    }, params, target);
    assert.equal(result.resourceVersion, '42');
    assert.deepEqual(result.items.map((i) => i.metadata.name), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(queries.map((q) => Object.fromEntries(q)), [
      { limit: '2', resourceVersion: '0', labelSelector: 'app in (web)', fieldSelector: 'metadata.name!=x' },
      { limit: '2', continue: 't1', labelSelector: 'app in (web)', fieldSelector: 'metadata.name!=x' },
      { limit: '2', continue: 't2', labelSelector: 'app in (web)', fieldSelector: 'metadata.name!=x' },
    ]);
  });

  test('give list items the kind and apiVersion of the list, first, as watch events have them', async () => {
    const body = { kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: '1' }, items: [item('a')] };
    const { items } = await listAll(async () => body, params, target);
    assert.deepEqual(Object.keys(items[0]!), ['apiVersion', 'kind', 'metadata']);
    assert.equal(items[0]!.kind, 'Ingress');
    assert.equal(items[0]!.apiVersion, 'networking.k8s.io/v1');
  });

  test('treat null items as an empty list', async () => {
    const result = await listAll(async () => ({ metadata: { resourceVersion: '9' }, items: null }), params, target);
    assert.deepEqual(result, { items: [], resourceVersion: '9' });
  });

  test('omit resourceVersion for a consistent list and selectors when empty', () => {
    const query = listQuery({ resourceVersion: '', pageSize: 500, labelSelector: '', fieldSelector: '' });
    assert.equal(query.toString(), 'limit=500');
  });

  const broken: Array<[string, unknown, RegExp]> = [
    ['no resourceVersion', { items: [] }, /no metadata.resourceVersion/],
    ['items that are not an array', { metadata: { resourceVersion: '1' }, items: {} }, /no items array/],
    ['an item without a name', { metadata: { resourceVersion: '1' }, items: [{ metadata: {} }] }, /item 0 has no metadata.name/],
  ];
  for (const [what, body, message] of broken) {
    test(`reject a page with ${what} as an invalid response`, async () => {
      await assert.rejects(listAll(async () => body, params, target), (err: unknown) => err instanceof InvalidResponseError && message.test(err.message));
    });
  }

  test('leave objects that already carry kind and apiVersion untouched', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    assert.equal(withTypeMeta(obj, 'x', 'y'), obj);
  });
});
