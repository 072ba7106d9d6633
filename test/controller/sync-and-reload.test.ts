import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig, type Config } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { readiness } from '../../src/controller/health.ts';
import { ReloadError } from '../../src/controller/reload.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { createLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { watchStats, ScriptedSource, service } from './support/scripted-source.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function ingress(namespace: string, name: string, host: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name, uid: `uid-${name}`, resourceVersion: '1' },
    spec: { rules: [{ host }] },
  };
}

const OBJECTS: Record<string, KubeObject[]> = {
  services: [service('shop', 'web', 80)],
  ingresses: [ingress('shop', 'web', 'shop.example.com')],
};

function configText(options: { services?: string; ingresses?: string; template?: string; syncTimeout?: string } = {}): string {
  return `
watched_resources:
  services: {api_version: v1, kind: Service${options.services ?? ''}}
  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress${options.ingresses ?? ''}}
source:
  kubernetes: {}
templates:
  site:
    inline: "${options.template ?? '{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}{{ resources.ingresses | length }}\\n'}"
    output: out/site.txt
render: {debounce: 100ms, max_wait: 1s, sync_timeout: ${options.syncTimeout ?? '60s'}}
`;
}

/** A controller over a kubernetes-source config (configText(`config`)) whose units each get a ScriptedSource. */
async function setup(options: { hold?: string[]; config?: Parameters<typeof configText>[0]; objects?: Record<string, KubeObject[]> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-sync-'));
  dirs.push(dir);
  const file = join(dir, 'config.yaml');
  const clock = new FakeClock();
  const sources: Array<{ resources: string[]; source: ScriptedSource }> = [];
  const hold = new Set(options.hold ?? []);
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
  });
  const controller = new Controller({
    config: parseConfig(configText(options.config), file),
    logger,
    watch: true,
    clock,
    createSource: (config: Config) => {
      const names = config.watchedResources.map((r) => r.name);
      const initial = Object.fromEntries(names.map((name) => [name, (options.objects ?? OBJECTS)[name] ?? []]));
      const source = new ScriptedSource(initial, { holdSync: names.filter((name) => hold.has(name)) });
      sources.push({ resources: names, source });
      return source;
    },
  });
  const sourceOf = (resource: string): ScriptedSource => {
    const found = sources.filter((entry) => entry.resources.includes(resource)).at(-1);
    assert.ok(found, `a source for ${resource}`);
    return found.source;
  };
  const output = join(dir, 'out', 'site.txt');
  const logs = (): Array<{ msg: string; level: number; [key: string]: unknown }> => lines.map((line) => JSON.parse(line));
  return { dir, file, clock, controller, sources, sourceOf, output, logs, hold };
}

