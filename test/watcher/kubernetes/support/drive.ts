import type { FakeClock } from '../../../support/fake-clock.ts';
import type { WatchedResourceConfig } from '../../../../src/config/types.ts';
import { watchedResource } from '../../../support/builders.ts';

/** Lets pending promise callbacks and I/O callbacks run (several macrotask turns). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Advances the fake clock in steps, letting the code under test react after each. */
export async function advance(clock: FakeClock, ms: number, step = 50): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await settle(3);
  }
}

/** A watched resource config with defaults filled in. */
export function watched(overrides: Partial<WatchedResourceConfig> & { name: string }): WatchedResourceConfig {
  return watchedResource(overrides.name, { kind: 'ConfigMap', ...overrides });
}
