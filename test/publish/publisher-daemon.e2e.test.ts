/**
 * Publishing through `informant run`'s Daemon: Services from a Kubernetes API server
 * (test/support/apiserver) with store: published land in a real etcd or PostgreSQL (the
 * config names the backend, the daemon connects through it); only the leader
 * publishes, and a follower that takes over claims the key with a newer epoch and
 * publishes on. `informant render` of the same config publishes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { decodeClaim } from '../../src/publish/claim.ts';
import type { Repository } from '../../src/kv/index.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import { silentLogger } from '../../src/log.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../support/shared-stores.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';
import { contents } from './support/publishing.ts';

const layout = new KeyLayout('informant');
const EAST = layout.clusterPrefix('', 'services', 'east');

function configYaml(kubeconfig: string, store: TestSharedStore): string {
  return `
watched_resources:
  services: {api_version: v1, kind: Service, store: published}
source:
  kubernetes: {kubeconfig: ${kubeconfig}}
publish:
  backend: ${store.backend}
  cluster: east
  ${store.settingsYaml()}
templates:
  names: {inline: "{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}", output: out/names.txt}
render: {debounce: 10ms, max_wait: 100ms}
leader_election: {enabled: true, lease: publisher, namespace: infra, lease_duration: 2s, renew_deadline: 1500ms, retry_period: 100ms}
logging: {level: silent}
`;
}

for (const kind of SHARED_STORE_KINDS) describe(`publishing into ${kind.name} from informant run`, { skip: kind.skip, timeout: 120_000 }, () => {
  let store: TestSharedStore;
  let api: TestApiServer;
  let reader: Repository;
  let dir: string;
  const daemons: Daemon[] = [];
  /**
   * Starts a Daemon on `file` as `identity`; stopped after the suite. It elects through the
   * Lease of the cluster its config watches (the test API server), as `informant run` does.
   */
  async function startDaemon(file: string, identity: string): Promise<Daemon> {
    const load = () => loadConfig(file);
    const daemon = new Daemon({
      config: await load(),
      logger: silentLogger(),
      loadConfig: load,
      identity,
      watchConfig: false,
      processMetrics: false,
    });
    daemons.push(daemon);
    await daemon.start();
    return daemon;
  }
  before(async () => {
    store = await kind.start();
    api = await TestApiServer.start({ token: 'publish' });
    reader = store.connect();
    dir = await mkdtemp(join(tmpdir(), 'informant-publish-'));
  });
  after(async () => {
    for (const daemon of daemons) await daemon.stop();
    await reader?.close();
    await api?.close();
    await store?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('only the leader publishes; the next leader claims with a newer epoch and reconciles what changed meanwhile', async () => {
    api.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'web' }, spec: {} });
    api.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'api' }, spec: {} });
    const kubeconfig = writeKubeconfig(dir, api.url, { token: 'publish' });
    const file = join(dir, 'config.yaml');
    await writeFile(file, configYaml(kubeconfig, store));
    const start = (identity: string): Promise<Daemon> => startDaemon(file, identity);
    const a = await start('replica-a');
    await eventually(async () => (await contents(reader, EAST)).size === 2 || undefined, 'the leader published both Services');
    const b = await start('replica-b');
    await eventually(() => b.controller.status().synced || undefined, 'b synced');
    assert.equal(a.publisherState()?.phase, 'publishing');
    assert.equal(b.publisherState(), undefined, 'the follower does not publish');
    api.delete('services', 'shop', 'web');
    await eventually(async () => ((await contents(reader, EAST)).size === 1 ? true : undefined), 'the delete was published');
    const first = decodeClaim((await reader.get(layout.publisherKey('east')))?.value ?? '');
    assert.equal(first?.identity, 'replica-a');

    await a.stop(); // releases the Lease
    api.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'new' }, spec: {} });
    await eventually(async () => (decodeClaim((await reader.get(layout.publisherKey('east')))?.value ?? '')?.identity === 'replica-b' ? true : undefined), 'b claimed');
    const second = decodeClaim((await reader.get(layout.publisherKey('east')))?.value ?? '');
    assert.ok(second !== undefined && first !== undefined && second.epoch > first.epoch, 'a newer epoch');
    await eventually(async () => ([...(await contents(reader, EAST)).keys()].join() === `${EAST}shop/api,${EAST}shop/new` ? true : undefined), 'b published');
    await b.stop();
  });

  test('an elected leader takes over a cluster published without leader election: its epoch is later', async () => {
    const north = layout.clusterPrefix('', 'services', 'north');
    const kubeconfig = writeKubeconfig(dir, api.url, { token: 'publish' });
    const withElection = join(dir, 'north-elected.yaml');
    const withoutElection = join(dir, 'north.yaml');
    const text = configYaml(kubeconfig, store).replace('cluster: east', 'cluster: north').replace('lease: publisher', 'lease: north');
    await writeFile(withElection, text);
    await writeFile(withoutElection, text.replace(/^leader_election: .*$/m, ''));
    const single = await startDaemon(withoutElection, 'single');
    await eventually(async () => ((await contents(reader, north)).size > 0 ? true : undefined), 'the single replica published');
    await single.stop();
    const elected = await startDaemon(withElection, 'elected');
    await eventually(async () => (decodeClaim((await reader.get(layout.publisherKey('north')))?.value ?? '')?.identity === 'elected' ? true : undefined), 'the elected leader claimed');
    await eventually(() => (elected.publisherState()?.phase === 'publishing' ? true : undefined), 'the elected leader publishes');
    await elected.stop();
  });

  test('informant render of a publishing config renders and publishes nothing', async () => {
    const project = await mkdtemp(join(tmpdir(), 'informant-publish-render-'));
    try {
      await writeFile(join(project, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: web}\n');
      await writeFile(
        join(project, 'config.yaml'),
        [
          'watched_resources:',
          '  services: {api_version: v1, kind: Service, store: published}',
          'source:',
          '  files: {path: services.yaml}',
          'publish:',
          `  backend: ${store.backend}`,
          '  cluster: render-only',
          `  ${store.settingsYaml()}`,
          'templates:',
          '  names: {inline: "{% for s in resources.services %}{{ s.metadata.name }}{% endfor %}", output: out/names.txt}',
        ].join('\n'),
      );
      const result = await runCliInProcess(['render', '--config', join(project, 'config.yaml'), '--out', '-']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /web/);
      assert.equal((await reader.list(layout.clusterPrefix('', 'services', 'render-only'))).records.length, 0);
      assert.equal(await reader.get(layout.publisherKey('render-only')), undefined);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
