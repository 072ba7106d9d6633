/**
 * The Source contract (source-contract.ts) against the shared source reading each real
 * shared store (etcd and PostgreSQL, test/support/shared-stores.ts) through a TcpProxy,
 * which a relist needs: the connection is cut while the store forgets the history past the
 * source's last revision (etcd compaction, PostgreSQL's change log trimmed), so its watch
 * cannot resume. Skipped where a store is not installed, except under CI=true.
 */
import { after, before, describe } from 'node:test';
import type { Repository } from '../../src/kv/index.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { SharedSource } from '../../src/watcher/shared/index.ts';
import { watchedResource } from '../support/builders.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../support/shared-stores.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { sourceConfig } from './shared/helpers.ts';
import { RESOURCE_NAME, runSourceContract } from './source-contract.ts';

const CONFIGMAPS = watchedResource(RESOURCE_NAME, { kind: 'ConfigMap' });
/** Small retry delays: the relist waits for the source to reconnect. */
const QUICK_BACKOFF = { initialMs: 50, capMs: 500 };

for (const kind of SHARED_STORE_KINDS) {
  describe(`the Source contract through ${kind.name}`, { skip: kind.skip }, () => {
    let store: TestSharedStore;
    let writer: Repository;
    before(async () => {
      store = await kind.start();
      writer = store.connect();
    });
    after(async () => {
      await writer?.close();
      await store?.stop();
    });

    let worlds = 0;

    runSourceContract(
      {
        name: `SharedSource against ${kind.name}`,
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
          const proxy = await TcpProxy.start(store.port);
          return {
            source: () =>
              new SharedSource({
                config: sourceConfig({ prefix }),
                resources: [CONFIGMAPS],
                logger: silentLogger(),
                backoff: QUICK_BACKOFF,
                connect: () => store.connect(proxy.port),
              }),
            add: write,
            update: write,
            delete: async (namespace, name) => writer.delete(keyOf(namespace, name)),
            relist: async () => {
              await proxy.cut();
              // A revision the source has not seen, then the history past it forgotten: its watch cannot resume.
              const noise = `/${prefix}-noise`;
              await writer.create(noise, 'x');
              await writer.delete(noise);
              await store.compact((await writer.list(noise)).revision);
              await proxy.restore();
            },
            close: () => proxy.stop(),
          };
        },
      },
      { skip: kind.skip },
    );
  });
}
