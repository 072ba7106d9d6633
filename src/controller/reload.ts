/**
 * A config reload in flight: the new config, its units (kept ones and fresh ones), and
 * the promise the caller waits on. The controller swaps it in once every fresh unit has
 * synced (or is optional and past its sync timeout), so it never renders from a
 * half-filled pipeline.
 */
import type { Config } from '../config/types.ts';
import type { WatchUnit } from './watch-unit.ts';

/** A reload could not be applied; the running config stays. */
export class ReloadError extends Error {
  override readonly name = 'ReloadError';
  /** The config file of the rejected version. */
  readonly file: string;
  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`config ${file} not applied, the running config stays: ${message}`, options);
    this.file = file;
  }
}

/** A reload whose fresh watch units are syncing; swapped in by the controller once they have. */
export class PendingReload {
  readonly config: Config;
  /** Every unit of the new config, kept and fresh, in config order. */
  readonly units: readonly WatchUnit[];
  /** The units started for this reload: stopped if it is abandoned. */
  readonly fresh: readonly WatchUnit[];
  /** Clock time the reload was requested at. */
  readonly since: number;
  /** Resolves once swapped in; rejects when abandoned or when the swap fails. */
  readonly done: Promise<void>;
  swapping = false;
  #resolve!: () => void;
  #reject!: (err: Error) => void;

  constructor(config: Config, units: WatchUnit[], fresh: WatchUnit[], since: number) {
    this.config = config;
    this.units = units;
    this.fresh = fresh;
    this.since = since;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => undefined); // callers may not wait; an abandoned reload is logged
  }

  resolve(): void {
    this.#resolve();
  }

  /** Gives up: stops the fresh units and rejects the waiters with `err`. */
  async abandon(err: Error): Promise<void> {
    await Promise.all(this.fresh.map((unit) => unit.stop()));
    this.#reject(err);
  }
}
