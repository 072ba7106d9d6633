import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { clustersNote, rbacManifests } from '../../src/cli/rbac.ts';
import { runCliInProcess } from '../support/cli.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CONFIG = `
watched_resources:
  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress}
  services: {api_version: v1, kind: Service}
  slices: {api_version: discovery.k8s.io/v1, resource: endpointslices}
  secrets: {api_version: v1, kind: Secret, namespace: shop, store: on-demand}
  configs: {api_version: v1, kind: ConfigMap, namespace: shop}
  widgets: {api_version: example.com/v1alpha1, kind: WidgetPolicy, namespace: blog}
source: {kubernetes: {}}
leader_election: {enabled: true, lease: informant-leader, namespace: infra}
`;

describe('informant rbac', () => {
  test('prints a ServiceAccount, a ClusterRole for cluster-wide resources and a Role per namespace, with least privilege', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-rbac-'));
    dirs.push(dir);
    const file = join(dir, 'config.yaml');
    await writeFile(file, CONFIG);
    const result = await runCliInProcess(['rbac', '--config', file, '--namespace', 'proxy', '--name', 'edge']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# RBAC for .*config\.yaml \(informant rbac\)\n# Plural resource names guessed from kind for: widgets;/);
    const docs = parseAllDocuments(result.stdout).map((doc) => doc.toJS());
    assert.deepEqual(
      docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`),
      [
        'ServiceAccount proxy/edge',
        'ClusterRole /edge',
        'ClusterRoleBinding /edge',
        'Role blog/edge',
        'RoleBinding blog/edge',
        'Role infra/edge',
        'RoleBinding infra/edge',
        'Role shop/edge',
        'RoleBinding shop/edge',
      ],
    );
    const byId = new Map(docs.map((d) => [`${d.kind} ${d.metadata.namespace ?? ''}`, d]));
    assert.deepEqual(byId.get('ClusterRole ')?.rules, [
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
    assert.deepEqual(byId.get('Role shop')?.rules, [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] },
    ]);
    assert.deepEqual(byId.get('Role blog')?.rules, [{ apiGroups: ['example.com'], resources: ['widgetpolicies'], verbs: ['list', 'watch'] }]);
    assert.deepEqual(byId.get('Role infra')?.rules, [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['informant-leader'], verbs: ['get', 'update'] },
    ]);
    assert.deepEqual(byId.get('ClusterRoleBinding ')?.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edge' });
    assert.deepEqual(byId.get('RoleBinding shop')?.subjects, [{ kind: 'ServiceAccount', name: 'edge', namespace: 'proxy' }]);
    assert.deepEqual(byId.get('RoleBinding shop')?.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'edge' });
  });

  test('grants nothing for leases when leader election is off, and no ClusterRole when everything is namespaced', () => {
    const config = parseConfig('watched_resources:\n  pods: {api_version: v1, kind: Pod, namespace: web}\n');
    const { manifests, guessed } = rbacManifests(config, { name: 'informant', namespace: 'web' });
    assert.deepEqual(manifests.map((m) => m.kind), ['ServiceAccount', 'Role', 'RoleBinding']);
    assert.deepEqual(guessed, []);
  });

  test('grants nothing for the watched resources of a shared source, and says why', () => {
    const config = parseConfig(
      [
        'watched_resources:',
        '  pods: {api_version: v1, kind: Pod, namespace: web}',
        '  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress}',
        'source:',
        '  shared: {backend: postgres, postgres: {url: "postgres://informant@db/informant"}}',
        '',
      ].join('\n'),
    );
    const { manifests, notes } = rbacManifests(config, { name: 'informant', namespace: 'web' });
    assert.deepEqual(manifests.map((m) => m.kind), ['ServiceAccount']);
    assert.match(notes.join('\n'), /source.shared .*no Kubernetes RBAC/);
  });

  test('a published store (store: published) needs list and watch only: publishing asks nothing more of Kubernetes', () => {
    const text = [
      'watched_resources:',
      '  services: {api_version: v1, kind: Service, namespace: web, store: published}',
      'publish:',
      '  {backend: etcd, cluster: east, etcd: {endpoints: ["https://etcd:2379"]}}',
      'leader_election: {enabled: true, lease: edge, namespace: web}',
    ].join('\n');
    const { manifests } = rbacManifests(parseConfig(text), { name: 'informant', namespace: 'web' });
    const role = manifests.find((m) => m.kind === 'Role') as unknown as { rules: Array<{ resources: string[]; verbs: string[] }> };
    assert.deepEqual(role.rules.find((r) => r.resources.includes('services'))?.verbs, ['list', 'watch']);
    assert.ok(role.rules.some((r) => r.resources.includes('leases')), 'leader election keeps its Lease rules');
  });

  test('a kcp wildcard source says the rules are needed across every logical cluster read', () => {
    const config = parseConfig('watched_resources:\n  services: {api_version: v1, kind: Service}\nsource: {kubernetes: {kcp: {}}}\n', '/c.yaml');
    assert.match(clustersNote(config) ?? '', /^# kcp wildcard watches: grant these list\/watch rules across every logical cluster read/);
  });
});
