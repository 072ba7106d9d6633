import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { Config } from '../../src/config/index.ts';
import { rbacManifests } from '../../src/cli/rbac.ts';
import { parseListen } from '../../src/server/index.ts';
import { checkTemplates } from '../../src/templates/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { container, DEPLOY, docs, mountConfigMap, ROOT, type Doc } from '../support/deploy.ts';

const HAPROXY = join(DEPLOY, 'components', 'haproxy');
const SIDECAR = join(DEPLOY, 'components', 'haproxy-sidecar');
const EXEC = join(DEPLOY, 'components', 'haproxy-exec');

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function yamlFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

async function one(file: string, kind: string): Promise<Doc> {
  const found = (await docs(join(DEPLOY, file))).find((d) => d.kind === kind);
  assert.ok(found, `${file} has a ${kind}`);
  return found;
}

function mountsOf(c: { volumeMounts: Array<{ name: string; mountPath: string }> }): Map<string, object> {
  return new Map(c.volumeMounts.map((m) => [m.name, m]));
}

/** The base ConfigMap's files in a folder as the Pod mounts them, loaded. */
async function baseConfig(): Promise<{ dir: string; config: Config }> {
  return mountConfigMap(await one('base/configmap.yaml', 'ConfigMap'), dirs);
}

