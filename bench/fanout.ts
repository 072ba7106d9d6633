/**
 * The fan-out benchmark: many renderers. R renderers fed through a shared store, etcd or
 * PostgreSQL (one publisher watches the API server and publishes into the store; R
 * `informant run` processes with `source.shared`), against R `informant run` processes that
 * each watch the API server themselves. Every process is the real CLI in its own child
 * process. Measured per contender: requests and bytes the API server served, from the
 * first process start until every output agrees, and again for a burst of changes; and
 * the time until every output agrees. Then, per backend, the throughput from a publisher
 * to a renderer's store (throughput.ts).
 *
 * "Agree": every renderer's output file exists, all are byte-identical, and they contain
 * the marker of the last change (or, at start, one line per EndpointSlice). The goal is an
 * API server load independent of the number of renderers: the publisher's requests with R
 * renderers over the direct contender's with R.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../src/k8s.ts';
import { SHARED_STORE_KINDS, type SharedStoreKind } from '../test/support/shared-stores.ts';
import { measureThroughput } from './throughput.ts';
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { generate, startCluster, type BenchCluster } from './support/cluster.ts';
import { endpointSlice, ingress, ipOf, service } from './support/objects.ts';
import { ratio, row, type Ratio, type Row, type Section } from './support/report.ts';

/** Sizes per scale: Ingress triples on the server, renderer counts, changes in the burst, objects of the throughput run. */
const SIZES: Readonly<Record<Scale, { ingresses: number; renderers: number[]; changes: number; throughputObjects: number }>> = Object.freeze({
  tiny: { ingresses: 10, renderers: [2], changes: 3, throughputObjects: 200 },
  quick: { ingresses: 200, renderers: [5], changes: 20, throughputObjects: 2_000 },
  /** 20 renderers, and 5 to show how load grows (or does not) with R. */
  full: { ingresses: 1_000, renderers: [5, 20], changes: 50, throughputObjects: 10_000 },
});

const DEFAULTS = Object.freeze({
  /** ms between two looks at the outputs: small against the seconds a start takes. */
  pollMs: 25,
  /** ms to wait for agreement before the run fails (a safety net for 21 processes on 2 cores). */
  timeoutMs: 180_000,
  /** ms between the changes of the burst: a steady churn, not one coalesced write. */
  changeGapMs: 10,
});

const CLI = path.join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

/** One line per EndpointSlice: its name and addresses (`{{ "" }}` keeps the newline trim_blocks would eat). */
const TEMPLATE = [
  '{% for s in resources.endpointslices %}',
  '{{ s.metadata.namespace }}/{{ s.metadata.name }}{% for e in s.endpoints %} {{ e.addresses[0] }}{% endfor %}{{ "" }}',
  '{% endfor %}',
  'ingresses {{ resources.ingresses.List() | length }} services {{ resources.services.List() | length }}',
  '',
].join('\n');

export const benchmark: Benchmark = {
  id: 'fanout',
  title: 'Many renderers: through etcd or PostgreSQL vs each watching the API server',
  async run(ctx: RunContext): Promise<Section[]> {
    const sizes = SIZES[ctx.scale];
    const sections: Section[] = [];
    for (const renderers of sizes.renderers) {
      const rows: Row[] = [];
      for (const contender of [direct, ...THROUGH]) {
        ctx.log(`fanout: ${contender.label}, ${renderers} renderers, ${sizes.ingresses} Ingresses`);
        rows.push(...(await measure(ctx, contender, renderers, sizes.ingresses, sizes.changes)));
      }
      sections.push(section(rows, renderers, sizes));
    }
    ctx.log(`fanout: throughput per backend, ${sizes.throughputObjects} objects`);
    sections.push(await measureThroughput(SHARED_STORE_KINDS, sizes.throughputObjects));
    return sections;
  },
};

/** How one contender is started: its processes and where their outputs go. */
interface Contender {
  label: string;
  start(setup: Setup, renderers: number): Promise<Running>;
}

interface Setup {
  cluster: BenchCluster;
  nodeFlags: readonly string[];
}