describe('sync barrier', () => {
  test('names a resource stuck past the sync timeout with the reason its watcher gives, and renders once it syncs', async () => {
    const t = await setup({ hold: ['ingresses'] });
    await t.controller.start();
    t.sourceOf('ingresses').problems.set('ingresses', {
      status: 403,
      message: 'forbidden: cannot list networking.k8s.io/ingresses in all namespaces; grant list,watch (RBAC)',
      at: new Date(0),
    });
    t.clock.advance(59_000);
    assert.equal(t.controller.status().resources.find((r) => r.resource === 'ingresses')?.stuck, undefined, 'not stuck before the timeout');
    t.clock.advance(1_000);
    const stuck = t.controller.status().resources.find((r) => r.resource === 'ingresses')?.stuck;
    assert.equal(stuck?.reason, 'forbidden');
    assert.match(stuck?.message ?? '', /^forbidden: cannot list/);
    const ready = readiness(t.controller.status());
    assert.equal(ready.ready, false);
    assert.match(ready.reasons.join('\n'), /watched resource "ingresses" has not synced after 60 s: forbidden: cannot list/);
    const metrics = (await t.controller.metrics.scrape()).body;
    assert.match(metrics, /informant_resource_sync_stuck\{resource="ingresses",reason="forbidden"\} 1/);
    assert.match(metrics, /informant_resource_synced\{resource="services"\} 1/);
    assert.match(metrics, /informant_resource_synced\{resource="ingresses"\} 0/);
    const logged = t.logs().find((entry) => entry.msg.includes('has not synced after 60 s'));
    assert.equal(logged?.level, 50, 'logged as an error');
    assert.equal(logged?.resource, 'ingresses');
    await assert.rejects(readFile(t.output), /ENOENT/, 'nothing is rendered while a resource is stuck');

    t.sourceOf('ingresses').sync('ingresses');
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'web 1\n');
    assert.deepEqual(readiness(t.controller.status()), { ready: true, reasons: [], warnings: [] });
    assert.ok(t.logs().some((entry) => entry.msg === 'watched resource "ingresses" synced after 60 s'));
    await t.controller.stop();
  });

  test('a resource that has not answered at all is reported as such', async () => {
    const t = await setup({ hold: ['services'] });
    await t.controller.start();
    t.clock.advance(60_000);
    const stuck = t.controller.status().resources.find((r) => r.resource === 'services')?.stuck;
    assert.deepEqual([stuck?.reason, stuck?.message], ['no_answer', 'no answer from the source yet']);
    await t.controller.stop();
  });

  test('exposes the watch counters of sources that keep them as metrics', async () => {
    const t = await setup();
    await t.controller.start();
    t.sourceOf('services').stats = () => [watchStats('services', { lastEventAt: t.clock.now() })];
    const body = (await t.controller.metrics.scrape()).body;
    assert.match(body, /informant_watch_events_total\{resource="services",type="BOOKMARK"\} 4/);
    assert.match(body, /informant_watch_relists_total\{resource="services"\} 1/);
    assert.match(body, /informant_watch_restarts_total\{resource="services"\} 5/);
    assert.match(body, /informant_watch_errors_total\{resource="services",reason="410"\} 1/);
    assert.match(body, /informant_watch_objects\{resource="services"\} 1/);
    assert.match(body, /informant_watch_last_event_age_seconds\{resource="services"\} \d/);
    assert.match(body, /informant_store_objects\{resource="ingresses"\} 1/);
    assert.match(body, /informant_indexer_missing_keys_total\{resource="services"\} 0/);
    assert.doesNotMatch(body, /informant_watch_events_total\{resource="ingresses"/, 'no counters for sources without them');
    await t.controller.stop();
  });
});

