import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/k8s.ts';
import { compileRoute } from '../../../src/watcher/files/resource-route.ts';
import { SelectorError } from '../../../src/selector/index.ts';
import { WatchError } from '../../../src/watcher/index.ts';
import { watchedResource } from '../../support/builders.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace === undefined ? {} : { namespace }), ...(labels ? { labels } : {}) },
});

describe('compileRoute', () => {
  test('matches on exact apiVersion and kind', () => {
    const route = compileRoute(watchedResource('ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }));
    assert.equal(route.matches(obj('networking.k8s.io/v1', 'Ingress', 'a', 'ns')), true);
    assert.equal(route.matches(obj('networking.k8s.io/v1beta1', 'Ingress', 'a', 'ns')), false);
    assert.equal(route.matches(obj('networking.k8s.io/v1', 'IngressClass', 'a')), false);
    assert.equal(route.matches(obj('networking.k8s.io/v1', 'ingress', 'a', 'ns')), false);
  });

  test('matches by pluralized or lowercased kind when only the resource is configured', () => {
    const route = compileRoute(watchedResource('policies', { apiVersion: 'networking.k8s.io/v1', resource: 'networkpolicies' }));
    assert.equal(route.matches(obj('networking.k8s.io/v1', 'NetworkPolicy', 'a', 'ns')), true);
    assert.equal(route.matches(obj('networking.k8s.io/v1', 'Ingress', 'a', 'ns')), false);
    const singular = compileRoute(watchedResource('eps', { apiVersion: 'v1', resource: 'endpoints' }));
    assert.equal(singular.matches(obj('v1', 'Endpoints', 'a', 'ns')), true);
  });

  test('prefers kind over resource when both are configured', () => {
    const route = compileRoute(watchedResource('x', { apiVersion: 'v1', kind: 'Service', resource: 'pods' }));
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'ns')), true);
    assert.equal(route.matches(obj('v1', 'Pod', 'a', 'ns')), false);
  });

  test('honours the namespace; cluster-scoped objects have none', () => {
    const route = compileRoute(watchedResource('svc', { kind: 'Service', namespace: 'prod' }));
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'prod')), true);
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'dev')), false);
    assert.equal(route.matches(obj('v1', 'Service', 'a')), false);
    const all = compileRoute(watchedResource('svc', { kind: 'Service' }));
    assert.equal(all.matches(obj('v1', 'Service', 'a')), true);
  });

  test('honours the label selector', () => {
    const route = compileRoute(watchedResource('svc', { kind: 'Service', labelSelector: 'app in (web,api),!canary' }));
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'ns', { app: 'web' })), true);
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'ns', { app: 'web', canary: 'true' })), false);
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'ns', { app: 'db' })), false);
    assert.equal(route.matches(obj('v1', 'Service', 'a', 'ns')), false);
  });

  test('honours the field selector', () => {
    const route = compileRoute(watchedResource('svc', { kind: 'Service', fieldSelector: 'metadata.namespace!=kube-system,metadata.name!=kubernetes' }));
    assert.equal(route.matches(obj('v1', 'Service', 'web', 'default')), true);
    assert.equal(route.matches(obj('v1', 'Service', 'kubernetes', 'default')), false);
    assert.equal(route.matches(obj('v1', 'Service', 'dns', 'kube-system')), false);
  });

  test('refuses a selector that does not parse, naming the resource and keeping the SelectorError as cause', () => {
    assert.throws(
      () => compileRoute(watchedResource('ingresses', { kind: 'Ingress', labelSelector: 'app in (web' })),
      (err: unknown) =>
        err instanceof WatchError &&
        err.resource === 'ingresses' &&
        /watched resource ingresses: label_selector: .*offset 11/.test(err.message) &&
        err.cause instanceof SelectorError,
    );
    assert.throws(
      () => compileRoute(watchedResource('pods', { kind: 'Pod', fieldSelector: 'spec.nodeName' })),
      /watched resource pods: field_selector: /,
    );
  });

  test('evaluates field selectors on any field, as manifests carry every field', () => {
    const route = compileRoute(watchedResource('secrets', { kind: 'Secret', apiVersion: 'v1', fieldSelector: 'type=kubernetes.io/tls' }));
    const secret = (type: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, type });
    assert.equal(route.matches(secret('kubernetes.io/tls')), true);
    assert.equal(route.matches(secret('Opaque')), false);
  });

  test('refuses a resource with neither kind nor resource', () => {
    assert.throws(() => compileRoute(watchedResource('nothing', {})), /watched resource nothing: neither kind nor resource/);
  });
});
