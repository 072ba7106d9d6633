/** The fake proxy (fake-proxy.ts) under exec mode: a config that runs it, and what it recorded. */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fake proxy, as an exec command: run with the same Node as the tests. */
export const FAKE_PROXY = fileURLToPath(new URL('./fake-proxy.ts', import.meta.url));

export interface ProxyEvent {
  event: 'start' | 'signal';
  signal?: string;
  pid: number;
  /** The content of the config file it serves, when the event happened. */
  content: string | null;
}

/** Every event recorded in `file` so far (none when it does not exist yet). */
export async function proxyEvents(file: string): Promise<ProxyEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ProxyEvent);
}

/** The events as short strings ("start", "SIGHUP"), for assertions on their order. */
export async function proxyEventNames(file: string): Promise<string[]> {
  return (await proxyEvents(file)).map((e) => e.signal ?? e.event);
}

/** A Service manifest (a label that no output shows, to make changes that change nothing). */
export function serviceManifest(name: string, label = 'a'): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: ${name}, labels: {l: ${label}}}\nspec: {ports: [{port: 80}]}\n`;
}

/** What proxyFolder writes besides its defaults. */
export interface ProxyFolderOptions {
  /** Services in manifests/ at the start. */
  services: string[];
  /** VAR=value settings of the fake proxy (see fake-proxy.ts). */
  env?: string[];
  /** More keys of the exec mapping (", reload_signal: SIGUSR2"). */
  exec?: string;
  /** More templates (YAML under templates:), and more top-level keys. */
  templates?: string;
  extra?: string;
}

/**
 * A temporary folder with a config whose exec child is the fake proxy, serving
 * out/services.txt (the Service names) rendered from manifests/ (watched); the proxy
 * records into record.jsonl.
 */
export async function proxyFolder(options: ProxyFolderOptions): Promise<{ dir: string; file: string; record: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-exec-'));
  await mkdir(join(dir, 'manifests'));
  for (const name of options.services) await writeFile(join(dir, 'manifests', `${name}.yaml`), serviceManifest(name));
  const command = JSON.stringify(['env', ...(options.env ?? []), process.execPath, FAKE_PROXY, 'record.jsonl', 'out/services.txt']);
  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    `watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
templates:
  services:
    inline: "{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}"
    output: out/services.txt
${options.templates ?? ''}
render: {debounce: 10ms, max_wait: 100ms}
exec: {command: ${command}${options.exec ?? ''}}
${options.extra ?? ''}
`,
  );
  return { dir, file, record: join(dir, 'record.jsonl') };
}
