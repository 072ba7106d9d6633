/**
 * ConfigWatcher: notices when the config file or a template file changed, by polling
 * their contents. Polling (instead of file system events) also sees a Kubernetes
 * ConfigMap update, which swaps a symlinked folder under the mounted files, and an editor
 * that replaces a file; the files are small, so reading them every few seconds costs
 * nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../time/clock.ts';

/** Defaults of ConfigWatcher. */
export const DEFAULTS = Object.freeze({
  /** Time between polls (ms): 2 s, quick next to a ConfigMap's own propagation delay (about a minute). */
  intervalMs: 2_000,
});

/** What to watch and whom to tell. */
export interface ConfigWatcherOptions {
  clock: Clock;
  /** Called once per change (the files' combined content differs from the last poll). */
  onChange: () => void;
  intervalMs?: number;
}

/** Polls a set of files and calls onChange once whenever their combined content changes. */
export class ConfigWatcher {
  readonly #options: ConfigWatcherOptions;
  #files: string[] = [];
  #digest: string | undefined;
  #timer: unknown;
  #stopped = true;

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
  }

  /** Starts polling `files`, taking their current content as the baseline. */
  async start(files: readonly string[]): Promise<void> {
    this.#files = [...files];
    this.#digest = await digest(this.#files);
    this.#stopped = false;
    this.#schedule();
  }

  /** Watches `files` from now on (after a reload), with their current content as the baseline. */
  async watch(files: readonly string[]): Promise<void> {
    this.#files = [...files];
    this.#digest = await digest(this.#files);
  }

  stop(): void {
    this.#stopped = true;
    this.#options.clock.clearTimeout(this.#timer);
  }

  /** One poll (exposed for tests that drive it without a clock). */
  async poll(): Promise<void> {
    const current = await digest(this.#files);
    if (this.#stopped || current === this.#digest) return;
    this.#digest = current;
    this.#options.onChange();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      void this.poll().finally(() => this.#schedule());
    }, this.#options.intervalMs ?? DEFAULTS.intervalMs);
  }
}

/** One hash over every file's content (a missing file counts as a distinct state). */
async function digest(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    const content = await readFile(file).catch(() => undefined);
    hash.update(content === undefined ? '<missing>' : content).update('\0');
  }
  return hash.digest('hex');
}
