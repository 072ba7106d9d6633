/**
 * Watch ingest of two source trees and the JSON.parse floor side by side, in one process,
 * without the network: the same 64 KiB chunks of MODIFIED Pod lines (1,000 Pods held) go
 * through the floor (decode, split, JSON.parse) and through each tree's path after the
 * bytes arrive (LineSplitter, parseWatchEvent, the reflector's typing and id set,
 * LimitedSink with the default limits, Indexer with the default remove_fields, MemoryStore),
 * round after round, the order alternating. Each run is timed in CPU time of the process
 * (process.cpuUsage, garbage collection included), which other processes on a shared
 * machine disturb far less than the wall clock; main-thread GC pauses are reported too.
 *
 *   node --expose-gc bench/ingest-ab.ts --base /path/to/other/tree [--events 10000] [--rounds 15]
 *
 * (`git archive <commit> | tar -x -C /tmp/base` and a node_modules symlink make a tree.)
 */
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../src/k8s.ts';
import { pod } from './support/objects.ts';
import { median } from './support/stats.ts';

const DEFAULTS = Object.freeze({ events: 10_000, rounds: 15, pods: 1_000, chunkBytes: 64 * 1024 });

/** A contender: prepared (store filled) outside the timing, then run once over the chunks; returns events applied. */
interface Contender {
  label: string;
  prepare(): () => number;
}

/** The floor: decode, split lines, JSON.parse, count MODIFIED events (bench/contenders/floor.ts's loop). */
function floor(chunks: readonly Buffer[]): Contender {
  return {
    label: 'floor: JSON.parse',
    prepare: () => () => {
      const decoder = new TextDecoder();
      let rest = '';
      let count = 0;
      for (const chunk of chunks) {
        const text = rest + decoder.decode(chunk, { stream: true });
        let start = 0;
        for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
          if (end > start && (JSON.parse(text.slice(start, end)) as { type: string }).type === 'MODIFIED') count++;
          start = end + 1;
        }
        rest = text.slice(start);
      }
      return count;
    },
  };
}

/** One tree's path from bytes to store, as the Kubernetes source and the controller wire it. */
async function tree(label: string, root: string, chunks: readonly Buffer[], held: readonly KubeObject[]): Promise<Contender> {
  const module = (file: string) => import(pathToFileURL(path.join(root, file)).href);
  const { LineSplitter, parseWatchEvent } = await module('src/watcher/kubernetes/lines.ts');
  const { withTypeMeta } = await module('src/watcher/kubernetes/list.ts');
  const { objectId } = await module('src/k8s.ts');
  const { Indexer } = await module('src/indexer/index.ts');
  const { MemoryStore } = await module('src/store/memory-store.ts');
  const { LimitedSink } = await module('src/watcher/limited-sink.ts');
  const { DEFAULTS: CONFIG, DEFAULT_LIMITS } = await module('src/config/defaults.ts');
  const { silentLogger } = await module('src/log.ts');
  const resource = {
    name: 'pods', apiVersion: 'v1', kind: 'Pod', namespace: '', labelSelector: '', fieldSelector: '',
    indexBy: [...CONFIG.indexBy], removeFields: [...CONFIG.removeFields], store: 'full',
  };
  const prepare = (): (() => number) => {
    const store = new MemoryStore({ name: 'pods', keyCount: 2 });
    const indexer = new Indexer({ resource, store, logger: silentLogger() });
    const sink = new LimitedSink('pods', indexer, DEFAULT_LIMITS, () => undefined);
    sink.replace(held.map((obj) => structuredClone(obj)));
    sink.synced();
    const ids = new Set<string>();
    return () => {
      const splitter = new LineSplitter();
      const before = store.modCount;
      for (const chunk of chunks) {
        for (const line of splitter.push(chunk)) {
          const obj = withTypeMeta(parseWatchEvent(line).object, 'v1', 'Pod');
          ids.add(objectId(obj));
          sink.update(obj);
        }
      }
      return store.modCount - before;
    };
  };
  return { label, prepare };
}

/** The watch stream: `events` MODIFIED lines cycling over `pods` Pods, cut into chunks as a socket delivers them. */
function stream(events: number, pods: number): Buffer[] {
  const lines = Array.from({ length: events }, (_, i) => {
    const object = pod(i % pods, i + 2);
    object.metadata.resourceVersion = String(10_000 + i);
    return `${JSON.stringify({ type: 'MODIFIED', object })}\n`;
  });
  const bytes = Buffer.from(lines.join(''));
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += DEFAULTS.chunkBytes) chunks.push(bytes.subarray(at, at + DEFAULTS.chunkBytes));
  return chunks;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { base: { type: 'string' }, events: { type: 'string' }, rounds: { type: 'string' } } });
  if (values.base === undefined) throw new Error('--base: the other source tree to compare with is required');
  const events = Number(values.events ?? DEFAULTS.events);
  const rounds = Number(values.rounds ?? DEFAULTS.rounds);
  const chunks = stream(events, DEFAULTS.pods);
  const held = Array.from({ length: DEFAULTS.pods }, (_, i) => ({ ...pod(i, 1), metadata: { ...pod(i, 1).metadata, resourceVersion: String(i + 1) } }));
  const contenders = [floor(chunks), await tree('base', path.resolve(values.base), chunks, held), await tree('this tree', path.join(import.meta.dirname, '..'), chunks, held)];
  let gcMs = 0;
  new PerformanceObserver((list) => list.getEntries().forEach((entry) => (gcMs += entry.duration))).observe({ entryTypes: ['gc'] });
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  const gc = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
      const run = contender.prepare();
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(10); // let the observer count the collection above before the run
      const gcBefore = gcMs;
      const started = process.cpuUsage();
      const applied = run();
      const used = process.cpuUsage(started);
      if (applied !== events) throw new Error(`${contender.label} applied ${applied} of ${events} events`);
      await sleep(10);
      cpu.get(contender.label)!.push((used.user + used.system) / events);
      gc.get(contender.label)!.push(((gcMs - gcBefore) * 1000) / events);
    }
  }
  const floorCpu = median(cpu.get(contenders[0]!.label)!);
  process.stdout.write(`${events.toLocaleString('en-US')} MODIFIED events over ${DEFAULTS.pods} Pods, ${rounds} rounds (medians)\n`);
  process.stdout.write('| contender | CPU µs per event | events per CPU second | ÷ floor | main-thread GC µs per event |\n|---|--:|--:|--:|--:|\n');
  for (const { label } of contenders) {
    const perEvent = median(cpu.get(label)!);
    const rate = Math.round(1e6 / perEvent).toLocaleString('en-US');
    process.stdout.write(`| ${label} | ${perEvent.toFixed(1)} | ${rate} | ${(floorCpu / perEvent).toFixed(2)}x | ${median(gc.get(label)!).toFixed(1)} |\n`);
  }
}

await main();
