/**
 * The Source contract (source-contract.ts) against the sources that run in process: files
 * (a temp folder), Kubernetes (the test API server) and the template tests' fixtures. The
 * shared source runs it against a real etcd and PostgreSQL in source-contract-shared.e2e.test.ts.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { FixtureSource } from '../../src/template-tests/index.ts';
import { FilesSource } from '../../src/watcher/files/index.ts';
import { KubernetesSource } from '../../src/watcher/kubernetes/index.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { watchedResource } from '../support/builders.ts';
import { eventually } from '../support/waiters.ts';
import { tempFolder } from './files/helpers.ts';
import { FAST } from './kubernetes/support/cluster.ts';
import { tempDir, writeKubeconfig } from '../kube/support/kubeconfig-file.ts';
import { RESOURCE_NAME, runSourceContract } from './source-contract.ts';

const CONFIGMAPS = watchedResource(RESOURCE_NAME, { kind: 'ConfigMap' });

runSourceContract({
  name: 'FilesSource',
  cannot: { replace: 'it lists the folder once; later a batch delivers the difference as adds, updates and deletes' },
  async prepare(objects) {
    const dir = await tempFolder();
    const fileOf = (name: string): string => `ns-${name}.json`;
    const write = async (obj: KubeObject): Promise<void> => void (await dir.write(fileOf(obj.metadata.name), JSON.stringify(obj)));
    for (const obj of objects) await write(obj);
    return {
      source: () => new FilesSource({ path: dir.root, watch: true, debounceMs: 25, resources: [CONFIGMAPS], logger: silentLogger() }),
      add: write,
      update: write,
      delete: (_namespace, name) => rm(join(dir.root, fileOf(name))),
      close: () => dir.remove(),
    };
  },
});

const TOKEN = 'contract-token';

runSourceContract({
  name: 'KubernetesSource against the test API server',
  cannot: {},
  async prepare(objects) {
    const server = await TestApiServer.start({ token: TOKEN });
    for (const obj of objects) server.create('configmaps', obj);
    const { dir, cleanup } = tempDir();
    const kubeconfig = writeKubeconfig(dir, server.url, { token: TOKEN });
    return {
      source: () =>
        new KubernetesSource({ config: { kubeconfig, pageSize: 500, streamingList: false }, resources: [CONFIGMAPS], logger: silentLogger(), tuning: FAST }),
      add: async (obj) => void server.create('configmaps', obj),
      update: async (obj) => void server.update('configmaps', obj),
      delete: async (namespace, name) => void server.delete('configmaps', namespace, name),
      relist: async () => {
        await eventually(() => server.openWatches('configmaps') > 0, 'the source watches');
        server.faults.expireWatches('configmaps');
      },
      close: async () => {
        await server.close();
        cleanup();
      },
    };
  },
});

const FIXED = 'a FixtureSource holds a fixed set of objects and never changes after start()';

runSourceContract({
  name: 'FixtureSource (template tests)',
  cannot: { add: FIXED, update: FIXED, delete: FIXED, replace: FIXED },
  async prepare(objects) {
    return { source: () => new FixtureSource(objects, [CONFIGMAPS]), close: async () => {} };
  },
});
