/**
 * Discovery and informational endpoints: /version, /api, /api/v1, /apis, /apis/{group},
 * /apis/{group}/{version}, /healthz, /readyz, /livez and /. Only the legacy (unaggregated)
 * discovery documents are served, as application/json; clients that ask for aggregated
 * discovery (kubectl does) fall back to them, as they do with older servers.
 */
import type { ResourceRegistry, ServedResource } from './resources.ts';

/** The version.Info the server reports (kubectl picks its client version from it). */
export const SERVER_VERSION = Object.freeze({
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: '60a317eadfcb839692a68eab88b2096f4d708f4f',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T13:00:00Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
});

/** One APIResource entry. */
function apiResource(r: ServedResource): object {
  return {
    name: r.resource,
    singularName: r.singularName,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
}

/** The APIResourceList of one group version, or undefined when nothing is served there. */
function resourceList(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const resources = registry.all.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: resources.map(apiResource),
  };
}

/** The APIGroup document of one named group. */
function apiGroup(name: string, versions: string[]): object {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: list, preferredVersion: list[0] };
}

/** The APIGroupList of every named (non-core) group. */
function groupList(registry: ResourceRegistry): object {
  const groups = [...registry.groupVersions()]
    .filter(([name]) => name !== '')
    .map(([name, versions]) => {
      const { kind: _kind, apiVersion: _apiVersion, ...group } = apiGroup(name, versions) as Record<string, unknown>;
      return group;
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** A discovery answer: a JSON document, or plain text for the health endpoints. */
export type DiscoveryAnswer = { json: object } | { text: string };

/**
 * The discovery or informational document at `pathname`, or undefined when the path is
 * not one (a resource path, or unknown: the caller answers 404). `host` fills
 * serverAddressByClientCIDRs.
 */
export function discover(registry: ResourceRegistry, pathname: string, host: string): DiscoveryAnswer | undefined {
  const segments = pathname.split('/').filter((s) => s !== '');
  const [first, second, third] = segments;
  if (segments.length === 0) {
    return { json: { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/version'] } };
  }
  if (segments.length === 1 && (first === 'healthz' || first === 'readyz' || first === 'livez')) return { text: 'ok' };
  if (segments.length === 1 && first === 'version') return { json: SERVER_VERSION };
  if (first === 'api' && segments.length === 1) {
    const versions = registry.groupVersions().get('') ?? [];
    const serverAddressByClientCIDRs = [{ clientCIDR: '0.0.0.0/0', serverAddress: host }];
    return { json: { kind: 'APIVersions', versions, serverAddressByClientCIDRs } };
  }
  if (first === 'api' && segments.length === 2) return wrap(resourceList(registry, '', second!));
  if (first === 'apis' && segments.length === 1) return { json: groupList(registry) };
  if (first === 'apis' && segments.length === 2) {
    const versions = registry.groupVersions().get(second!);
    return versions === undefined || second === '' ? undefined : { json: apiGroup(second!, versions) };
  }
  if (first === 'apis' && segments.length === 3) return wrap(resourceList(registry, second!, third!));
  return undefined;
}

function wrap(json: object | undefined): DiscoveryAnswer | undefined {
  return json === undefined ? undefined : { json };
}
