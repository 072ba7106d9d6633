/**
 * The index-keys contract over a KubernetesSource watching a test API server (list, then
 * watch), objects created, updated and deleted on the server.
 */
import { createApiClient } from '../../../src/kube/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { KubernetesSource } from '../../../src/watcher/kubernetes/index.ts';
import { TestApiServer } from '../../support/apiserver/index.ts';
import { tempDir, writeKubeconfig } from '../../kube/support/kubeconfig-file.ts';
import { runIndexKeysContract } from '../index-keys-contract.ts';
import { eventually } from '../../support/waiters.ts';
import { FAST } from './support/cluster.ts';

const TOKEN = 'contract-token';

runIndexKeysContract('KubernetesSource', async () => {
  const server = await TestApiServer.start({ token: TOKEN });
  const { dir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(dir, server.url, { token: TOKEN });
  const client = createApiClient({ kubeconfig });
  let source: KubernetesSource | undefined;
  return {
    put: async (obj) => void server.upsert('ingresses', obj),
    remove: async (obj) => void server.delete('ingresses', obj.metadata.namespace, obj.metadata.name),
    start: async (resources, sinks) => {
      source = new KubernetesSource({
        config: { kubeconfig, pageSize: 500, streamingList: false },
        resources,
        logger: silentLogger(),
        client,
        tuning: FAST,
      });
      await source.start(sinks);
    },
    close: async () => {
      try {
        await source?.stop();
        client.close();
        await eventually(() => server.openWatches() === 0, 'every watch closed');
      } finally {
        await server.close();
        cleanup();
      }
    },
  };
});
