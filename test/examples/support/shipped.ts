/**
 * Every template informant ships, ready to render from any objects: the HAProxy example
 * (examples/config.yaml: haproxy.cfg and crt-list.txt), the hosts example
 * (examples/hosts/config.yaml) and the compact HAProxy template embedded in
 * deploy/base/configmap.yaml (extracted into a temporary folder). Also what makes a rendered
 * HAProxy config runnable here: its certificate paths, stats socket and binds moved into a
 * temporary folder and onto loopback ports.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type Config } from '../../../src/config/index.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { silentLogger, type Logger } from '../../../src/log.ts';
import { readManifests } from '../../../src/template-tests/fixtures.ts';
import { renderFromObjects } from '../../../src/template-tests/render.ts';
import { selfSignedPem } from '../../support/haproxy.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A shipped template: which config renders it, and the name it has there. */
export interface ShippedTemplate {
  /** How tests name it: "haproxy.cfg", "crt-list.txt", "hosts", "deploy haproxy.cfg". */
  readonly id: string;
  readonly config: Config;
  readonly template: string;
}

/** Loads every shipped config; `cleanup` removes the folder the deploy ConfigMap was extracted to. */
export async function shippedTemplates(): Promise<{ templates: ShippedTemplate[]; cleanup: () => Promise<void> }> {
  const example = await loadConfig(join(ROOT, 'examples', 'config.yaml'));
  const hosts = await loadConfig(join(ROOT, 'examples', 'hosts', 'config.yaml'));
  const deployDir = await mkdtemp(join(tmpdir(), 'informant-deploy-template-'));
  const configMap = parseAllDocuments(await readFile(join(ROOT, 'deploy', 'base', 'configmap.yaml'), 'utf8'))[0]!.toJS() as { data: Record<string, string> };
  for (const [name, content] of Object.entries(configMap.data)) await writeFile(join(deployDir, name), content);
  const deploy = await loadConfig(join(deployDir, 'config.yaml'));
  return {
    templates: [
      { id: 'haproxy.cfg', config: example, template: 'haproxy.cfg' },
      { id: 'crt-list.txt', config: example, template: 'crt-list.txt' },
      { id: 'hosts', config: hosts, template: 'hosts' },
      { id: 'deploy haproxy.cfg', config: deploy, template: 'haproxy.cfg' },
    ],
    cleanup: () => rm(deployDir, { recursive: true, force: true }),
  };
}

/** The objects of examples/manifests. */
export async function exampleManifests(): Promise<KubeObject[]> {
  const { objects, problems } = await readManifests(join(ROOT, 'examples', 'manifests'));
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return objects;
}

/** Renders the templates `ids` of `templates` from `objects`; a failed render throws. */
export async function renderShipped(
  templates: readonly ShippedTemplate[],
  objects: readonly KubeObject[],
  logger: Logger = silentLogger(),
): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  for (const shipped of templates) {
    const outcome = (await renderFromObjects(shipped.config, objects, [shipped.template], logger)).get(shipped.template)!;
    if (!outcome.ok) throw new Error(`${shipped.id} failed to render: ${outcome.error.message}`);
    outputs.set(shipped.id, outcome.content);
  }
  return outputs;
}

/** Where an HAProxy config binds, by the port it names (`bind :80` → 80), moved to 127.0.0.1 ports. */
export type Binds = ReadonlyMap<number, number>;

/**
 * Writes `haproxyCfg` (and `crtList`, for the example) into `dir` so that HAProxy can run it
 * as a test user: the certificates the crt-list names (relative to the config's folder, as
 * the example's `default-path config` reads them) become self-signed ones there, the stats
 * socket moves into `dir`, and each `bind :N` becomes `bind 127.0.0.1:M` for N → M in
 * `binds` (a bind not in `binds` is left as it is: fine for `haproxy -c`, which binds
 * nothing). Returns the config file.
 */
export async function runnableConfig(dir: string, haproxyCfg: string, crtList: string | undefined, binds: Binds = new Map()): Promise<string> {
  if (crtList !== undefined) {
    const pem = await selfSignedPem();
    for (const [, file] of crtList.matchAll(/^(\S+\.pem) /gm)) {
      await mkdir(dirname(join(dir, file!)), { recursive: true });
      await writeFile(join(dir, file!), pem);
    }
    await writeFile(join(dir, 'crt-list.txt'), crtList);
  }
  const text = haproxyCfg
    .replace(/^(\s*stats socket )\S+/m, `$1${join(dir, 'admin.sock')}`)
    .replace(/^(\s*bind ):(\d+)\b/gm, (line, prefix: string, port: string) => {
      const moved = binds.get(Number(port));
      return moved === undefined ? line : `${prefix}127.0.0.1:${moved}`;
    });
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, text);
  return file;
}
