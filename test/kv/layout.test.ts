import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyLayout, storageResourceOf, type ObjectAddress } from '../../src/kv/layout.ts';
import { isKvError } from '../../src/kv/index.ts';

const layout = new KeyLayout('informant');

describe('KeyLayout', () => {
  const cases: Array<{ title: string; address: ObjectAddress; key: string }> = [
    {
      title: 'a namespaced object has a namespace segment after the cluster',
      address: { group: 'networking.k8s.io', resource: 'ingresses', cluster: 'east', namespace: 'web', name: 'app' },
      key: '/informant/networking.k8s.io/ingresses/east/web/app',
    },
    {
      title: 'a cluster-scoped object has its name right after the cluster',
      address: { group: 'networking.k8s.io', resource: 'ingressclasses', cluster: 'east', namespace: '', name: 'haproxy' },
      key: '/informant/networking.k8s.io/ingressclasses/east/haproxy',
    },
    {
      title: 'the core group is stored as "core"',
      address: { group: '', resource: 'services', cluster: 'west', namespace: 'default', name: 'kubernetes' },
      key: '/informant/core/services/west/default/kubernetes',
    },
    {
      title: 'a cluster-scoped core object',
      address: { group: '', resource: 'namespaces', cluster: 'west', namespace: '', name: 'default' },
      key: '/informant/core/namespaces/west/default',
    },
  ];
  for (const { title, address, key } of cases) {
    test(`${title}, and parsing the key gives the address back`, () => {
      assert.equal(layout.keyOf(address), key);
      assert.deepEqual(layout.parse(key), address);
    });
  }

  test('the prefix is normalized to one leading and one trailing slash', () => {
    assert.equal(new KeyLayout('/prod/informant/').root, '/prod/informant/');
    assert.equal(new KeyLayout('prod//informant').root, '/prod/informant/');
    assert.throws(() => new KeyLayout('///'), (err) => isKvError(err, 'Invalid'));
  });

  test('resource and cluster prefixes end with a slash, so default does not match default-2', () => {
    assert.equal(layout.resourcePrefix('', 'services'), '/informant/core/services/');
    const defaultPrefix = layout.clusterPrefix('', 'services', 'default');
    assert.equal(defaultPrefix, '/informant/core/services/default/');
    const other = layout.keyOf({ group: '', resource: 'services', cluster: 'default-2', namespace: 'ns', name: 'a' });
    assert.equal(other.startsWith(defaultPrefix), false);
    assert.equal(other.startsWith(layout.resourcePrefix('', 'services')), true);
  });

  const badSegments: Array<[string, Partial<ObjectAddress>]> = [
    ['a name with "/"', { name: 'a/b' }],
    ['a namespace with "/"', { namespace: 'a/b' }],
    ['a cluster with "/"', { cluster: 'a/b' }],
    ['an empty cluster', { cluster: '' }],
    ['an empty name', { name: '' }],
    ['a resource with "/"', { resource: 'a/b' }],
  ];
  for (const [what, change] of badSegments) {
    test(`${what} is rejected as Invalid`, () => {
      const address = { group: '', resource: 'services', cluster: 'east', namespace: 'ns', name: 'a', ...change };
      assert.throws(() => layout.keyOf(address), (err) => isKvError(err, 'Invalid'));
    });
  }

  const foreignKeys: Array<[string, string]> = [
    ['a key under another prefix', '/other/core/services/east/ns/a'],
    ['a key with too few segments', '/informant/core/services/east'],
    ['a key with too many segments', '/informant/core/services/east/ns/a/b'],
    ['a key with an empty segment', '/informant/core/services/east//a'],
    ['a bookkeeping key', '/informant/-/publishers/east'],
  ];
  for (const [what, key] of foreignKeys) {
    test(`parse gives undefined for ${what}`, () => {
      assert.equal(layout.parse(key), undefined);
    });
  }

  test('the publisher key of a cluster lives under the bookkeeping segment', () => {
    assert.equal(layout.publisherKey('east'), '/informant/-/publishers/east');
    assert.throws(() => layout.publisherKey('a/b'), (err) => isKvError(err, 'Invalid'));
  });
});

describe('storageResourceOf', () => {
  const cases: Array<[string, Parameters<typeof storageResourceOf>[0], { group: string; resource: string }]> = [
    ['Ingress becomes ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }, { group: 'networking.k8s.io', resource: 'ingresses' }],
    ['Endpoints stays endpoints', { apiVersion: 'v1', kind: 'Endpoints' }, { group: '', resource: 'endpoints' }],
    ['NetworkPolicy becomes networkpolicies', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, { group: 'networking.k8s.io', resource: 'networkpolicies' }],
    ['Gateway becomes gateways', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' }, { group: 'gateway.networking.k8s.io', resource: 'gateways' }],
    ['Service in the core group', { apiVersion: 'v1', kind: 'Service' }, { group: '', resource: 'services' }],
    ['an explicit resource wins over the kind', { apiVersion: 'example.com/v1', kind: 'Thing', resource: 'thingamajigs' }, { group: 'example.com', resource: 'thingamajigs' }],
    ['a resource without a kind', { apiVersion: 'v1', resource: 'configmaps' }, { group: '', resource: 'configmaps' }],
  ];
  for (const [title, config, expected] of cases) {
    test(title, () => assert.deepEqual(storageResourceOf(config), expected));
  }

  test('neither kind nor resource is Invalid', () => {
    assert.throws(() => storageResourceOf({ apiVersion: 'v1' }), (err) => isKvError(err, 'Invalid'));
  });
});
