import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/log.ts';
import { VERSION } from '../../src/version.ts';
import { eventually } from '../support/waiters.ts';

const dirs: string[] = [];
const daemons: Daemon[] = [];
after(async () => {
  for (const daemon of daemons) await daemon.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CONFIG = `
watched_resources:
  services: {api_version: v1, kind: Service}
  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress}
source:
  files: {path: manifests, watch: false}
templates:
  plain:
    inline: "{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}"
    output: out/plain.txt
  checked:
    inline: "{{ resources.services | length }}"
    output: out/checked.txt
    validate: ["true"]
render: {debounce: 10ms, max_wait: 100ms}
logging: {level: silent}
server: {listen: "127.0.0.1:0", debug: true, debug_listen: "127.0.0.1:0"}
`;

async function startDaemon() {
  const dir = await mkdtemp(join(tmpdir(), 'informant-monitoring-'));
  dirs.push(dir);
  await mkdir(join(dir, 'manifests'));
  await writeFile(join(dir, 'manifests', 'web.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: web}\nspec: {ports: [{port: 80}]}\n');
  await writeFile(join(dir, 'config.yaml'), CONFIG);
  const load = () => loadConfig(join(dir, 'config.yaml'));
  const daemon = new Daemon({ config: await load(), logger: silentLogger(), loadConfig: load, watchConfig: false, processMetrics: false });
  daemons.push(daemon);
  await daemon.start();
  await eventually(() => daemon.controller.status().templates.every((t) => t.lastOutputAt !== undefined), 'both outputs are written');
  return daemon;
}

describe('monitoring', () => {
  test('/metrics: informant_build_info, and error counters at zero for every template and resource before any error', async () => {
    const daemon = await startDaemon();
    const metrics = await (await fetch(`${daemon.serverUrl}/metrics`)).text();
    assert.match(metrics, new RegExp(`^informant_build_info\\{version="${VERSION.replaceAll('.', '\\.')}",node_version="${process.versions.node}"\\} 1$`, 'm'));
    for (const template of ['plain', 'checked']) {
      for (const stage of ['render', 'validate', 'write', 'on_change']) {
        assert.match(metrics, new RegExp(`^informant_render_errors_total\\{template="${template}",stage="${stage}"\\} 0$`, 'm'));
      }
      assert.match(metrics, new RegExp(`^informant_renders_total\\{template="${template}",result="failed"\\} 0$`, 'm'));
      for (const resource of ['services', 'ingresses']) {
        assert.match(metrics, new RegExp(`^informant_template_rejected_objects_total\\{template="${template}",resource="${resource}"\\} 0$`, 'm'));
      }
    }
    assert.match(metrics, /^informant_command_failures_total\{template="checked",command="validate",reason="timeout"\} 0$/m);
    assert.doesNotMatch(metrics, /informant_command_failures_total\{template="plain"/, 'no series for a command the template does not have');
    assert.doesNotMatch(metrics, /command="on_change"/);
    assert.match(metrics, /^informant_config_reloads_total\{result="failure"\} 0$/m);
  });

  test('/metrics has no publisher metrics when nothing is published', async () => {
    const daemon = await startDaemon();
    const metrics = await (await fetch(`${daemon.serverUrl}/metrics`)).text();
    assert.doesNotMatch(metrics, /informant_publish/);
  });

  test('/debug/ JSON shows every clock time as ISO 8601', async () => {
    const daemon = await startDaemon();
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    const outputs = (await (await fetch(`${daemon.debugUrl}/debug/outputs`)).json()) as Array<Record<string, unknown> & { last: { at: unknown } }>;
    for (const output of outputs) {
      for (const field of ['lastSuccessAt', 'lastOutputAt']) assert.match(String(output[field]), iso, `${field}: ${String(output[field])}`);
      assert.match(String(output.last.at), iso);
      assert.ok(Math.abs(Date.parse(String(output.lastOutputAt)) - Date.now()) < 3_600_000, 'the wall-clock time, not a monotonic count');
    }
    const sync = JSON.stringify(await (await fetch(`${daemon.debugUrl}/debug/sync`)).json());
    const numbers = [...sync.matchAll(/"(\w*(?:At|Since)|at)":(\d+)/g)].map((m) => m[0]);
    assert.deepEqual(numbers, [], 'no clock time left as a number');
  });
});