interface Running {
  outputs: string[];
  /** The last lines each process logged, for a run that fails. */
  logs(): string;
  stop(): Promise<void>;
}

/** One `informant run` child process. */
interface Informant {
  child: ChildProcess;
  output: string;
  /** The last 4,000 characters it wrote (its log). */
  stderr(): string;
}

function logsOf(procs: readonly Informant[]): string {
  return procs.map((p) => `--- ${path.basename(p.output)}:\n${p.stderr()}`).join('\n');
}

const direct: Contender = {
  label: 'each renderer watches the API server',
  async start({ cluster, nodeFlags }, renderers) {
    const source = { kubernetes: { kubeconfig: cluster.kubeconfig } };
    const procs = range(renderers).map((i) => startInformant(cluster.dir, `direct-${i}`, watched('full'), source, nodeFlags));
    return { outputs: procs.map((p) => p.output), logs: () => logsOf(procs), stop: () => stopAll(procs.map((p) => p.child)) };
  },
};

/** R renderers reading a shared store of `kind`, fed by one publisher. */
function throughStore(kind: SharedStoreKind): Contender {
  return {
    label: `renderers fed through ${kind.name}`,
    async start({ cluster, nodeFlags }, renderers) {
      const store = await kind.start();
      const settings = { backend: store.backend, [store.backend]: store.settings() };
      const publisher = startInformant(cluster.dir, `${kind.name}-publisher`, watched('published'), { kubernetes: { kubeconfig: cluster.kubeconfig } }, nodeFlags, {
        publish: { ...settings, cluster: 'bench' },
      });
      const procs = range(renderers).map((i) => startInformant(cluster.dir, `${kind.name}-${i}`, watched('full'), { shared: settings }, nodeFlags));
      return {
        outputs: procs.map((p) => p.output),
        logs: () => logsOf([publisher, ...procs]),
        stop: async () => {
          await stopAll([publisher.child, ...procs.map((p) => p.child)]);
          await store.stop();
        },
      };
    },
  };
}

/** The contenders through a shared store: etcd, then PostgreSQL. */
const THROUGH: readonly Contender[] = SHARED_STORE_KINDS.map(throughStore);

/** The three watched resources of the example, with `store`. */
function watched(store: string): Record<string, unknown> {
  return {
    ingresses: { api_version: 'networking.k8s.io/v1', kind: 'Ingress', store },
    services: { api_version: 'v1', kind: 'Service', store },
    endpointslices: { api_version: 'discovery.k8s.io/v1', kind: 'EndpointSlice', store },
  };
}

