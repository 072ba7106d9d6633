/**
 * `kubectl kustomize` builds every overlay under deploy/overlays/ (and the base), and every
 * component is built in at least one overlay or in the combinations the README shows. What
 * each overlay builds is what its files say: a ConfigMap whose config and templates load
 * together, RBAC that is exactly what `informant rbac` prints for that config, the service
 * account token in informant's container only, the HAProxy layouts, two replicas with a
 * PodDisruptionBudget and spread, and monitoring that reaches the metrics port. Needs
 * kubectl (it ships kustomize): skipped with a message without it, except under CI=true,
 * where it fails.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { rbacManifests } from '../../src/cli/rbac.ts';
import { checkTemplates } from '../../src/templates/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { build, container, DEPLOY, KUBECTL, mountConfigMap, ROOT, type Doc } from '../support/deploy.ts';
import { skipUnlessInstalled } from '../support/local-server.ts';

const OVERLAYS = ['ha', 'haproxy-exec', 'haproxy-sidecar', 'standalone'];
const COMPONENTS = ['components/ha', 'components/haproxy', 'components/haproxy-exec', 'components/haproxy-sidecar', 'monitoring'];
/** Where the token of a Pod's service account is mounted for in-cluster clients. */
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The folders under `dir` holding a kustomization.yaml, by its kind (Kustomization or Component). */
async function kustomizations(dir: string, found = new Map<string, string>()): Promise<Map<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await kustomizations(join(dir, entry.name), found);
    else if (entry.name === 'kustomization.yaml') found.set(relative(DEPLOY, dir), (parse(await readFile(join(dir, entry.name), 'utf8')) as { kind: string }).kind);
  }
  return found;
}

/** The components a kustomization folder uses, with those they use in turn (folders relative to deploy/). */
async function componentsOf(dir: string): Promise<string[]> {
  const { components = [] } = parse(await readFile(join(DEPLOY, dir, 'kustomization.yaml'), 'utf8')) as { components?: string[] };
  const direct = components.map((path) => relative(DEPLOY, join(DEPLOY, dir, path)));
  return [...direct, ...(await Promise.all(direct.map(componentsOf))).flat()];
}

const one = (built: Doc[], kind: string, name = 'informant'): Doc => built.find((d) => d.kind === kind && d.metadata.name === name) ?? assert.fail(`a ${kind} ${name}`);
const pod = (built: Doc[]) => one(built, 'Deployment').spec.template.spec;

