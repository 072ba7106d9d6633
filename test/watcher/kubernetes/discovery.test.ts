import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Discovery, closeMatches, describeTarget, groupVersionPath, resourcePath, type ResolvedResource,
} from '../../../src/watcher/kubernetes/discovery.ts';
import { ApiStatusError, UnknownResourceError } from '../../../src/watcher/kubernetes/errors.ts';
import { discoveryReply } from './support/fake-client.ts';

/** A FetchJson over the fake discovery documents, counting fetches. */
function fetcher(): { fetch: (path: string) => Promise<unknown>; paths: string[] } {
  const paths: string[] = [];
  const fetch = async (path: string): Promise<unknown> => {
    paths.push(path);
    const reply = discoveryReply(path);
    if (!reply || reply.status === 404) throw new ApiStatusError(`get ${path} answered 404`, { status: 404, verb: 'get' });
    return reply.json;
  };
  return { fetch, paths };
}

const query = (apiVersion: string, rest: { kind?: string; resource?: string }) => ({ name: 'x', apiVersion, ...rest });

describe('Discovery', () => {
  test('resolve a core kind to its plural resource and scope', async () => {
    const { fetch } = fetcher();
    const target = await new Discovery().resolve(query('v1', { kind: 'ConfigMap' }), fetch);
    assert.deepEqual(target, {
      group: '', version: 'v1', apiVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get', 'list', 'watch'],
    });
  });

  test('resolve a group kind and a resource given directly to the same target', async () => {
    const { fetch, paths } = fetcher();
    const discovery = new Discovery();
    const byKind = await discovery.resolve(query('networking.k8s.io/v1', { kind: 'IngressClass' }), fetch);
    const byResource = await discovery.resolve(query('networking.k8s.io/v1', { resource: 'ingressclasses' }), fetch);
    assert.deepEqual(byKind, byResource);
    assert.equal(byKind.namespaced, false);
    assert.deepEqual(paths, ['/apis/networking.k8s.io/v1'], 'the group/version document is fetched once');
  });

  test('ignore subresources when matching a kind', async () => {
    const { fetch } = fetcher();
    const target = await new Discovery().resolve(query('v1', { kind: 'Pod' }), fetch);
    assert.equal(target.resource, 'pods');
  });

  const unknown: Array<[string, { kind?: string; resource?: string }, string, string]> = [
    ['a misspelt kind', { kind: 'Ingres' }, 'networking.k8s.io/v1', 'api_version networking.k8s.io/v1 has no kind Ingres; did you mean Ingress?'],
    ['a kind in the wrong case', { kind: 'ingress' }, 'networking.k8s.io/v1', 'api_version networking.k8s.io/v1 has no kind ingress; did you mean Ingress?'],
    ['a kind with no close match', { kind: 'Gateway' }, 'networking.k8s.io/v1', 'api_version networking.k8s.io/v1 has no kind Gateway'],
    ['a singular resource name', { resource: 'ingress' }, 'networking.k8s.io/v1', 'api_version networking.k8s.io/v1 has no resource ingress; did you mean ingresses?'],
    ['a kind and resource that disagree', { kind: 'Pod', resource: 'configmaps' }, 'v1', 'v1 resource configmaps has kind ConfigMap, not Pod'],
    ['a resource that cannot be watched', { kind: 'Binding' }, 'v1', 'v1 bindings cannot be watched: the server allows only create'],
    ['an api_version the server does not serve', { kind: 'Widget' }, 'example.com/v1', 'api_version example.com/v1 is not served by the API server (is the CRD installed?)'],
  ];
  for (const [what, rest, apiVersion, message] of unknown) {
    test(`reject ${what} with an UnknownResourceError naming it`, async () => {
      const { fetch } = fetcher();
      await assert.rejects(new Discovery().resolve(query(apiVersion, rest), fetch), (err: unknown) => {
        assert.ok(err instanceof UnknownResourceError);
        assert.equal(err.message, message);
        assert.equal(err.resource, 'x');
        return true;
      });
    });
  }

  test('fetch the document again after an unknown kind, so a CRD installed later is found', async () => {
    const { fetch, paths } = fetcher();
    const discovery = new Discovery();
    await assert.rejects(discovery.resolve(query('v1', { kind: 'Nope' }), fetch));
    await assert.rejects(discovery.resolve(query('v1', { kind: 'Nope' }), fetch));
    assert.equal(paths.length, 2);
  });

  test('pass other request failures through unchanged', async () => {
    const boom = new ApiStatusError('forbidden', { status: 403, verb: 'get' });
    await assert.rejects(new Discovery().resolve(query('v1', { kind: 'Pod' }), async () => { throw boom; }), (err) => err === boom);
  });
});

describe('paths and descriptions', () => {
  const ingresses: ResolvedResource = { group: 'networking.k8s.io', version: 'v1', apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', kind: 'Ingress', namespaced: true, verbs: [] };
  const namespaces: ResolvedResource = { group: '', version: 'v1', apiVersion: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, verbs: [] };
  const cases: Array<[ResolvedResource, string, string, string]> = [
    [ingresses, '', '/apis/networking.k8s.io/v1/ingresses', 'networking.k8s.io/ingresses in all namespaces'],
    [ingresses, 'web', '/apis/networking.k8s.io/v1/namespaces/web/ingresses', 'networking.k8s.io/ingresses in namespace "web"'],
    [namespaces, '', '/api/v1/namespaces', 'namespaces'],
    [namespaces, 'ignored', '/api/v1/namespaces', 'namespaces'],
  ];
  for (const [target, namespace, path, description] of cases) {
    test(`map ${target.resource} in namespace "${namespace}" to ${path}`, () => {
      assert.equal(resourcePath(target, namespace), path);
      assert.equal(describeTarget(target, namespace), description);
    });
  }

  test('map api versions to their discovery documents', () => {
    assert.equal(groupVersionPath('v1'), '/api/v1');
    assert.equal(groupVersionPath('apps/v1'), '/apis/apps/v1');
  });

  test('suggest at most three close names, closest first', () => {
    assert.deepEqual(closeMatches('Secrt', ['Secret', 'Service', 'Pod']), ['Secret']);
    assert.deepEqual(closeMatches('Endpoint', ['Endpoints', 'EndpointSlice']), ['Endpoints']);
    assert.deepEqual(closeMatches('Endp', ['Endpoints', 'EndpointSlice', 'Pod']), ['Endpoints', 'EndpointSlice']);
    assert.deepEqual(closeMatches('Zzz', ['Pod']), []);
  });
});