describe('config reload', () => {
  test('keeps the watches of unchanged resources, restarts changed ones, and swaps only once they synced', async () => {
    const t = await setup();
    await t.controller.start();
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'web 1\n');
    const before = [...t.sources];

    // services gets a label selector (changed); ingresses stays; the template changes.
    const next = parseConfig(configText({ services: ', label_selector: "tier=front"', template: 'v2 {{ resources.ingresses | length }}\\n' }), t.file);
    const reloading = t.controller.reload(next);
    await new Promise((resolve) => setImmediate(resolve));
    const fresh = t.sources.filter((s) => !before.includes(s));
    assert.deepEqual(fresh.map((s) => s.resources), [['services']], 'only the changed resource gets a new watch');
    assert.equal(before.find((s) => s.resources.includes('ingresses'))?.source.stopped, false, 'the unchanged watch keeps running');
    await reloading;
    assert.equal(before.find((s) => s.resources.includes('services'))?.source.stopped, true, 'the replaced watch is stopped');
    t.clock.advance(0);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'v2 1\n');
    assert.equal(t.controller.config, next);
    assert.match((await t.controller.metrics.scrape()).body, /informant_config_reloads_total\{result="success"\} 1/);
    await t.controller.stop();
  });

  test('keeps rendering the running config while a reloaded one waits for its new watches', async () => {
    const t = await setup();
    await t.controller.start();
    t.clock.advance(100);
    await t.controller.idle();
    const old = t.sourceOf('services');
    t.hold.add('services'); // the new watch of services will not sync until told
    const next = parseConfig(configText({ services: ', namespace: shop', template: 'v2 {{ resources.services | length }}\\n' }), t.file);
    let swapped = false;
    const reloading = t.controller.reload(next).then(() => (swapped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(t.controller.status().reload.pending, true);
    assert.equal(t.controller.config.file, next.file);
    assert.notEqual(t.controller.config, next, 'not swapped in yet');

    t.sourceOf('ingresses').add('ingresses', ingress('blog', 'blog', 'blog.example.com'));
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'web 2\n', 'the running config renders the change');
    assert.equal(old.stopped, false);
    assert.equal(swapped, false);

    t.sourceOf('services').sync('services');
    await reloading;
    assert.equal(old.stopped, true);
    t.clock.advance(0);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'v2 1\n');
    assert.equal(t.controller.status().reload.pending, false);
    await t.controller.stop();
  });

  test('a newer reload abandons one still waiting for sync and stops its watches', async () => {
    const t = await setup();
    await t.controller.start();
    t.hold.add('services');
    const first = t.controller.reload(parseConfig(configText({ services: ', namespace: a' }), t.file));
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = t.sourceOf('services');
    t.hold.clear();
    const second = t.controller.reload(parseConfig(configText({ services: ', namespace: b' }), t.file));
    await assert.rejects(first, /abandon|newer config/);
    await second;
    assert.equal(waiting.stopped, true);
    assert.equal(t.controller.config.watchedResources[0]?.namespace, 'b');
    await t.controller.stop();
  });

  test('rejects a config whose template does not compile and keeps the running one', async () => {
    const t = await setup();
    await t.controller.start();
    t.clock.advance(100);
    await t.controller.idle();
    const sources = t.sources.length;
    const broken = parseConfig(configText({ template: '{% for x in %}' }), t.file);
    await assert.rejects(t.controller.reload(broken), (err: unknown) => {
      assert.ok(err instanceof ReloadError);
      assert.match(err.message, /not applied, the running config stays: .*inline:site/);
      return true;
    });
    assert.equal(t.sources.length, sources, 'no watch was started');
    assert.notEqual(t.controller.config, broken);
    t.sourceOf('services').add('services', service('shop', 'api', 81));
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'api web 1\n', 'the old config keeps rendering');
    assert.match((await t.controller.metrics.scrape()).body, /informant_config_reloads_total\{result="failure"\} 1/);
    assert.equal(readiness(t.controller.status()).ready, true, 'a rejected reload does not take the replica out of service');
    await t.controller.stop();
  });
});

