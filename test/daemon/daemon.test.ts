import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { ApiLeaseClient } from '../../src/election/lease-client.ts';
import { createLogger, silentLogger } from '../../src/log.ts';
import { createApiClient } from '../../src/kube/index.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { eventually } from '../support/waiters.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const dirs: string[] = [];
const daemons: Daemon[] = [];
after(async () => {
  for (const daemon of daemons) await daemon.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {namespace: shop, name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {namespace: blog, name: api}
spec: {ports: [{port: 8080}]}
`;

function configYaml(options: { template?: string; extra?: string } = {}): string {
  return `
watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests, watch: false}
templates:
  services:
    inline: "${options.template ?? '{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}'}"
    output: out/services.txt
render: {debounce: 10ms, max_wait: 100ms}
logging: {level: ${process.env.DEBUG_DAEMON ? 'debug' : 'silent'}}
${options.extra ?? ''}
`;
}

async function setup(options: { template?: string; extra?: string; clock?: FakeClock; dir?: string } = {}) {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'informant-daemon-')));
  dirs.push(dir);
  await mkdir(join(dir, 'manifests'), { recursive: true });
  await writeFile(join(dir, 'manifests', 'services.yaml'), SERVICES);
  const file = join(dir, 'config.yaml');
  await writeFile(file, configYaml(options));
  return { dir, file, output: join(dir, 'out', 'services.txt') };
}

async function readOutput(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

describe('Daemon', () => {
  test('reloads when the config file changes, and keeps running the old config when the new one is invalid', async () => {
    const { file, output } = await setup({ extra: 'server: {listen: "127.0.0.1:0", debug: true, debug_listen: "127.0.0.1:0"}' });
    const clock = new FakeClock();
    const load = () => loadConfig(file);
    const daemon = new Daemon({ config: await load(), logger: silentLogger(), loadConfig: load, clock, processMetrics: false });
    daemons.push(daemon);
    await daemon.start();
    const render = async (expected: string) =>
      eventually(async () => {
        clock.advance(100);
        await daemon.controller.idle();
        return (await readOutput(output)) === expected;
      }, `the output is ${JSON.stringify(expected)}`);
    await render('api web ');

    await writeFile(file, configYaml({ template: 'v2: {{ resources.services | length }}', extra: 'server: {listen: "127.0.0.1:0", debug: true, debug_listen: "127.0.0.1:0"}' }));
    clock.advance(2_000); // the config watcher polls
    await render('v2: 2');

    await writeFile(file, configYaml({ template: '{% if %}', extra: 'server: {listen: "127.0.0.1:0", debug: true, debug_listen: "127.0.0.1:0"}' }));
    clock.advance(2_000);
    const metrics = async () => (await fetch(`${daemon.serverUrl}/metrics`)).text();
    await eventually(async () => /informant_config_reloads_total\{result="failure"\} 1/.test(await metrics()), 'the failed reload is counted');
    assert.equal(await readOutput(output), 'v2: 2', 'the last good output stays');
    assert.equal((await fetch(`${daemon.serverUrl}/readyz`)).status, 200, 'the running config still serves');
    assert.equal(daemon.debugUrl, daemon.serverUrl, 'debug_listen equal to listen: one listener serves both');
    const sync = (await (await fetch(`${daemon.debugUrl}/debug/sync`)).json()) as { reload: { lastError?: string } };
    assert.match(sync.reload.lastError ?? '', /inline:services/);

    await writeFile(file, 'watched_resources: [oops\n');
    clock.advance(2_000);
    await eventually(async () => /informant_config_reloads_total\{result="failure"\} 2/.test(await metrics()), 'the unparsable file is counted');
    assert.equal(daemon.controller.config.templates[0]?.inline, 'v2: {{ resources.services | length }}');
    await daemon.stop();
  });

  test('two replicas both render, only the leader runs on_change, and the follower takes over when the leader stops', async () => {
    const api = await TestApiServer.start({ token: 'lease' });
    try {
      const kubeDir = await mkdtemp(join(tmpdir(), 'informant-daemon-kube-'));
      dirs.push(kubeDir);
      const kubeconfig = writeKubeconfig(kubeDir, api.url, { token: 'lease' });
      const election = 'leader_election: {enabled: true, lease: edge, namespace: infra, lease_duration: 2s, renew_deadline: 1500ms, retry_period: 100ms}';
      const onChange = '    on_change: ["sh", "-c", "echo reload >> commands.log"]';
      const replicas = await Promise.all(['a', 'b'].map(async (name) => {
        const { dir, file, output } = await setup({ extra: election });
        await writeFile(file, (await readFile(file, 'utf8')).replace('    output: out/services.txt', `    output: out/services.txt\n${onChange}`));
        const load = () => loadConfig(file);
        const daemon = new Daemon({
          config: await load(),
          logger: process.env.DEBUG_DAEMON ? createLogger({ level: 'debug', pretty: false }) : silentLogger(),
          loadConfig: load,
          identity: name,
          watchConfig: false,
          processMetrics: false,
          createLeaseClient: (config) => {
            const client = createApiClient({ kubeconfig });
            return { client: new ApiLeaseClient(client, config.leaderElection.namespace, config.leaderElection.lease), close: () => client.close() };
          },
        });
        daemons.push(daemon);
        return { name, dir, daemon, output, commands: () => readOutput(join(dir, 'commands.log')) };
      }));
      const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
      await a.daemon.start();
      await eventually(() => a.daemon.controller.status().runsOnChange, 'a leads');
      await b.daemon.start();
      for (const replica of replicas) await eventually(() => readOutput(replica.output), `${replica.name} rendered`);
      await eventually(async () => (await a.commands()) === 'reload\n', 'the leader ran on_change');
      assert.equal(await b.commands(), undefined, 'the follower did not');
      // The output is replaced a moment before the render marks its on_change pending.
      await eventually(() => b.daemon.controller.status().templates[0]?.onChangePending, 'the follower keeps its on_change pending');

      await a.daemon.stop(); // releases the Lease
      await eventually(() => b.daemon.controller.status().runsOnChange, 'b takes over');
      await eventually(async () => (await b.commands()) === 'reload\n', 'the new leader runs the on_change it had left pending');
      const lease = api.get('leases', 'infra', 'edge')?.spec as { holderIdentity?: string };
      assert.equal(lease.holderIdentity, 'b');
      await b.daemon.stop();
    } finally {
      await api.close();
    }
  });

  test('serves /debug/ on a loopback listener of its own, and checks /metrics and /debug/ callers with the API server; probes stay open', async () => {
    const api = await TestApiServer.start({ token: 'informant' });
    try {
      const kubeDir = await mkdtemp(join(tmpdir(), 'informant-daemon-kube-'));
      dirs.push(kubeDir);
      const kubeconfig = writeKubeconfig(kubeDir, api.url, { token: 'informant' });
      api.identities.add('reader', { username: 'alice', groups: ['oncall'] });
      api.create('clusterroles', { metadata: { name: 'debug-reader' }, rules: [{ nonResourceURLs: ['/metrics', '/debug', '/debug/*'], verbs: ['get'] }] } as never);
      api.create('clusterrolebindings', {
        metadata: { name: 'oncall' },
        roleRef: { kind: 'ClusterRole', name: 'debug-reader' },
        subjects: [{ kind: 'Group', name: 'oncall' }],
      } as never);
      const { file } = await setup({ extra: 'server: {listen: "127.0.0.1:0", auth: kubernetes, debug: true, debug_listen: "127.0.0.1:0"}' });
      await writeFile(file, (await readFile(file, 'utf8')).replace('debug_listen: "127.0.0.1:0"', 'debug_listen: "127.0.0.2:0"'));
      const load = () => loadConfig(file);
      const daemon = new Daemon({
        config: await load(),
        logger: silentLogger(),
        loadConfig: load,
        watchConfig: false,
        processMetrics: false,
        createAuthClient: () => {
          const client = createApiClient({ kubeconfig });
          return { sender: client, close: () => client.close() };
        },
      });
      daemons.push(daemon);
      await daemon.start();
      assert.match(daemon.debugUrl ?? '', /^http:\/\/127\.0\.0\.2:\d+$/);
      const get = async (url: string, token?: string) => (await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {})).status;
      assert.equal(await get(`${daemon.serverUrl}/healthz`), 200, 'probes need no token');
      assert.notEqual(await get(`${daemon.serverUrl}/readyz`), 401);
      const anonymous = await fetch(`${daemon.serverUrl}/metrics`);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="informant"');
      assert.equal(await get(`${daemon.serverUrl}/metrics`, 'wrong'), 401);
      assert.equal(await get(`${daemon.serverUrl}/metrics`, 'reader'), 200);
      assert.equal(await get(`${daemon.serverUrl}/debug/sync`, 'reader'), 404, 'no /debug/ on the status listener');
      assert.equal(await get(`${daemon.debugUrl}/debug/sync`), 401);
      assert.equal(await get(`${daemon.debugUrl}/debug/sync`, 'reader'), 200);
      assert.equal(await get(`${daemon.debugUrl}/healthz`, 'reader'), 404, 'the debug listener serves /debug/ only');
      await daemon.stop();
    } finally {
      await api.close();
    }
  });

  test('server.auth: auto leaves /metrics open outside a cluster, and /debug/ is off by default', async () => {
    const { file } = await setup({ extra: 'server: {listen: "127.0.0.1:0"}' });
    const load = () => loadConfig(file);
    const daemon = new Daemon({ config: await load(), logger: silentLogger(), loadConfig: load, watchConfig: false, processMetrics: false, inCluster: false });
    daemons.push(daemon);
    await daemon.start();
    assert.equal((await fetch(`${daemon.serverUrl}/metrics`)).status, 200);
    assert.equal(daemon.debugUrl, undefined);
    assert.equal((await fetch(`${daemon.serverUrl}/debug/`)).status, 404);
    await daemon.stop();
  });
});
