/**
 * SinkFanout: one source's stream delivered into several sinks, as client-go's shared
 * informer hands one stream to every handler. Sinks may join a stream that is already
 * running: each is synced after the first complete list it receives (the caller asks the
 * source for a list when a sink joins after one went out).
 */
import type { KubeObject } from '../k8s.ts';
import type { WatchSink } from './index.ts';

/** One sink of the fan-out and where it stands. */
interface Member {
  readonly sink: WatchSink;
  /** It has received a complete list (replace). */
  listed: boolean;
  /** synced() was called on it. */
  synced: boolean;
}

/**
 * A WatchSink that delivers every call to each of its members, in the order they joined.
 * Every member gets the same object: members must not change what they are handed (the
 * indexer and stores never do; a cluster's sink only sets metadata.cluster to the value
 * it already has or must have, which is the same for every member).
 * A member that throws does not keep the others from their call: the first error is
 * rethrown once every member has been called (the source then relists, as for any
 * failing sink).
 */
export class SinkFanout implements WatchSink {
  readonly #members: Member[] = [];
  /** The source delivered a complete list since it started. */
  #listed = false;
  /** The source said its initial list is delivered. */
  #synced = false;

  /** How many sinks are attached. */
  get size(): number {
    return this.#members.length;
  }

  /**
   * Attaches `sink`. Returns true when it needs a list of its own: the source already
   * delivered its list to the others (ask the source to list again; the members already
   * there see an unchanged list as no change).
   */
  attach(sink: WatchSink): boolean {
    this.#members.push({ sink, listed: false, synced: false });
    return this.#listed;
  }

  /** Detaches `sink`; it hears nothing more. */
  detach(sink: WatchSink): void {
    const index = this.#members.findIndex((member) => member.sink === sink);
    if (index >= 0) this.#members.splice(index, 1);
  }

  /** True once `sink` has received its list and been told synced. */
  isSynced(sink: WatchSink): boolean {
    return this.#members.find((member) => member.sink === sink)?.synced ?? false;
  }

  add(obj: KubeObject): void {
    this.#each((member) => member.sink.add(obj));
  }

  update(obj: KubeObject): void {
    this.#each((member) => member.sink.update(obj));
  }

  delete(obj: KubeObject): void {
    this.#each((member) => member.sink.delete(obj));
  }

  /** Every member gets the list; those hearing their first one are synced at once if the source already was. */
  replace(objs: KubeObject[]): void {
    this.#listed = true;
    this.#each((member) => {
      member.sink.replace(objs);
      member.listed = true;
    });
    if (this.#synced) this.#syncListed();
  }

  synced(): void {
    this.#synced = true;
    this.#syncListed();
  }

  /** Calls synced() on every member that has its list and has not been told. */
  #syncListed(): void {
    this.#each((member) => {
      if (!member.listed || member.synced) return;
      member.synced = true;
      member.sink.synced();
    });
  }

  /** Calls `deliver` for every member (a copy of the list: a member may detach meanwhile); rethrows the first error. */
  #each(deliver: (member: Member) => void): void {
    let failure: { error: unknown } | undefined;
    for (const member of [...this.#members]) {
      try {
        deliver(member);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