/** Starts `informant run` with a config of its own (written as JSON, which is YAML). */
function startInformant(
  dir: string,
  name: string,
  watchedResources: Record<string, unknown>,
  source: Record<string, unknown>,
  nodeFlags: readonly string[],
  extra: Record<string, unknown> = {},
): Informant {
  const output = path.join(dir, `${name}.out`);
  const config = {
    watched_resources: watchedResources,
    source,
    templates: { out: { inline: TEMPLATE, output } },
    render: { debounce: '50ms', max_wait: '1s' },
    logging: { level: 'warn' },
    ...extra,
  };
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [...nodeFlags, CLI, 'run', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  const keep = (chunk: Buffer): void => void (stderr = (stderr + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output, stderr: () => stderr };
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** One contender at one size: start-up and a burst of changes, each until the outputs agree. */
async function measure(ctx: RunContext, contender: Contender, renderers: number, ingresses: number, changes: number): Promise<Row[]> {
  const cluster = await startCluster({
    ingresses: generate(ingresses, ingress),
    services: generate(ingresses, service),
    endpointslices: generate(ingresses, endpointSlice),
  });
  try {
    const server = cluster.server;
    const mark = (): { requests: number; bytes: number; at: number } => ({ requests: server.requests.length, bytes: server.bytesSent, at: performance.now() });
    const start = mark();
    const running = await contender.start({ cluster, nodeFlags: ctx.nodeFlags ?? [] }, renderers);
    try {
      await agreement(running, (text) => lines(text) === ingresses + 1);
      const synced = mark();
      for (let c = 1; c <= changes; c++) {
        server.update('endpointslices', endpointSlice(c % ingresses, c));
        await sleep(DEFAULTS.changeGapMs);
      }
      const last = ipOf((changes % ingresses) * 8 + changes * 1_000_003);
      await agreement(running, (text) => text.includes(` ${last}`));
      const done = mark();
      const label = contender.label;
      return [
        row(`${label}: start until all outputs agree`, 'ms', [synced.at - start.at], renderers),
        row(`${label}: API requests during start`, 'requests', [synced.requests - start.requests], renderers),
        row(`${label}: API bytes during start`, 'KiB', [(synced.bytes - start.bytes) / 1024], renderers),
        row(`${label}: ${changes} changes until all outputs agree`, 'ms', [done.at - synced.at], renderers),
        row(`${label}: API bytes during the changes`, 'KiB', [(done.bytes - synced.bytes) / 1024], renderers),
      ];
    } finally {
      await running.stop();
    }
  } finally {
    await cluster.close();
  }
}

function lines(text: string): number {
  return text.split('\n').filter((line) => line !== '').length;
}

/** Resolves once every output exists, all are identical and `done(text)` holds. */
async function agreement(running: Running, done: (text: string) => boolean): Promise<void> {
  const outputs = running.outputs;
  const deadline = performance.now() + DEFAULTS.timeoutMs;
  while (performance.now() < deadline) {
    const texts = outputs.map((file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined));
    const first = texts[0];
    if (first !== undefined && texts.every((text) => text === first) && done(first)) return;
    await sleep(DEFAULTS.pollMs);
  }
  const seen = outputs.map((file) => (fs.existsSync(file) ? `${path.basename(file)}: ${lines(fs.readFileSync(file, 'utf8'))} lines` : `${path.basename(file)}: missing`));
  throw new Error(`the ${outputs.length} outputs did not agree (${seen.join(', ')}) within ${DEFAULTS.timeoutMs} ms; the processes said:\n${running.logs()}`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function section(rows: Row[], renderers: number, sizes: { ingresses: number; changes: number }): Section {
  const find = (prefix: string, what: string): Row => rows.find((r) => r.label.startsWith(prefix) && r.label.includes(what))!;
  const goal = { op: '<=' as const, target: 2 / renderers };
  const ratios: Ratio[] = THROUGH.flatMap((through) => {
    const name = through.label.replace('renderers fed through ', '');
    return [
      ratio(`API bytes during start: through ${name} / direct`, find(through.label, 'bytes during start'), find(direct.label, 'bytes during start'), goal),
      ratio(`API requests during start: through ${name} / direct`, find(through.label, 'requests during start'), find(direct.label, 'requests during start')),
      ratio(`API bytes during the changes: through ${name} / direct`, find(through.label, 'bytes during the changes'), find(direct.label, 'bytes during the changes'), goal),
      ratio(`time until all agree at start: through ${name} / direct`, find(through.label, 'start until'), find(direct.label, 'start until')),
    ];
  });
  const [etcd, postgres] = THROUGH;
  if (etcd && postgres) {
    ratios.push(ratio('time until all agree after the changes: through PostgreSQL / through etcd', find(postgres.label, 'changes until'), find(etcd.label, 'changes until')));
  }
  return {
    id: 'fanout',
    title: `8. ${renderers} renderers over ${sizes.ingresses} Ingresses (+ Services, EndpointSlices): API server load and time until all outputs agree`,
    rows,
    ratios,
    notes: [
      "Every process is `informant run` (the CLI) in its own child process; etcd is Debian's etcd-server and PostgreSQL Debian's postgresql, each on loopback; all share the machine's cores.",
      'Through a shared store, the only client of the API server is the publisher; the goal (at most 2/R of the direct load) says the API server load does not grow with the renderers.',
      `The burst is ${sizes.changes} EndpointSlice updates ${DEFAULTS.changeGapMs} ms apart; "agree" means every output is byte-identical and shows the last one.`,
    ],
  };
}
