/**
 * The end-to-end contender: informant's Controller, configured like examples/config.yaml
 * (haproxy.cfg over Ingresses, Services, EndpointSlices, and the TLS Secrets its model
 * checks, on demand with a cache that holds them all) but against the benchmark's API
 * server with `render.debounce: 0s`, writing into a folder the runner watches. It reports
 * the duration and end time of every render the controller ran (from the renderer's debug
 * log line), so the runner can set its end-to-end latencies against the render time of the
 * same run and split each latency into before, during and after the render.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { createLogger } from '../../src/log.ts';
import type { Link } from '../support/link.ts';

export interface EndToEndParams {
  kubeconfig: string;
  /** A folder for the config file and the output. */
  dir: string;
}

/** One render the controller ran. */
export interface RenderTiming {
  /** Its duration, in ms. */
  ms: number;
  /** When it ended, in ms since the epoch (performance.timeOrigin based: comparable across processes). */
  endedAt: number;
}

export interface EndToEndResult {
  /** Every render after the `ready` message, in order. */
  renders: RenderTiming[];
}

const EXAMPLE_TEMPLATES = path.join(import.meta.dirname, '..', '..', 'examples', 'templates');

/** Starts the controller, reports `ready` with the output path once it has written it, runs until `done`. */
export async function endToEnd(params: EndToEndParams, link: Link): Promise<EndToEndResult> {
  const file = path.join(params.dir, 'config.yaml');
  const output = path.join(params.dir, 'out', 'haproxy.cfg');
  fs.writeFileSync(file, configText(params.kubeconfig, output));
  const renders: RenderTiming[] = [];
  const controller = new Controller({ config: await loadConfig(file), logger: renderTimeLogger(renders), watch: true });
  await controller.start();
  await controller.waitForSync();
  while (!fs.existsSync(output)) await sleep(10);
  await controller.idle();
  const before = renders.length;
  link.send({ type: 'ready', output });
  await link.next('done');
  await controller.stop();
  return { renders: renders.slice(before) };
}

/**
 * A debug-level logger that records each "template rendered" line (its durationMs, and
 * when it was written, which is right after the render) and drops the rest.
 */
function renderTimeLogger(renders: RenderTiming[]): ReturnType<typeof createLogger> {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const endedAt = performance.timeOrigin + performance.now();
      const text = chunk.toString('utf8');
      if (text.includes('"template rendered"')) renders.push({ ms: (JSON.parse(text) as { durationMs: number }).durationMs, endedAt });
      done();
    },
  });
  return createLogger({ level: 'debug', destination });
}

function configText(kubeconfig: string, output: string): string {
  return `
watched_resources:
  ingresses:
    api_version: networking.k8s.io/v1
    kind: Ingress
    index_by: [metadata.namespace, metadata.name]
    remove_fields: [status]
  services:
    api_version: v1
    kind: Service
    index_by: [metadata.namespace, metadata.name]
  endpointslices:
    api_version: discovery.k8s.io/v1
    kind: EndpointSlice
    index_by: [metadata.namespace, "metadata.labels['kubernetes.io/service-name']"]
  secrets:
    api_version: v1
    kind: Secret
    index_by: [metadata.namespace, metadata.name]
    store: on-demand
    cache_ttl: 10m
    max_cache_size: 1024
source:
  kubernetes:
    kubeconfig: ${JSON.stringify(kubeconfig)}
templates:
  haproxy.cfg:
    path: ${JSON.stringify(path.join(EXAMPLE_TEMPLATES, 'haproxy.cfg.njk'))}
    output: ${JSON.stringify(output)}
render:
  debounce: 0s
  max_wait: 2s
`;
}
