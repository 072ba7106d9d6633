import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupOf, isKnownKind, pluralOf, pluralOfKind } from '../src/k8s-names.ts';

describe('pluralOfKind', () => {
  // The cases the key layout, rbac and the files source each tested on their own before they shared one rule.
  const cases: Array<[string, string]> = [
    ['Service', 'services'],
    ['Ingress', 'ingresses'],
    ['IngressClass', 'ingressclasses'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Gateway', 'gateways'],
    ['GatewayClass', 'gatewayclasses'],
    ['HTTPRoute', 'httproutes'],
    ['GRPCRoute', 'grpcroutes'],
    ['Endpoints', 'endpoints'],
    ['EndpointSlice', 'endpointslices'],
    ['ConfigMap', 'configmaps'],
    ['Secret', 'secrets'],
    ['Namespace', 'namespaces'],
    ['Node', 'nodes'],
    ['Pod', 'pods'],
    ['Box', 'boxes'],
    ['Quiz', 'quizes'],
    ['Match', 'matches'],
    ['Mesh', 'meshes'],
    ['Proxy', 'proxies'],
    ['VirtualServer', 'virtualservers'],
  ];
  for (const [kind, plural] of cases) {
    test(`makes ${kind} ${plural}`, () => assert.equal(pluralOfKind(kind), plural));
  }
});

describe('pluralOf', () => {
  test('uses the configured resource over the kind, and the kind alone otherwise', () => {
    assert.equal(pluralOf({ kind: 'Widget', resource: 'widgetz' }), 'widgetz');
    assert.equal(pluralOf({ resource: 'configmaps' }), 'configmaps');
    assert.equal(pluralOf({ kind: 'Endpoints' }), 'endpoints');
    assert.equal(pluralOf({}), undefined);
  });
});

describe('isKnownKind', () => {
  test('knows the well-known built-in kinds exactly, in any case, and no custom kind', () => {
    assert.equal(isKnownKind('Endpoints'), true);
    assert.equal(isKnownKind('httproute'), true);
    assert.equal(isKnownKind('Widget'), false);
  });
});

describe('groupOf', () => {
  test('is empty for the core group and the part before the slash otherwise', () => {
    assert.equal(groupOf('v1'), '');
    assert.equal(groupOf('networking.k8s.io/v1'), 'networking.k8s.io');
  });
});
