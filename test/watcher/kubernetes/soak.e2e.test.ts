/**
 * Randomized soak: thousands of creates, updates and deletes across three resources,
 * interleaved with every fault the test API server offers, watched by two sources (one
 * list+watch, one streaming lists). After quiescence every sink must equal the server
 * exactly: nothing lost, no ghosts, nothing stale. The seed is printed; replay a failure
 * with SOAK_SEED=<seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/k8s.ts';
import { silentLogger } from '../../../src/log.ts';
import { createApiClient } from '../../../src/kube/index.ts';
import { KubernetesSource } from '../../../src/watcher/kubernetes/source.ts';
import { TestApiServer } from '../../support/apiserver/index.ts';
import { watched } from './support/drive.ts';
import { eventually } from '../../support/waiters.ts';
import { FAST, RESOURCES, assertSameState, serverVersions } from './support/cluster.ts';
import { tempDir, writeKubeconfig } from '../../kube/support/kubeconfig-file.ts';
import { seededRandom } from '../../support/apiserver/random.ts';
import { RecordingSink } from './support/recording-sink.ts';

const SOAK = Object.freeze({
  operations: 12000,
  /** Operations between pauses of 0–10 ms (so watches interleave with changes). */
  burst: 5,
  maxPauseMs: 10,
  resources: ['configmaps', 'secrets', 'ingresses'],
  namespaces: ['a', 'b', 'c'],
  namesPerNamespace: 25,
  /** Chance of a fault after each burst (~130 faults in a run). */
  faultChance: 0.08,
});

const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Math.floor(Math.random() * 2 ** 31);

/** A source watching the soak resources into fresh sinks. */
function watcher(kubeconfig: string, streamingList: boolean, random: () => number) {
  const resources = SOAK.resources.map((name) => watched({ name, ...RESOURCES[name] }));
  const client = createApiClient({ kubeconfig });
  const source = new KubernetesSource({
    config: { kubeconfig, pageSize: 7, streamingList },
    resources,
    logger: silentLogger(),
    client,
    random,
    tuning: { ...FAST, idleTimeoutMs: 600, backoffCapMs: 100 },
  });
  const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
  return { source, sinks, client, streamingList };
}

/** One random change on the server. */
function mutate(server: TestApiServer, random: () => number, step: number): void {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const resource = pick(SOAK.resources);
  const namespace = pick(SOAK.namespaces);
  const name = `o${Math.floor(random() * SOAK.namesPerNamespace)}`;
  const obj: KubeObject = { metadata: { name, namespace, labels: { step: String(step) } }, data: { v: String(random()) } };
  const exists = server.get(resource, namespace, name) !== undefined;
  const roll = random();
  if (!exists) server.create(resource, obj);
  else if (roll < 0.55) server.update(resource, obj);
  else if (roll < 0.85) server.delete(resource, namespace, name);
  else {
    server.delete(resource, namespace, name);
    server.create(resource, obj); // same name, new uid
  }
}

/** One random fault. */
async function fault(server: TestApiServer, random: () => number): Promise<void> {
  const f = server.faults;
  const resource = SOAK.resources[Math.floor(random() * SOAK.resources.length)]!;
  const faults: Array<() => void | Promise<void>> = [
    () => f.dropWatches(resource),
    () => f.closeWatches(),
    () => f.expireWatches(resource),
    () => f.compact(),
    () => f.splitChunks(random() < 0.7),
    () => f.nextStatus(500, { resource }),
    () => f.nextStatus(503, { resource, verb: 'watch', times: 2 }),
    () => f.nextStatus(429, { resource, retryAfterSeconds: 0 }),
    () => f.nextStatus(410, { resource, verb: 'list' }),
    () => f.expireContinueTokens(),
    () => f.nextInvalidJsonLine(resource),
    () => f.stallNextWatch(resource),
    () => f.restart(),
  ];
  await faults[Math.floor(random() * faults.length)]!();
}

test(`soak: every sink equals the server after random changes and faults (SOAK_SEED=${seed})`, { timeout: 120_000 }, async (t) => {
  t.diagnostic(`seed ${seed}; replay with SOAK_SEED=${seed}`);
  const random = seededRandom(seed);
  const server = await TestApiServer.start({ token: 't', historyWindow: 150, bookmarkIntervalMs: 50, seed });
  const { dir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(dir, server.url, { token: 't' });
  const watchers = [watcher(kubeconfig, false, seededRandom(seed + 1)), watcher(kubeconfig, true, seededRandom(seed + 2))];
  try {
    for (let i = 0; i < 60; i++) mutate(server, random, -1); // a starting population
    for (const w of watchers) await w.source.start(w.sinks);
    for (let step = 0; step < SOAK.operations; step++) {
      mutate(server, random, step);
      if (step % SOAK.burst !== 0) continue;
      if (random() < SOAK.faultChance) await fault(server, random);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * (SOAK.maxPauseMs + 1))));
    }
    server.faults.permanentStatus(undefined);
    server.faults.splitChunks(false);
    await quiescence(server, watchers);
    for (const w of watchers) {
      for (const [name, sink] of w.sinks) {
        assertSameState(sink, server.list(name));
        assert.equal(sink.syncedCount, 1, `${name}: synced() once`);
      }
    }
    assert.deepEqual(server.errors, [], 'the test server itself had no internal errors');
    reportStats(t, watchers);
  } catch (err) {
    throw new Error(`soak failed with seed ${seed}; replay with SOAK_SEED=${seed}: ${(err as Error).message}`, { cause: err });
  } finally {
    for (const w of watchers) {
      await w.source.stop();
      w.client.close();
    }
    await server.close();
    cleanup();
  }
});

/** Waits until every sink holds the server's objects at the server's versions. */
async function quiescence(server: TestApiServer, watchers: Array<ReturnType<typeof watcher>>): Promise<void> {
  const settled = (): boolean =>
    watchers.every((w) =>
      [...w.sinks].every(([name, sink]) => {
        const want = serverVersions(server, name);
        const have = sink.versions();
        return want.size === have.size && [...want].every(([k, v]) => have.get(k) === v);
      }),
    );
  await eventually(settled, 'every sink matches the server', { timeoutMs: 60_000 });
}

function reportStats(t: { diagnostic(message: string): void }, watchers: Array<ReturnType<typeof watcher>>): void {
  for (const w of watchers) {
    for (const s of w.source.stats()) {
      t.diagnostic(
        `${w.streamingList ? 'streaming' : 'list+watch'} ${s.resource}: objects ${s.objects}, lists ${s.lists}, ` +
          `watch restarts ${s.watchRestarts}, events ${JSON.stringify(s.events)}, errors ${JSON.stringify(s.errors)}`,
      );
    }
  }
}
