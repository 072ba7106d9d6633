/**
 * A KvWatchHandlers that records every call, and resolves waits when what a test expects
 * has arrived (a generous failure timeout guards against hangs; nothing asserts timing).
 */
import type { KvChange, KvError, KvWatchHandlers } from '../../src/kv/index.ts';
import { Waiters } from '../support/waiters.ts';

/** How long a test waits for an expected watch call before failing, in ms. */
export const WAIT_TIMEOUT_MS = 20_000;

/** What one change looks like in assertions: `put <key>=<value>` or `delete <key>`. */
export function describeChange(change: KvChange): string {
  return change.type === 'put' ? `put ${change.record.key}=${change.record.value}` : `delete ${change.key}`;
}

/** Records the calls of one watch; see the module comment. */
export class WatchRecorder implements KvWatchHandlers {
  /** Every onChanges call, in order. */
  readonly calls: KvChange[][] = [];
  readonly lost: KvError[] = [];
  disconnects = 0;
  connects = 0;
  readonly #waiters = new Waiters(WAIT_TIMEOUT_MS);

  /** Every change received, in order. */
  get changes(): KvChange[] {
    return this.calls.flat();
  }

  /** The changes received, described. */
  get described(): string[] {
    return this.changes.map(describeChange);
  }

  onChanges(changes: readonly KvChange[]): void {
    this.calls.push([...changes]);
    this.#notify();
  }

  onLost(error: KvError): void {
    this.lost.push(error);
    this.#notify();
  }

  onDisconnected(): void {
    this.disconnects++;
    this.#notify();
  }

  onConnected(): void {
    this.connects++;
    this.#notify();
  }

  /** Resolves once `count` changes have arrived. */
  untilChanges(count: number): Promise<void> {
    return this.until(() => this.changes.length >= count, `${count} changes (have ${this.changes.length})`);
  }

  /** Resolves once `condition` holds. */
  until(condition: () => boolean, what: string): Promise<void> {
    return this.#waiters.until(condition, what);
  }

  #notify(): void {
    this.#waiters.notify();
  }
}