describe('kubectl kustomize of deploy/', { skip: skipUnlessInstalled(KUBECTL !== undefined, 'kubectl not installed: the kustomizations under deploy/ are not built') }, () => {
  const dirs: string[] = [];
  const overlays = new Map<string, Doc[]>();
  before(async () => {
    for (const name of OVERLAYS) overlays.set(name, await build(join(DEPLOY, 'overlays', name)));
  });
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** Builds the base with `components` (folders relative to deploy/), as an operator's own kustomization would. */
  async function combine(components: string[]): Promise<Doc[]> {
    const dir = await mkdtemp(join(tmpdir(), 'informant-overlay-'));
    dirs.push(dir);
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(dir, join(DEPLOY, 'base'))], components: components.map((c) => relative(dir, join(DEPLOY, c))) };
    await writeFile(join(dir, 'kustomization.yaml'), JSON.stringify(kustomization));
    return build(dir);
  }

  test('every overlay and the base build; every component is used by an overlay', async () => {
    const found = await kustomizations(DEPLOY);
    const byKind = (kind: string) => [...found].filter(([, k]) => k === kind).map(([dir]) => dir).sort();
    assert.deepEqual(byKind('Kustomization'), ['base', ...OVERLAYS.map((name) => `overlays/${name}`)]);
    assert.deepEqual(byKind('Component'), COMPONENTS);
    const used = new Set((await Promise.all(OVERLAYS.map((name) => componentsOf(`overlays/${name}`)))).flat());
    assert.deepEqual([...used].sort(), COMPONENTS);
    assert.ok((await build(join(DEPLOY, 'base'))).some((d) => d.kind === 'Deployment'));
    for (const [name, built] of overlays) {
      const deployment = one(built, 'Deployment');
      assert.equal(deployment.metadata.namespace, 'informant', name);
      assert.equal(deployment.spec.replicas, name === 'ha' ? 2 : 1, `${name}: the replica count is the ha component's alone`);
    }
  });

  test('the components combine: each HAProxy layout with two replicas and monitoring', async () => {
    for (const layout of ['components/haproxy-sidecar', 'components/haproxy-exec']) {
      const built = await combine([layout, 'components/ha', 'monitoring']);
      assert.equal(one(built, 'Deployment').spec.replicas, 2, layout);
      assert.ok(built.some((d) => d.kind === 'PrometheusRule') && built.some((d) => d.kind === 'Service' && d.metadata.name === 'haproxy'), layout);
    }
  });

  test('the README\'s own kustomization, picking components, builds as it says', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const snippet = [...readme.matchAll(/```yaml\n(# kustomization\.yaml[\s\S]*?)```/g)].map((m) => m[1]!);
    assert.equal(snippet.length, 1, 'one kustomization.yaml in the README');
    const dir = await mkdtemp(join(tmpdir(), 'informant-readme-'));
    dirs.push(dir);
    await writeFile(join(dir, 'kustomization.yaml'), snippet[0]!.replaceAll('../deploy/', `${relative(dir, DEPLOY)}/`));
    const built = await build(dir);
    const deployment = one(built, 'Deployment');
    assert.equal(deployment.spec.replicas, 2);
    assert.match(container(deployment, 'informant').image, /^registry\.example\.com\/informant:\S+-haproxy$/, 'the image renamed, its tag kept');
    assert.ok(built.some((d) => d.kind === 'PrometheusRule'));
  });

  test('only informant\'s container gets the service-account token, in every overlay', () => {
    for (const [name, built] of overlays) {
      const spec = pod(built);
      assert.equal(spec.automountServiceAccountToken, false, `${name}: no token for every container`);
      const tokenVolumes = new Set(spec.volumes.filter((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken)).map((v: { name: string }) => v.name));
      assert.equal(tokenVolumes.size, 1, `${name}: one projected token volume`);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const mounts: Array<{ name: string; mountPath: string }> = c.volumeMounts ?? [];
        const token = mounts.filter((m) => tokenVolumes.has(m.name) || m.mountPath.startsWith('/var/run/secrets/kubernetes.io'));
        if (c.name === 'informant') assert.deepEqual(token.map((m) => m.mountPath), [TOKEN_DIR], `${name}: informant reads its token where in-cluster clients look`);
        else assert.deepEqual(token, [], `${name}: container ${c.name} mounts no service-account token`);
      }
    }
  });

  for (const name of OVERLAYS) {
    test(`${name}: the ConfigMap holds a config that loads with its templates, and the RBAC is what \`informant rbac\` prints for it`, async () => {
      const built = overlays.get(name)!;
      const { config } = await mountConfigMap(one(built, 'ConfigMap', 'informant-config'), dirs);
      assert.deepEqual(checkTemplates({ templates: config.templates, baseDir: config.baseDir }), []);
      const { manifests } = rbacManifests(config, { name: 'informant', namespace: 'informant' });
      const byId = (d: Doc) => `${d.kind}/${d.metadata.name}`;
      const rbac = (docs: readonly Doc[]) =>
        JSON.parse(JSON.stringify(docs.filter((d) => d.apiVersion.startsWith('rbac.') || d.kind === 'ServiceAccount'))).sort((a: Doc, b: Doc) => byId(a).localeCompare(byId(b)));
      const deployed = built.filter((d) => byId(d) !== 'ClusterRoleBinding/informant-metrics-reader');
      assert.deepEqual(rbac(deployed), rbac(manifests as unknown as Doc[]));
    });
  }

  test('the HAProxy sidecar overlay: one ConfigMap with the example\'s templates and the reload script, the sidecar in its own process namespace, its certificates in memory', async () => {
    const built = overlays.get('haproxy-sidecar')!;
    const configMaps = built.filter((d) => d.kind === 'ConfigMap');
    assert.deepEqual(configMaps.map((d) => d.metadata.name), ['informant-config'], 'the base ConfigMap, merged, under its own name');
    assert.deepEqual(Object.keys(configMaps[0]!.data).sort(), ['_macros.njk', '_model.njk', 'config.yaml', 'crt-list.txt.njk', 'haproxy-reload.mjs', 'haproxy.cfg.njk', 'tls-cert.pem.njk']);
    const { config } = await mountConfigMap(configMaps[0]!, dirs);
    assert.ok(config.templates.some((t) => t.forEach !== undefined), 'the PEM files are a for_each template');
    const spec = pod(built);
    assert.deepEqual(spec.containers.map((c: { name: string }) => c.name).sort(), ['haproxy', 'informant']);
    assert.equal(spec.shareProcessNamespace, undefined, 'HAProxy sees none of informant\'s processes');
    assert.equal(spec.volumes.find((v: { name: string }) => v.name === 'certs').emptyDir.medium, 'Memory');
    assert.ok(one(built, 'ClusterRole').rules.some((r: { resources: string[]; verbs: string[] }) => r.resources.includes('secrets') && r.verbs.includes('get')), 'TLS Secrets are read on demand');
    assert.ok(!built.some((d) => d.kind === 'Role'), 'no Lease: leader election is off');
  });

  test('the HAProxy exec overlay: one container running HAProxy as informant\'s child, no shared process namespace', async () => {
    const built = overlays.get('haproxy-exec')!;
    const spec = pod(built);
    assert.deepEqual(spec.containers.map((c: { name: string }) => c.name), ['informant']);
    assert.notEqual(spec.shareProcessNamespace, true);
    const informant = container(one(built, 'Deployment'), 'informant');
    assert.match(informant.image, /^informant:\S+-haproxy$/, 'the image with haproxy (the Dockerfile\'s haproxy stage)');
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^# .*--target haproxy -t informant:\S+-haproxy/m, 'the Dockerfile says how to build it');
    const mountPath = (volume: string) => informant.volumeMounts.find((m: { name: string }) => m.name === volume)?.mountPath;
    assert.equal(spec.volumes.find((v: { name: string }) => v.name === 'certs').emptyDir.medium, 'Memory', 'private keys never reach the node\'s disk');
    const data = one(built, 'ConfigMap', 'informant-config').data as Record<string, string>;
    const raw = parse(data['config.yaml']!) as { exec: { command: string[]; reload_signal: string }; templates: Record<string, { output: string }>; vars: Record<string, unknown> };
    const cfg = raw.templates['haproxy.cfg']!.output;
    assert.deepEqual(raw.exec.command, ['haproxy', '-W', '-db', '-f', cfg], 'HAProxy in master-worker mode, in the foreground, on the rendered file');
    assert.equal(raw.exec.reload_signal, 'SIGUSR2', 'the master reloads on SIGUSR2');
    assert.equal(mountPath('output'), dirname(cfg));
    assert.equal(mountPath('certs'), raw.vars.cert_dir);
    assert.equal(mountPath('haproxy-run'), dirname(String(raw.vars.stats_socket)));
    const ports = new Map(informant.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    assert.deepEqual([ports.get('http'), ports.get('https'), ports.get('haproxy-stats')], [raw.vars.http_port, raw.vars.https_port, raw.vars.stats_port]);
    assert.deepEqual(one(built, 'Service', 'haproxy').spec.ports.map((p: { targetPort: string }) => p.targetPort), ['http', 'https']);
  });

  test('`informant check-config` accepts the HAProxy exec overlay\'s config', async () => {
    const { dir } = await mountConfigMap(one(overlays.get('haproxy-exec')!, 'ConfigMap', 'informant-config'), dirs);
    const result = await runCliInProcess(['check-config', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
  });

  test('the ha overlay: two replicas under leader election, a PodDisruptionBudget, spread over nodes and zones', async () => {
    const built = overlays.get('ha')!;
    const deployment = one(built, 'Deployment');
    const labels = deployment.spec.template.metadata.labels;
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, 'a new Pod is ready before an old one goes');
    const budget = one(built, 'PodDisruptionBudget');
    assert.equal(budget.spec.minAvailable, 1);
    assert.deepEqual(budget.spec.selector.matchLabels, labels);
    const spread = new Map(pod(built).topologySpreadConstraints.map((c: any) => [c.topologyKey, c]));
    assert.deepEqual([...spread.keys()].sort(), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const constraint of spread.values()) assert.deepEqual((constraint as any).labelSelector.matchLabels, labels);
    assert.equal((spread.get('kubernetes.io/hostname') as any).whenUnsatisfiable, 'DoNotSchedule', 'never both replicas on one node');
    const { config } = await mountConfigMap(one(built, 'ConfigMap', 'informant-config'), dirs);
    assert.equal(config.leaderElection.enabled, true, 'only the Lease holder runs on_change');
    assert.equal(config.leaderElection.namespace, 'informant');
    assert.ok(one(built, 'Role').rules.some((r: { resources: string[] }) => r.resources.includes('leases')));
  });

  test('monitoring scrapes the metrics port with a token allowed to read /metrics, and ships the alerts and the dashboard', async () => {
    const built = overlays.get('ha')!;
    const monitor = one(built, 'ServiceMonitor');
    const service = one(built, 'Service');
    assert.deepEqual(monitor.spec.selector.matchLabels, service.metadata.labels);
    assert.ok(!built.some((d) => d.kind === 'Service' && d.metadata.name !== 'informant' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => d.metadata.labels?.[k] === v)), 'it selects informant\'s Service alone');
    const [endpoint] = monitor.spec.endpoints;
    assert.ok(service.spec.ports.some((p: { name: string }) => p.name === endpoint.port), 'a port of the Service');
    assert.equal(endpoint.path, '/metrics');
    assert.equal(endpoint.bearerTokenFile, TOKEN_DIR + '/token', '/metrics is authenticated');
    const binding = one(built, 'ClusterRoleBinding', 'informant-metrics-reader');
    const reader = one(built, 'ClusterRole', binding.roleRef.name);
    assert.deepEqual(reader.rules, [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    assert.ok(one(built, 'PrometheusRule').spec.groups[0].rules.length >= 5);
    const dashboard = one(built, 'ConfigMap', 'informant-grafana-dashboard');
    assert.equal(dashboard.metadata.labels?.grafana_dashboard, '1');
    assert.equal(dashboard.data['grafana-dashboard.json'], await readFile(join(DEPLOY, 'monitoring', 'grafana-dashboard.json'), 'utf8'));
  });
});