describe('per-resource sync policy', () => {
  const forbidden = { status: 403, message: 'forbidden: cannot list networking.k8s.io/ingresses in all namespaces', at: new Date(0) };

  test('an optional resource that does not sync is rendered empty once its own sync_timeout passes, with a status, metric and /readyz note', async () => {
    // A source that never got to list its ingresses: the store holds none of them.
    const t = await setup({ hold: ['ingresses'], config: { ingresses: ', optional: true, sync_timeout: 5s' }, objects: { services: OBJECTS.services! } });
    await t.controller.start();
    t.sourceOf('ingresses').problems.set('ingresses', forbidden);
    t.clock.advance(4_999);
    await t.controller.idle();
    await assert.rejects(readFile(t.output), /ENOENT/, 'nothing is rendered before its timeout');
    assert.equal(t.controller.status().renderable, false);
    t.clock.advance(1);
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'web 0\n', 'rendered with the optional resource empty');
    const state = t.controller.status().resources.find((r) => r.resource === 'ingresses');
    assert.deepEqual([state?.synced, state?.optional, state?.stuck?.reason], [false, true, 'forbidden']);
    const ready = readiness(t.controller.status());
    assert.equal(ready.ready, true);
    assert.deepEqual(ready.notes, [
      'watched resource "ingresses" has not synced after 5 s: forbidden: cannot list networking.k8s.io/ingresses in all namespaces; it is optional: the outputs are rendered without it (it reads as empty)',
    ]);
    let metrics = (await t.controller.metrics.scrape()).body;
    assert.match(metrics, /informant_resource_optional_missing\{resource="ingresses"\} 1/);
    assert.doesNotMatch(metrics, /informant_resource_optional_missing\{resource="services"\}/, 'a series for optional resources only');
    const logged = t.logs().find((entry) => entry.msg.includes('has not synced after 5 s'));
    assert.equal(logged?.level, 40, 'a warning, not an error');
    assert.match(logged?.msg ?? '', /it is optional: rendering goes on without it/);

    t.sourceOf('ingresses').add('ingresses', ingress('shop', 'web', 'shop.example.com'));
    t.sourceOf('ingresses').sync('ingresses');
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'web 1\n', 'rendered again once it synced');
    metrics = (await t.controller.metrics.scrape()).body;
    assert.match(metrics, /informant_resource_optional_missing\{resource="ingresses"\} 0/);
    assert.deepEqual(readiness(t.controller.status()), { ready: true, reasons: [], warnings: [] });
    await t.controller.stop();
  });

  test('a required resource with its own sync_timeout is reported stuck after it, and still holds rendering back', async () => {
    const t = await setup({ hold: ['ingresses'], config: { ingresses: ', sync_timeout: 10s' } });
    await t.controller.start();
    t.clock.advance(10_000);
    t.clock.advance(100);
    await t.controller.idle();
    const state = t.controller.status().resources.find((r) => r.resource === 'ingresses');
    assert.equal(state?.stuck?.reason, 'no_answer');
    assert.equal(state?.optional, undefined);
    await assert.rejects(readFile(t.output), /ENOENT/, 'a required resource holds every output back, as before');
    assert.equal(readiness(t.controller.status()).ready, false);
    assert.equal(t.logs().find((entry) => entry.msg.includes('has not synced after 10 s'))?.level, 50);
    await t.controller.stop();
  });

  test('by default every resource is required and waits render.sync_timeout', async () => {
    const t = await setup({ hold: ['ingresses'] });
    await t.controller.start();
    t.clock.advance(59_999);
    assert.equal(t.controller.status().resources.find((r) => r.resource === 'ingresses')?.stuck, undefined);
    t.clock.advance(60_000);
    await t.controller.idle();
    await assert.rejects(readFile(t.output), /ENOENT/);
    await t.controller.stop();
  });

  test('whenRenderable names the required resources past their timeout, and goes without the optional ones', async () => {
    const stuck = await setup({ hold: ['services', 'ingresses'], config: { services: ', sync_timeout: 2s', ingresses: ', optional: true, sync_timeout: 1s' } });
    await stuck.controller.start();
    const first = stuck.controller.whenRenderable();
    stuck.clock.advance(2_000);
    const state = await first;
    assert.equal(state.renderable, false);
    assert.deepEqual(!state.renderable && state.stuck.map((s) => s.resource), ['services']);
    await stuck.controller.stop();

    const optional = await setup({ hold: ['ingresses'], config: { ingresses: ', optional: true, sync_timeout: 1s' } });
    await optional.controller.start();
    const second = optional.controller.whenRenderable();
    optional.clock.advance(1_000);
    assert.deepEqual(await second, { renderable: true, without: ['ingresses'] });
    await optional.controller.stop();
  });

  test('a reload whose new optional resource does not sync is swapped in once its timeout passes', async () => {
    const t = await setup({ objects: { services: OBJECTS.services! } });
    await t.controller.start();
    t.clock.advance(100);
    await t.controller.idle();
    t.hold.add('ingresses');
    const next = parseConfig(configText({ ingresses: ', namespace: blog, optional: true, sync_timeout: 3s', template: 'v2 {{ resources.ingresses | length }}\\n' }), t.file);
    let swapped = false;
    const reloading = t.controller.reload(next).then(() => (swapped = true));
    await new Promise((resolve) => setImmediate(resolve));
    t.clock.advance(2_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(swapped, false);
    t.clock.advance(1);
    await reloading;
    t.clock.advance(0);
    await t.controller.idle();
    assert.equal(await readFile(t.output, 'utf8'), 'v2 0\n');
    await t.controller.stop();
  });

  test('changing only sync_timeout or optional keeps the watches (no relist)', async () => {
    const t = await setup();
    await t.controller.start();
    const before = t.sources.length;
    await t.controller.reload(parseConfig(configText({ services: ', sync_timeout: 5s', ingresses: ', optional: true' }), t.file));
    assert.equal(t.sources.length, before, 'no new watch was started');
    assert.equal(t.controller.status().resources.find((r) => r.resource === 'ingresses')?.optional, true);
    await t.controller.stop();
  });
});
