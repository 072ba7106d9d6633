/**
 * Test helpers for the files source: a recording sink, a log capture, temp folders and a
 * waiter that resolves when a condition holds (with a generous failure timeout; never a
 * timing assertion).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { objectId, type KubeObject } from '../../../src/k8s.ts';
import type { WatchSink } from '../../../src/watcher/index.ts';

export { WAIT_TIMEOUT_MS, Waiters } from '../../support/waiters.ts';
import { Waiters } from '../../support/waiters.ts';

export type SinkEvent =
  | { type: 'add' | 'update' | 'delete'; obj: KubeObject }
  | { type: 'replace'; objs: KubeObject[] }
  | { type: 'synced' };

/** A WatchSink that records every call and keeps the contents those calls imply. */
export class RecordingSink implements WatchSink {
  readonly events: SinkEvent[] = [];
  readonly contents = new Map<string, KubeObject>();
  readonly waiters = new Waiters();
  add(obj: KubeObject): void {
    this.#record({ type: 'add', obj });
  }
  update(obj: KubeObject): void {
    this.#record({ type: 'update', obj });
  }
  delete(obj: KubeObject): void {
    this.#record({ type: 'delete', obj });
  }
  replace(objs: KubeObject[]): void {
    this.#record({ type: 'replace', objs });
  }
  synced(): void {
    this.#record({ type: 'synced' });
  }
  /** Events after the first `skip`, as "type id" strings. */
  summary(skip = 0): string[] {
    return this.events.slice(skip).map((e) => ('obj' in e ? `${e.type} ${objectId(e.obj)}` : e.type));
  }
  /** Names (namespace/name) currently held, sorted. */
  ids(): string[] {
    return [...this.contents.keys()].sort();
  }
  waitFor(condition: (sink: this) => boolean, what: string): Promise<void> {
    return this.waiters.until(() => condition(this), what);
  }
  #record(event: SinkEvent): void {
    this.events.push(event);
    if (event.type === 'replace') {
      this.contents.clear();
      for (const obj of event.objs) this.contents.set(objectId(obj), obj);
    } else if (event.type === 'delete') {
      this.contents.delete(objectId(event.obj));
    } else if (event.type !== 'synced') {
      this.contents.set(objectId(event.obj), event.obj);
    }
    this.waiters.notify();
  }
}

export { captureLogger } from '../../support/log-capture.ts';

/** A fresh temp folder and a writer of files under it; remove() deletes it. */
export async function tempFolder(): Promise<{
  root: string;
  write: (rel: string, text: string) => Promise<string>;
  remove: () => Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'informant-files-'));
  return {
    root,
    write: async (rel, text) => {
      const path = join(root, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
      return path;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** A YAML manifest of a ConfigMap. */
export function configMap(name: string, namespace: string, data: Record<string, string> = {}, labels?: Record<string, string>): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`];
  if (labels) lines.push('  labels:', ...Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`));
  lines.push('data:', ...Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`));
  if (Object.keys(data).length === 0) lines[lines.length - 1] = 'data: {}';
  return `${lines.join('\n')}\n`;
}
