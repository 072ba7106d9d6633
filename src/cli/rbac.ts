/**
 * The least-privilege RBAC a config needs (`informant rbac`): list and watch on every
 * watched resource (get too for on-demand stores, which fetch single objects), in the
 * namespace a resource names (a Role) or cluster-wide when it names none (a ClusterRole),
 * and get/create/update on the one Lease when leader election is on. API discovery needs
 * no grant: every authenticated user may read /api and /apis. A config whose source is
 * shared reads its objects from a shared store, so its watched resources need no
 * Kubernetes RBAC at all (only the Lease, when leader election is on).
 *
 * A config whose /metrics or /debug/ are authenticated through the cluster (server.auth
 * kubernetes, or auto: kubernetes in a cluster) also gets `create` on tokenreviews and
 * subjectaccessreviews, and the reader ClusterRoles a caller needs (`<name>-metrics-reader`
 * for /metrics, `<name>-debug-reader` for /debug/ when it is on): nonResourceURLs rules,
 * left for the operator to bind (to Prometheus's ServiceAccount, to an on-call group).
 */
import type { Config } from '../config/types.ts';
import { groupOf, isKnownKind, pluralOf } from '../k8s-names.ts';

/** Whom the RBAC is for. */
export interface RbacOptions {
  /** Name of the ServiceAccount, roles and bindings. */
  name: string;
  /** Namespace informant runs in (its ServiceAccount's). */
  namespace: string;
}

/** A Kubernetes object to print. */
export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Record<string, unknown> };

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/**
 * The RBAC objects, the watched resources whose plural was guessed from their kind, and
 * notes for the reader (why a config needs less than it watches).
 */
export function rbacManifests(config: Config, options: RbacOptions): { manifests: Manifest[]; guessed: string[]; notes: string[] } {
  const labels = { 'app.kubernetes.io/name': 'informant' };
  const meta = (namespace?: string): Record<string, unknown> => ({ name: options.name, ...(namespace ? { namespace } : {}), labels });
  const subject = { kind: 'ServiceAccount', name: options.name, namespace: options.namespace };
  const { cluster, namespaced, guessed } = rulesByScope(config);
  const manifests: Manifest[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(options.namespace) }];
  if (cluster.length > 0) {
    manifests.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(), rules: cluster });
    manifests.push(binding('ClusterRoleBinding', meta(), 'ClusterRole', options.name, subject));
  }
  for (const [namespace, rules] of namespaced) {
    manifests.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(namespace), rules });
    manifests.push(binding('RoleBinding', meta(namespace), 'Role', options.name, subject));
  }
  const readers = readerRoles(config, options.name);
  for (const { name, rules } of readers) {
    manifests.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { ...meta(), name }, rules });
  }
  const notes =
    config.source.kind === 'shared'
      ? ['source.shared reads objects from a shared store, not from the Kubernetes API: the watched resources need no Kubernetes RBAC.']
      : [];
  if (readers.length > 0) {
    const names = readers.map((r) => r.name).join(' and ');
    notes.push(`${names}: bind to whoever reads those endpoints (e.g. Prometheus's ServiceAccount); not bound here.`);
  }
  return { manifests, guessed, notes };
}

/** Whether callers of /metrics and /debug/ are checked with the API server (server.auth; auto counts: this is RBAC for a cluster). */
function authenticatesThroughCluster(config: Config): boolean {
  const served = config.server.listen !== undefined || config.server.debug;
  return served && config.server.auth !== 'none';
}

/** The ClusterRoles a reader of /metrics (and /debug/, when on) needs. */
function readerRoles(config: Config, name: string): Array<{ name: string; rules: Rule[] }> {
  if (!authenticatesThroughCluster(config)) return [];
  const roles = [];
  if (config.server.listen !== undefined) roles.push({ name: `${name}-metrics-reader`, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
  if (config.server.debug) roles.push({ name: `${name}-debug-reader`, rules: [{ nonResourceURLs: ['/debug', '/debug/*'], verbs: ['get'] }] });
  return roles;
}

function binding(kind: string, metadata: Record<string, unknown>, roleKind: string, roleName: string, subject: unknown): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
    subjects: [subject],
  };
}

/** Rules for cluster-wide resources, and per namespace (the Lease's namespace included). */
function rulesByScope(config: Config): { cluster: Rule[]; namespaced: Map<string, Rule[]>; guessed: string[] } {
  const cluster: Rule[] = [];
  const namespaced = new Map<string, Rule[]>();
  const guessed: string[] = [];
  const scope = (namespace: string): Rule[] => {
    if (namespace === '') return cluster;
    if (!namespaced.has(namespace)) namespaced.set(namespace, []);
    return namespaced.get(namespace)!;
  };
  const watchedThroughApi = config.source.kind === 'shared' ? [] : config.watchedResources;
  for (const resource of watchedThroughApi) {
    if (resource.resource === undefined && !isKnownKind(resource.kind ?? '')) guessed.push(resource.name);
    const verbs = resource.store === 'on-demand' ? ['get', 'list', 'watch'] : ['list', 'watch'];
    addRule(scope(resource.namespace), { apiGroups: [groupOf(resource.apiVersion)], resources: [pluralOf(resource) ?? ''], verbs });
  }
  if (authenticatesThroughCluster(config)) {
    addRule(cluster, { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] });
    addRule(cluster, { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] });
  }
  const election = config.leaderElection;
  if (election.enabled) {
    const leases = scope(election.namespace);
    addRule(leases, { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] });
    leases.push({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [election.lease], verbs: ['get', 'update'] });
  }
  return { cluster, namespaced: new Map([...namespaced].sort(([a], [b]) => (a < b ? -1 : 1))), guessed };
}

/**
 * The note `informant rbac` prints for a config that watches several clusters (the rules
 * are needed in each of them, by the identity its kubeconfig uses) or every kcp logical
 * cluster (the rules across all of them); undefined for one cluster.
 */
export function clustersNote(config: Config): string | undefined {
  const kube = config.source.kind === 'kubernetes' ? config.source.kubernetes : undefined;
  if (kube?.kcp !== undefined) {
    return '# kcp wildcard watches: grant these list/watch rules across every logical cluster read (through an APIExport virtual workspace: the content of the APIExport, and permission claims for resources it does not export).';
  }
  const clusters = kube?.clusters;
  if (clusters === undefined) return undefined;
  const names = clusters.map((c) => c.name).join(', ');
  return `# Apply these in every watched cluster (${names}): each cluster's credentials need the same rules there.`;
}

/** Adds `rule`, merged into a rule of the same group and verbs (without resourceNames). */
function addRule(rules: Rule[], rule: Rule): void {
  const same = rules.find(
    (r) => r.resourceNames === undefined && r.apiGroups?.join() === rule.apiGroups?.join() && r.verbs.join() === rule.verbs.join(),
  );
  if (!same) {
    rules.push(rule);
    return;
  }
  same.resources = [...new Set([...(same.resources ?? []), ...(rule.resources ?? [])])].sort();
}

