/**
 * The index-keys contract over a FilesSource watching a temporary folder: each object is a
 * manifest file of its own, written and deleted as a template author would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log.ts';
import { FilesSource } from '../../../src/watcher/files/index.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { runIndexKeysContract } from '../index-keys-contract.ts';

const fileOf = (dir: string, obj: KubeObject): string => join(dir, `${obj.metadata.namespace}-${obj.metadata.name}.yaml`);

runIndexKeysContract('FilesSource', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'informant-contract-'));
  let source: FilesSource | undefined;
  return {
    put: (obj) => writeFile(fileOf(dir, obj), JSON.stringify(obj)),
    remove: (obj) => rm(fileOf(dir, obj)),
    start: async (resources, sinks) => {
      source = new FilesSource({ path: dir, watch: true, debounceMs: 20, resources, logger: silentLogger() });
      await source.start(sinks);
    },
    close: async () => {
      await source?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
