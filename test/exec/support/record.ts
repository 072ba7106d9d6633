/** Reading what the fake proxy (fake-proxy.ts) recorded. */
import { readFile } from 'node:fs/promises';
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
