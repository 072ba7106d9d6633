/**
 * `informant render` and `informant rbac` over two clusters: two test API servers, one of
 * them kcp-style under /clusters/root:ws, reached through one kubeconfig and a `server`
 * override. The template reads Clusters(), InCluster and the cluster as an index key.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestApiServer } from '../support/apiserver/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const TOKEN = 'e2e-token';
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const TEMPLATE = [
  '{% for c in resources.services.Clusters() %}{{ c }}:{% for s in resources.services.InCluster(c) %} {{ s.metadata.name }}={{ s.spec.ports[0].port }}{% endfor %}',
  '{% endfor %}exact={{ resources.services.GetSingle("root:ws", "shop", "web").spec.ports[0].port }}',
  'all={% for s in resources.services %}{{ s.metadata.cluster }}|{{ s.metadata.name }} {% endfor %}',
  'tls={{ resources.secrets.InCluster("root:ws").GetSingle("shop", "tls").data.c | b64decode }}',
  '',
].join('\n');

/** A project folder watching `eu` and `ws` (as root:ws). */
async function project(eu: TestApiServer, ws: TestApiServer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-clusters-'));
  dirs.push(dir);
  writeKubeconfig(dir, eu.url, { token: TOKEN });
  const config = join(dir, 'config.yaml');
  await writeFile(config, [
    'watched_resources:',
    '  services:',
    '    api_version: v1',
    '    kind: Service',
    '    index_by: [metadata.cluster, metadata.namespace, metadata.name]',
    '  secrets:',
    '    api_version: v1',
    '    kind: Secret',
    '    store: on-demand',
    'source:',
    '  kubernetes:',
    '    kubeconfig: kubeconfig',
    '    clusters:',
    '      - name: eu',
    `      - {name: "root:ws", server: "${ws.url}"}`,
    'templates:',
    '  main:',
    '    inline: |',
    ...TEMPLATE.split('\n').map((line) => `      ${line}`),
    '    output: out/main.txt',
    '',
  ].join('\n'));
  return config;
}

function service(name: string, port: number) {
  return { metadata: { namespace: 'shop', name }, spec: { ports: [{ port }] } };
}

describe('informant over several clusters', () => {
  test('render reads both clusters: Clusters(), InCluster, Get by cluster and on-demand fetches from the right cluster', async () => {
    const eu = await TestApiServer.start({ token: TOKEN });
    const ws = await TestApiServer.start({ token: TOKEN, pathPrefix: '/clusters/root:ws' });
    try {
      eu.create('services', service('web', 8080));
      eu.create('services', service('api', 9000));
      ws.create('services', service('web', 8443));
      eu.create('secrets', { metadata: { namespace: 'shop', name: 'tls' }, data: { c: Buffer.from('EU').toString('base64') } });
      ws.create('secrets', { metadata: { namespace: 'shop', name: 'tls' }, data: { c: Buffer.from('WS').toString('base64') } });
      const config = await project(eu, ws);
      const result = await runCliInProcess(['render', '--config', config, '--out', '-']);
      assert.equal(result.code, 0, result.stderr);
      // trim_blocks drops the newline after each block tag.
      assert.equal(result.stdout, 'eu: api=9000 web=8080root:ws: web=8443exact=8443\nall=eu|api eu|web root:ws|web tls=WS\n');
      assert.ok(ws.requests.some((r) => r.path === '/clusters/root:ws/api/v1/namespaces/shop/secrets/tls'), 'the Secret came from root:ws');
      assert.ok(!eu.requests.some((r) => r.path === '/api/v1/namespaces/shop/secrets/tls'), 'eu was not asked for it');
    } finally {
      await eu.close();
      await ws.close();
    }
  });

  test('rbac says the rules apply in every watched cluster', async () => {
    const eu = await TestApiServer.start({ token: TOKEN });
    const ws = await TestApiServer.start({ token: TOKEN, pathPrefix: '/clusters/root:ws' });
    try {
      const result = await runCliInProcess(['rbac', '--config', await project(eu, ws)]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^# Apply these in every watched cluster \(eu, root:ws\): each cluster's credentials need the same rules there\.$/m);
    } finally {
      await eu.close();
      await ws.close();
    }
  });
});
