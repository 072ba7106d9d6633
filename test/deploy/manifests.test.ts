import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { rbacManifests } from '../../src/cli/rbac.ts';
import { parseListen } from '../../src/server/index.ts';
import { checkTemplates } from '../../src/templates/index.ts';
import { runCliInProcess } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const SIDECAR = join(DEPLOY, 'haproxy-sidecar');

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

async function yamlFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

async function docs(file: string): Promise<Doc[]> {
  return parseAllDocuments(await readFile(file, 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, [], `${relative(ROOT, file)} parses`);
    return doc.toJS() as Doc;
  });
}

async function one(file: string, kind: string): Promise<Doc> {
  const found = (await docs(join(DEPLOY, file))).find((d) => d.kind === kind);
  assert.ok(found, `${file} has a ${kind}`);
  return found;
}

/** Writes a ConfigMap's files (with config.yaml replaced by `configYaml` when given) into a folder and loads the config. */
async function materialize(configMap: Doc, configYaml?: string): Promise<{ dir: string; config: Config }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-deploy-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(configMap.data as Record<string, string>)) await writeFile(join(dir, name), content);
  if (configYaml !== undefined) await writeFile(join(dir, 'config.yaml'), configYaml);
  return { dir, config: await loadConfig(join(dir, 'config.yaml')) };
}

/** The sidecar overlay's config.yaml with its templates, in a folder as the ConfigMap mounts them, loaded. */
async function sidecarConfig(): Promise<{ dir: string; config: Config }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-sidecar-'));
  dirs.push(dir);
  for (const name of await readdir(join(SIDECAR, 'templates'))) await writeFile(join(dir, name), await readFile(join(SIDECAR, 'templates', name)));
  await writeFile(join(dir, 'config.yaml'), await readFile(join(SIDECAR, 'config.yaml')));
  return { dir, config: await loadConfig(join(dir, 'config.yaml')) };
}

function container(deployment: Doc, name: string): any {
  const found = deployment.spec.template.spec.containers.find((c: { name: string }) => c.name === name);
  assert.ok(found, `a ${name} container`);
  return found;
}

