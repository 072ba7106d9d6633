/**
 * The Source contract (source-contract.ts) against the etcd source reading a real etcd
 * (test/support/etcd.ts) through a TcpProxy, which a relist needs: the connection is cut
 * while etcd compacts past the source's last revision, so its watch cannot resume.
 * Skipped where etcd is not installed, except under CI=true.
 */
import { after, before } from 'node:test';
import { connectEtcd } from '../../src/kv/etcd-repository.ts';
import type { Repository } from '../../src/kv/index.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { EtcdSource } from '../../src/watcher/etcd/index.ts';
import { watchedResource } from '../support/builders.ts';
import { etcdSkipReason, TestEtcd } from '../support/etcd.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { sourceConfig } from './etcd/helpers.ts';
import { RESOURCE_NAME, runSourceContract } from './source-contract.ts';

const CONFIGMAPS = watchedResource(RESOURCE_NAME, { kind: 'ConfigMap' });
/** Small retry delays: the relist waits for the source to reconnect. */
const QUICK_BACKOFF = { initialMs: 50, capMs: 500 };
const skip = etcdSkipReason();

let etcd: TestEtcd;
let writer: Repository;
before(async () => {
  if (skip) return;
  etcd = await TestEtcd.start();
  writer = connectEtcd(sourceConfig(etcd.endpoint), silentLogger());
});
after(async () => {
  await writer?.close();
  await etcd?.stop();
});

let worlds = 0;

runSourceContract(
  {
    name: 'EtcdSource against etcd',
    cannot: {},
    async prepare(objects) {
      // A prefix per world: every test starts from an empty one.
      const prefix = `contract-${++worlds}`;
      const layout = new KeyLayout(prefix);
      const keyOf = (namespace: string, name: string): string =>
        layout.keyOf({ group: '', resource: 'configmaps', cluster: 'east', namespace, name });
      const write = async (obj: KubeObject): Promise<void> => {
        const key = keyOf(obj.metadata.namespace ?? '', obj.metadata.name);
        const value = JSON.stringify(obj);
        if (await writer.get(key)) await writer.update(key, value);
        else await writer.create(key, value);
      };
      for (const obj of objects) await write(obj);
      const proxy = await TcpProxy.start(etcd.clientPort);
      return {
        source: () =>
          new EtcdSource({ config: sourceConfig(proxy.endpoint, { prefix }), resources: [CONFIGMAPS], logger: silentLogger(), backoff: QUICK_BACKOFF }),
        add: write,
        update: write,
        delete: async (namespace, name) => writer.delete(keyOf(namespace, name)),
        relist: async () => {
          await proxy.cut();
          // A revision the source has not seen, then compaction past it: its watch cannot resume.
          const noise = `/${prefix}-noise`;
          await writer.create(noise, 'x');
          await writer.delete(noise);
          await etcd.compact(await etcd.revision());
          await proxy.restore();
        },
        close: () => proxy.stop(),
      };
    },
  },
  { skip },
);
