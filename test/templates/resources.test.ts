import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { objectId } from '../../src/k8s.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { ResourceError } from '../../src/templates/index.ts';
import { createResources } from '../../src/templates/resources.ts';
import { inlineError, renderInline, sampleStores } from './fixtures.ts';

describe('resources.<name> in templates', () => {
  test('a for loop over a resource yields its objects sorted by namespace then name', async () => {
    const out = await renderInline(
      '{% for o in resources.ingresses %}{{ o.metadata.namespace }}/{{ o.metadata.name }} {% endfor %}',
    );
    assert.equal(out, 'default/api default/web prod/shop ');
  });

  test('the length filter and loop.length count the objects', async () => {
    const out = await renderInline(
      '{{ resources.ingresses | length }} {% for o in resources.services %}{{ loop.length }}{% endfor %}',
    );
    assert.equal(out, '3 333');
  });

  test('a for loop over an empty resource takes the else branch', async () => {
    const stores = sampleStores();
    stores.set('secrets', new MemoryStore({ name: 'secrets', keyCount: 2 }));
    const out = await renderInline('{% for o in resources.secrets %}x{% else %}none{% endfor %}', stores);
    assert.equal(out, 'none');
  });

  test('List() returns every object sorted by namespace then name', async () => {
    const out = await renderInline(
      '{% for s in resources.services.List() %}{{ s.metadata.namespace }}/{{ s.metadata.name }},{% endfor %}',
    );
    assert.equal(out, 'default/api,default/web,prod/web,');
  });

  test('Get with every key is an exact match', async () => {
    const out = await renderInline(
      '{% for s in resources.services.Get("prod", "web") %}{{ s.spec.ports[0].port }}{% endfor %}',
    );
    assert.equal(out, '8080');
  });

  test('Get with fewer keys matches every object with those leading keys, sorted', async () => {
    const out = await renderInline('{% for s in resources.services.Get("default") %}{{ s.metadata.name }} {% endfor %}');
    assert.equal(out, 'api web ');
  });

  test('Get with no keys returns every object', async () => {
    assert.equal(await renderInline('{{ resources.services.Get() | length }}'), '3');
  });

  test('Get with keys nothing matches returns an empty list', async () => {
    assert.equal(await renderInline('{{ resources.services.Get("nope") | length }}'), '0');
  });

  test('Fetch on a full store reads the store like Get', async () => {
    const out = await renderInline(
      '{{ resources.ingresses.Fetch("default", "web")[0].spec.rules[0].host }} ' +
        '{{ resources.ingresses.Fetch("default") | length }}',
    );
    assert.equal(out, 'web.example.com 2');
  });

  test('GetSingle returns the one matching object', async () => {
    assert.equal(await renderInline('{{ resources.services.GetSingle("default", "api").spec.ports[0].port }}'), '9000');
  });

  test('GetSingle returns null when nothing matches', async () => {
    const out = await renderInline('{% if resources.services.GetSingle("default", "nope") === null %}none{% endif %}');
    assert.equal(out, 'none');
  });

  test('GetSingle with several matches fails naming the resource, the keys and the count', async () => {
    const err = await inlineError('{{ resources.services.GetSingle("default") }}');
    assert.equal(
      err.reason,
      'resources.services.GetSingle("default"): 2 objects match, expected at most one: default/api, default/web',
    );
    assert.ok(err.cause instanceof ResourceError);
    assert.equal(err.cause.resource, 'services');
    assert.deepEqual(err.cause.keys, ['default']);
  });

  test('a GetSingle error names at most five objects and counts the rest', () => {
    const store = new MemoryStore({ name: 'pods', keyCount: 2 });
    for (let i = 0; i < 7; i++) {
      const obj = { metadata: { namespace: 'ns', name: `p${i}` } };
      store.add(obj, ['ns', obj.metadata.name]);
    }
    const resources = createResources(new Map([['pods', store]]));
    assert.throws(() => resources.pods!.GetSingle('ns'), {
      name: 'ResourceError',
      message:
        'resources.pods.GetSingle("ns"): 7 objects match, expected at most one: ' +
        'ns/p0, ns/p1, ns/p2, ns/p3, ns/p4, and 2 more',
    });
  });

  test('more keys than the index has fails naming the resource and the keys', async () => {
    const err = await inlineError('{{ resources.ingresses.Get("default", "web", "extra") }}');
    assert.equal(
      err.reason,
      'resources.ingresses.Get("default", "web", "extra"): 3 keys given, but ingresses has 2 index keys',
    );
    assert.ok(err.cause instanceof ResourceError);
    assert.deepEqual(err.cause.keys, ['default', 'web', 'extra']);
  });

  test('number keys are converted to strings', () => {
    const store = new MemoryStore({ name: 'ports', keyCount: 1 });
    store.add({ metadata: { name: 'http' }, port: 80 }, ['80']);
    const resources = createResources(new Map([['ports', store]]));
    assert.deepEqual(resources.ports!.Get(80).map(objectId), ['http']);
    assert.equal(resources.ports!.GetSingle(80)?.metadata.name, 'http');
  });

  test('an undefined key fails naming its position instead of matching nothing', async () => {
    const err = await inlineError('{{ resources.services.Get("default", missing) }}');
    assert.equal(err.reason, 'resources.services.Get("default", undefined): key 2 is undefined; keys are strings');
  });

  test('keyword arguments are refused', async () => {
    const err = await inlineError('{{ resources.services.Get(namespace="default") }}');
    assert.match(err.reason, /key 1 is a keyword argument/);
  });

  test('an unknown resource fails naming the watched resources', async () => {
    const err = await inlineError('{% for o in resources.secrets %}{% endfor %}');
    assert.equal(err.reason, 'unknown resource "secrets" in resources.secrets; watched resources: ingresses, services');
    assert.ok(err.cause instanceof ResourceError);
    assert.equal(err.cause.resource, 'secrets');
  });

  test('"in" tests whether a resource is watched without failing', async () => {
    assert.equal(await renderInline('{{ "ingresses" in resources }} {{ "secrets" in resources }}'), 'true false');
  });

  test('iterating resources as key/value pairs yields every watched resource', async () => {
    const out = await renderInline('{% for name, objects in resources %}{{ name }}={{ objects | length }} {% endfor %}');
    assert.equal(out, 'ingresses=3 services=3 ');
  });

  test('views are frozen arrays whose methods do not show up as elements', () => {
    const resources = createResources(sampleStores());
    const view = resources.ingresses!;
    assert.ok(Array.isArray(view));
    assert.ok(Object.isFrozen(view));
    assert.deepEqual(Object.keys(view), ['0', '1', '2']);
    assert.equal(JSON.stringify(view.map(objectId)), '["default/api","default/web","prod/shop"]');
  });

  test('a view is reused while its store is unchanged and rebuilt after a change', () => {
    const stores = sampleStores();
    const resources = createResources(stores);
    const first = resources.ingresses;
    assert.equal(resources.ingresses, first);
    const obj = { metadata: { namespace: 'a', name: 'new' } };
    stores.get('ingresses')!.add(obj, ['a', 'new']);
    const second = resources.ingresses!;
    assert.notEqual(second, first);
    assert.deepEqual(second.map(objectId), ['a/new', 'default/api', 'default/web', 'prod/shop']);
  });

  test('resources cannot be modified', () => {
    const resources = createResources(sampleStores()) as Record<string, unknown>;
    assert.throws(() => {
      resources.ingresses = [];
    }, TypeError);
    assert.throws(() => {
      delete resources.ingresses;
    }, TypeError);
  });
});