describe('deploy/', () => {
  test('every manifest parses and names its apiVersion, kind and name; kustomizations list existing files', async () => {
    const files = await yamlFiles(DEPLOY);
    assert.ok(files.length >= 9);
    const kustomizations = files.filter((file) => file.endsWith('/kustomization.yaml'));
    /** Files a configMapGenerator puts into a ConfigMap (an informant config, templates): not manifests. */
    const generated = new Set<string>();
    for (const file of kustomizations) {
      const [doc] = await docs(file);
      assert.equal(doc?.kind, 'Kustomization', relative(ROOT, file));
      const listed = [...(doc!.resources ?? []), ...(doc!.patches ?? []).map((p: { path: string }) => p.path)];
      const sources = (doc!.configMapGenerator ?? []).flatMap((g: { files?: string[] }) => (g.files ?? []).map((f) => f.replace(/^[^=]*=/, '')));
      for (const source of sources) generated.add(join(dirname(file), source));
      for (const target of [...listed, ...sources].map((path: string) => join(dirname(file), path))) await readdir(target).catch(async () => readFile(target));
    }
    for (const file of files.filter((f) => !generated.has(f) && !kustomizations.includes(f))) {
      for (const doc of await docs(file)) {
        assert.ok(doc.apiVersion && doc.kind, `${relative(ROOT, file)}: apiVersion and kind`);
        assert.ok(doc.metadata?.name, `${relative(ROOT, file)}: metadata.name`);
      }
    }
  });

  test('the ConfigMap holds a config that loads, whose templates compile and render', async () => {
    const configMap = await one('base/configmap.yaml', 'ConfigMap');
    const { dir, config } = await materialize(configMap);
    assert.deepEqual(checkTemplates({ templates: config.templates, baseDir: config.baseDir }), []);
    const offline = (await readFile(join(dir, 'config.yaml'), 'utf8')).replace(
      /^source:\n(?: .*\n)+/m,
      `source:\n  files: {path: ${join(ROOT, 'examples', 'manifests')}}\n`,
    );
    await writeFile(join(dir, 'offline.yaml'), offline);
    const result = await runCliInProcess(['render', '--config', join(dir, 'offline.yaml'), '--out', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^frontend http\n {4}bind :8000$/m);
    assert.match(result.stdout, /^backend shop_storefront_http\n {4}balance roundrobin\n {4}server /m);
  });

  test('rbac.yaml is what `informant rbac` prints for that config', async () => {
    const { config } = await materialize(await one('base/configmap.yaml', 'ConfigMap'));
    const { manifests } = rbacManifests(config, { name: 'informant', namespace: 'informant' });
    assert.deepEqual(await docs(join(DEPLOY, 'base', 'rbac.yaml')), JSON.parse(JSON.stringify(manifests)));
  });

  test('the Deployment probes /healthz and /readyz on server.listen, runs unprivileged and mounts config and outputs', async () => {
    const deployment = await one('base/deployment.yaml', 'Deployment');
    const { config } = await materialize(await one('base/configmap.yaml', 'ConfigMap'));
    const informant = container(deployment, 'informant');
    const port = parseListen(config.server.listen!).port;
    const named = (name: string) => informant.ports.find((p: { name: string }) => p.name === name)?.containerPort;
    assert.equal(informant.livenessProbe.httpGet.path, '/healthz');
    assert.equal(informant.readinessProbe.httpGet.path, '/readyz');
    assert.equal(named(informant.livenessProbe.httpGet.port), port);
    assert.equal(named(informant.readinessProbe.httpGet.port), port);
    assert.deepEqual(informant.args, ['run', '--config', '/etc/informant/config.yaml']);
    const pod = deployment.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(informant.securityContext.allowPrivilegeEscalation, false);
    assert.equal(pod.serviceAccountName, 'informant');
    const mounts = new Map(informant.volumeMounts.map((m: { name: string; mountPath: string }) => [m.name, m]));
    assert.equal((mounts.get('config') as { mountPath: string }).mountPath, '/etc/informant');
    assert.equal((mounts.get('config') as { subPath?: string }).subPath, undefined, 'no subPath: ConfigMap updates must reach the files');
    const outputDir = (mounts.get('output') as { mountPath: string }).mountPath;
    for (const template of config.templates) assert.equal(dirname(template.output), outputDir);
    assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'config').configMap.name, 'informant-config');
    assert.ok(pod.terminationGracePeriodSeconds > 20, 'longer than the default --shutdown-timeout');
    const service = await one('base/service.yaml', 'Service');
    assert.equal(service.spec.ports[0].targetPort, informant.ports[0].name);
  });

  test('/metrics is authenticated through the cluster, /debug/ is off, and a NetworkPolicy lets only the metrics port in', async () => {
    const { config } = await materialize(await one('base/configmap.yaml', 'ConfigMap'));
    assert.equal(config.server.auth, 'kubernetes');
    assert.equal(config.server.debug, false);
    const rules = (await docs(join(DEPLOY, 'base', 'rbac.yaml'))).filter((d) => d.kind === 'ClusterRole').flatMap((d) => d.rules);
    for (const resource of ['tokenreviews', 'subjectaccessreviews']) {
      assert.ok(rules.some((r: { resources?: string[]; verbs: string[] }) => r.resources?.includes(resource) && r.verbs.includes('create')), resource);
    }
    const policy = await one('base/networkpolicy.yaml', 'NetworkPolicy');
    const deployment = await one('base/deployment.yaml', 'Deployment');
    assert.deepEqual(policy.spec.podSelector.matchLabels, deployment.spec.template.metadata.labels);
    assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
    const ports = policy.spec.ingress.flatMap((rule: { ports: Array<{ port: string }> }) => rule.ports.map((p) => p.port));
    assert.deepEqual(ports, [container(deployment, 'informant').ports[0].name]);
    const kustomization = await one('base/kustomization.yaml', 'Kustomization');
    assert.ok(kustomization.resources.includes('networkpolicy.yaml'));
  });

  test('the HAProxy sidecar runs the example\'s templates, copied unchanged, with a config that loads', async () => {
    const example = join(ROOT, 'examples', 'templates');
    const copies = (await readdir(join(SIDECAR, 'templates'))).sort();
    assert.deepEqual(copies, (await readdir(example)).sort(), 'every template of the example, nothing else');
    for (const name of copies) {
      assert.equal(await readFile(join(SIDECAR, 'templates', name), 'utf8'), await readFile(join(example, name), 'utf8'), `templates/${name} is examples/templates/${name}`);
    }
    const kustomization = (await docs(join(SIDECAR, 'kustomization.yaml')))[0]!;
    const generated = kustomization.configMapGenerator.find((g: { name: string }) => g.name === 'informant-config');
    assert.equal(generated.behavior, 'merge');
    assert.deepEqual([...generated.files].sort(), ['config.yaml', ...copies.map((name) => `templates/${name}`)].sort());
    const { config } = await sidecarConfig();
    assert.deepEqual(checkTemplates({ templates: config.templates, baseDir: config.baseDir }), []);
    assert.deepEqual(config.templates.map((t) => t.name), ['certs', 'crt-list.txt', 'haproxy.cfg'], 'certificates first, then what names them');
  });

  test('the HAProxy sidecar shares the outputs and a memory-backed certificate folder, and informant can signal it', async () => {
    const patch = await one('haproxy-sidecar/deployment.yaml', 'Deployment');
    const { config } = await sidecarConfig();
    const byName = new Map(config.templates.map((t) => [t.name, t]));
    const haproxy = container(patch, 'haproxy');
    const mount = (c: { volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> }, name: string) => c.volumeMounts.find((m) => m.name === name);
    assert.equal(mount(haproxy, 'output')?.mountPath, dirname(byName.get('haproxy.cfg')!.output));
    assert.equal(dirname(byName.get('crt-list.txt')!.output), dirname(byName.get('haproxy.cfg')!.output), 'the crt-list beside haproxy.cfg, as vars.crt_list says');
    const certs = byName.get('certs')!.forEach!.dir;
    assert.equal(certs, config.vars?.cert_dir, 'the PEM files go where the crt-list names them');
    assert.equal(mount(haproxy, 'certs')?.mountPath, certs);
    assert.equal(mount(haproxy, 'certs')?.readOnly, true);
    assert.equal(mount(container(patch, 'informant'), 'certs')?.mountPath, certs);
    assert.equal(patch.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'certs').emptyDir.medium, 'Memory', 'private keys never reach the node\'s disk');
    assert.equal(byName.get('certs')!.mode, 0o600);
    assert.match(haproxy.command.join(' '), new RegExp(`-W .*-f ${byName.get('haproxy.cfg')!.output.replaceAll('.', '\\.')}`));
    assert.equal(patch.spec.template.spec.shareProcessNamespace, true);
    const pidFile = /-p (\S+)/.exec(haproxy.command.join(' '))?.[1] ?? assert.fail('HAProxy writes a pid file (-p)');
    for (const template of config.templates) assert.ok(template.onChange?.join(' ').includes(pidFile), `${template.name}: on_change signals the pid HAProxy writes`);
    assert.ok(container(patch, 'informant').volumeMounts.some((m: { mountPath: string }) => m.mountPath === dirname(pidFile)), 'informant can read the pid file');
    assert.equal(config.leaderElection.enabled, false, 'every replica reloads its own HAProxy');
    const ports = new Map(haproxy.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    assert.deepEqual([ports.get('http'), ports.get('https'), ports.get('haproxy-stats')], [config.vars?.http_port, config.vars?.https_port, config.vars?.stats_port]);
    assert.ok(![...ports.values()].includes(parseListen(config.server.listen!).port), 'HAProxy and informant do not share a port');
    const service = await one('haproxy-sidecar/haproxy-service.yaml', 'Service');
    assert.deepEqual(service.spec.ports.map((p: { targetPort: string }) => p.targetPort), ['http', 'https']);
  });

  test('the HAProxy sidecar\'s RBAC patch is what `informant rbac` prints for its config', async () => {
    const { config } = await sidecarConfig();
    const { manifests } = rbacManifests(config, { name: 'informant', namespace: 'informant' });
    const expected = manifests.find((m) => m.kind === 'ClusterRole') as unknown as { rules: unknown };
    assert.deepEqual((await one('haproxy-sidecar/rbac.yaml', 'ClusterRole')).rules, JSON.parse(JSON.stringify(expected.rules)));
  });

  test('the HAProxy sidecar\'s config renders the example, PEM files included, from manifests', async () => {
    const { dir } = await sidecarConfig();
    const offline = (await readFile(join(dir, 'config.yaml'), 'utf8')).replace(/^source:\n(?: .*\n)+/m, `source:\n  files: {path: ${join(ROOT, 'examples', 'manifests')}}\n`);
    await writeFile(join(dir, 'offline.yaml'), offline);
    const result = await runCliInProcess(['render', '--config', join(dir, 'offline.yaml'), '--out', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^==> certs\/shop_shop-tls\.pem <==\n-----BEGIN CERTIFICATE-----$/m);
    assert.match(result.stdout, /^\/etc\/haproxy\/certs\/shop_shop-tls\.pem shop\.example\.com$/m);
    assert.match(result.stdout, /^ {4}bind :8443 ssl crt-list crt-list\.txt alpn h2,http\/1\.1$/m);
  });

  test('the Dockerfile builds in stages on node:24-slim, installs production dependencies only and runs unprivileged', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.ok(stages.length >= 2 && stages.every((image) => image === 'node:24-slim'), stages.join(', '));
    assert.match(dockerfile, /^RUN npm ci --omit=dev\b/m);
    assert.match(dockerfile, /^USER 1000:1000$/m);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)![1]!) as string[];
    assert.deepEqual(entrypoint, ['node', 'bin/informant.js']);
    const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n');
    for (const path of ['node_modules', '.git', 'test']) assert.ok(ignored.includes(path), `.dockerignore leaves out ${path}`);
  });
});
