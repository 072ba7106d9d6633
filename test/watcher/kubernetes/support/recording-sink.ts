import { objectId, type KubeObject } from '../../../../src/k8s.ts';
import type { WatchSink } from '../../../../src/watcher/index.ts';

/** One call the sink received. */
export type SinkCall =
  | { op: 'add' | 'update' | 'delete'; id: string; rv: string | undefined }
  | { op: 'replace'; count: number }
  | { op: 'synced' };

/**
 * A WatchSink backed by a Map, implementing the replace contract literally (absent →
 * delete, same uid and RV → untouched, new uid → delete + add, else update), and recording
 * every call and every resulting change so tests can assert on both.
 */
export class RecordingSink implements WatchSink {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: SinkCall[] = [];
  /** Changes replace() made: what a store would report as events. */
  readonly changes: Array<{ op: 'add' | 'update' | 'delete'; id: string }> = [];
  syncedCount = 0;
  /** Set to make the next add/update/delete throw (to test sink failures). */
  failNext: Error | undefined;
  #waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  add(obj: KubeObject): void {
    this.#maybeFail();
    this.calls.push({ op: 'add', id: objectId(obj), rv: obj.metadata.resourceVersion });
    this.objects.set(objectId(obj), obj);
    this.#notify();
  }

  update(obj: KubeObject): void {
    this.#maybeFail();
    this.calls.push({ op: 'update', id: objectId(obj), rv: obj.metadata.resourceVersion });
    this.objects.set(objectId(obj), obj);
    this.#notify();
  }

  delete(obj: KubeObject): void {
    this.#maybeFail();
    this.calls.push({ op: 'delete', id: objectId(obj), rv: obj.metadata.resourceVersion });
    this.objects.delete(objectId(obj));
    this.#notify();
  }

  replace(objs: KubeObject[]): void {
    this.calls.push({ op: 'replace', count: objs.length });
    const next = new Map(objs.map((obj) => [objectId(obj), obj]));
    for (const id of this.objects.keys()) {
      if (!next.has(id)) this.#change('delete', id);
    }
    for (const [id, obj] of next) this.#reconcile(id, obj);
    this.objects.clear();
    for (const [id, obj] of next) this.objects.set(id, obj);
    this.#notify();
  }

  synced(): void {
    this.calls.push({ op: 'synced' });
    this.syncedCount++;
    this.#notify();
  }

  /** namespace/name → resourceVersion, for comparing with the server. */
  versions(): Map<string, string | undefined> {
    return new Map([...this.objects].map(([id, obj]) => [id, obj.metadata.resourceVersion]));
  }

  /** Resolves once `check()` holds (checked after every sink call). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ check, resolve }));
  }

  ops(): string[] {
    return this.calls.map((c) => c.op);
  }

  #reconcile(id: string, obj: KubeObject): void {
    const old = this.objects.get(id);
    if (!old) return this.#change('add', id);
    if (old.metadata.uid !== obj.metadata.uid) {
      this.#change('delete', id);
      return this.#change('add', id);
    }
    if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#change('update', id);
  }

  #change(op: 'add' | 'update' | 'delete', id: string): void {
    this.changes.push({ op, id });
  }

  #maybeFail(): void {
    const err = this.failNext;
    this.failNext = undefined;
    if (err) throw err;
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}