/** An HAProxy layout's config.yaml with the shared templates, in a folder as the ConfigMap mounts them, loaded. */
async function haproxyConfig(layout = SIDECAR): Promise<{ dir: string; config: Config }> {
  const data: Record<string, string> = { 'config.yaml': await readFile(join(layout, 'config.yaml'), 'utf8') };
  for (const name of await readdir(join(HAPROXY, 'templates'))) data[name] = await readFile(join(HAPROXY, 'templates', name), 'utf8');
  return mountConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'informant-config' }, data }, dirs);
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
      assert.ok(['Kustomization', 'Component'].includes(doc?.kind ?? ''), relative(ROOT, file));
      const patchFiles = (doc!.patches ?? []).flatMap((p: { path?: string }) => (p.path === undefined ? [] : [p.path]));
      const listed = [...(doc!.resources ?? []), ...(doc!.components ?? []), ...patchFiles];
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
    const { dir, config } = await baseConfig();
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
    const { config } = await baseConfig();
    const { manifests } = rbacManifests(config, { name: 'informant', namespace: 'informant' });
    assert.deepEqual(await docs(join(DEPLOY, 'base', 'rbac.yaml')), JSON.parse(JSON.stringify(manifests)));
  });

  test('the Deployment probes /healthz and /readyz on server.listen, runs unprivileged and mounts config and outputs', async () => {
    const deployment = await one('base/deployment.yaml', 'Deployment');
    const { config } = await baseConfig();
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
    assert.equal(pod.automountServiceAccountToken, false, 'a container added to the Pod gets no token');
    const token = pod.volumes.find((v: { name: string }) => v.name === 'token').projected.sources;
    assert.ok(token.some((source: { serviceAccountToken?: unknown }) => source.serviceAccountToken), 'a projected, rotated token');
    assert.equal((mountsOf(informant).get('token') as { mountPath: string }).mountPath, '/var/run/secrets/kubernetes.io/serviceaccount', 'where in-cluster clients read it');
    const mounts = mountsOf(informant);
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
    const { config } = await baseConfig();
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

  test('the HAProxy layouts run the example\'s templates, copied unchanged, with a config that loads', async () => {
    const example = join(ROOT, 'examples', 'templates');
    const copies = (await readdir(join(HAPROXY, 'templates'))).sort();
    assert.deepEqual(copies, (await readdir(example)).sort(), 'every template of the example, nothing else');
    for (const name of copies) {
      assert.equal(await readFile(join(HAPROXY, 'templates', name), 'utf8'), await readFile(join(example, name), 'utf8'), `templates/${name} is examples/templates/${name}`);
    }
    const merged = async (dir: string) => {
      const generated = (await docs(join(dir, 'kustomization.yaml')))[0]!.configMapGenerator.find((g: { name: string }) => g.name === 'informant-config');
      assert.equal(generated.behavior, 'merge');
      return [...generated.files].sort();
    };
    assert.deepEqual(await merged(HAPROXY), copies.map((name) => `templates/${name}`).sort());
    for (const layout of [SIDECAR, EXEC]) {
      assert.deepEqual(await merged(layout), layout === SIDECAR ? ['config.yaml', 'haproxy-reload.mjs'] : ['config.yaml'], relative(ROOT, layout));
      assert.deepEqual((await docs(join(layout, 'kustomization.yaml')))[0]!.components, ['../haproxy'], `${relative(ROOT, layout)} adds the templates`);
    }
    const { config } = await haproxyConfig();
    assert.deepEqual(checkTemplates({ templates: config.templates, baseDir: config.baseDir }), []);
    assert.deepEqual(config.templates.map((t) => t.name), ['certs', 'crt-list.txt', 'haproxy.cfg'], 'certificates first, then what names them');
  });

  test('the HAProxy sidecar shares the outputs and a memory-backed certificate folder, and informant can ask it to reload', async () => {
    const patch = await one('components/haproxy-sidecar/deployment.yaml', 'Deployment');
    const { config } = await haproxyConfig();
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
    assert.equal(patch.spec.template.spec.shareProcessNamespace, undefined, 'HAProxy sees none of informant\'s processes');
    const socket = /-S (\S+)/.exec(haproxy.command.join(' '))?.[1] ?? assert.fail('HAProxy serves its master CLI (-S)');
    for (const template of config.templates) assert.deepEqual(template.onChange, ['node', 'haproxy-reload.mjs', socket], `${template.name}: on_change asks the master for a reload`);
    assert.equal(mount(haproxy, 'haproxy-run')?.mountPath, dirname(socket));
    assert.equal(mount(container(patch, 'informant'), 'haproxy-run')?.mountPath, dirname(socket), 'informant reaches the socket');
    assert.equal(config.leaderElection.enabled, false, 'every replica reloads its own HAProxy');
    const ports = new Map(haproxy.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    assert.deepEqual([ports.get('http'), ports.get('https'), ports.get('haproxy-stats')], [config.vars?.http_port, config.vars?.https_port, config.vars?.stats_port]);
    assert.ok(![...ports.values()].includes(parseListen(config.server.listen!).port), 'HAProxy and informant do not share a port');
    const service = await one('components/haproxy/haproxy-service.yaml', 'Service');
    assert.deepEqual(service.spec.ports.map((p: { targetPort: string }) => p.targetPort), ['http', 'https']);
  });

  test('the HAProxy layouts\' RBAC patch is what `informant rbac` prints for the sidecar\'s config', async () => {
    const { config } = await haproxyConfig();
    const { manifests } = rbacManifests(config, { name: 'informant', namespace: 'informant' });
    const expected = manifests.find((m) => m.kind === 'ClusterRole') as unknown as { rules: unknown };
    assert.deepEqual((await one('components/haproxy/rbac.yaml', 'ClusterRole')).rules, JSON.parse(JSON.stringify(expected.rules)));
    assert.ok(!manifests.some((m) => m.kind === 'Role'), 'no Lease: the layouts drop the base\'s Role');
  });

  test('the two HAProxy layouts\' configs agree on all but how HAProxy runs, so they share templates and RBAC', async () => {
    const read = async (layout: string) => parse(await readFile(join(layout, 'config.yaml'), 'utf8')) as Record<string, any>;
    const sidecar = await read(SIDECAR);
    const exec = await read(EXEC);
    const { exec: supervised, ...rest } = exec;
    const commands = (config: Record<string, any>) => Object.fromEntries(Object.entries(config.templates).map(([name, t]: [string, any]) => [name, { ...t, on_change: undefined, validate: undefined }]));
    assert.deepEqual({ ...rest, templates: commands(exec) }, { ...sidecar, templates: commands(sidecar) });
    assert.ok(Object.values(exec.templates).every((t: any) => t.on_change === undefined), 'exec reloads HAProxy itself: no on_change');
    assert.deepEqual(exec.templates['haproxy.cfg'].validate, ['haproxy', '-c', '-f', '{{ file }}'], 'the image has haproxy: each new file is checked');
    assert.deepEqual(supervised.command, ['haproxy', '-W', '-db', '-f', exec.templates['haproxy.cfg'].output]);
    assert.equal(supervised.reload_signal, 'SIGUSR2');
  });

  test('the HAProxy exec config loads, with its templates', async () => {
    const { config } = await haproxyConfig(EXEC);
    assert.deepEqual(checkTemplates({ templates: config.templates, baseDir: config.baseDir }), []);
    assert.deepEqual(config.templates.map((t) => t.name), ['certs', 'crt-list.txt', 'haproxy.cfg'], 'certificates first, then what names them');
  });

  test('the HAProxy sidecar\'s config renders the example, PEM files included, from manifests', async () => {
    const { dir } = await haproxyConfig();
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
    const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => ({ image: m[1]!, name: m[2] }));
    const named = (i: number) => stages.slice(0, i).map((stage) => stage.name);
    assert.ok(stages.length >= 2 && stages.every((stage, i) => stage.image === 'node:24-slim' || named(i).includes(stage.image)), 'every stage on node:24-slim or an earlier stage');
    assert.equal(stages.at(-1)!.image, 'runtime', 'the default target: informant alone');
    const haproxy = /^FROM runtime AS haproxy$([\s\S]*?)^FROM /m.exec(dockerfile)?.[1] ?? assert.fail('a haproxy stage on the runtime');
    assert.match(haproxy, /apt-get install -y --no-install-recommends haproxy/);
    assert.match(haproxy, /^USER 1000:1000$/m, 'HAProxy runs unprivileged too');
    assert.match(dockerfile, /^RUN npm ci --omit=dev\b/m);
    assert.match(dockerfile, /^USER 1000:1000$/m);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)![1]!) as string[];
    assert.deepEqual(entrypoint, ['node', 'bin/informant.js']);
    const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n');
    for (const path of ['node_modules', '.git', 'test']) assert.ok(ignored.includes(path), `.dockerignore leaves out ${path}`);
  });
});
