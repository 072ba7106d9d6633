/**
 * Builders of the config values tests hand to the code under test: a complete value from
 * the few fields a test is about, so each test shows only what matters to it.
 */
import type { WatchedResourceConfig } from '../../src/config/types.ts';

/**
 * A watched resource as the config loader hands it out, named `name`: apiVersion v1, every
 * namespace, no label or field selector, indexed by namespace and name, no remove_fields,
 * store full. `fields` set the rest; at least one of kind and resource, as in a config.
 */
export function watchedResource(name: string, fields: Partial<WatchedResourceConfig> = {}): WatchedResourceConfig {
  return {
    name,
    apiVersion: 'v1',
    namespace: '',
    labelSelector: '',
    fieldSelector: '',
    indexBy: ['metadata.namespace', 'metadata.name'],
    removeFields: [],
    store: 'full',
    ...fields,
  };
}
