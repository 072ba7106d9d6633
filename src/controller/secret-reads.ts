/**
 * Which Secret data a render read: decided from its trace (the watched resources it
 * looked at, the on-demand bodies it was handed) and the config (which resources hold
 * Secrets). What it read decides whether its output may be shown in /debug/, and gives
 * the mask that keeps those values out of the messages of its commands and errors.
 */
import type { Config } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import { holdsSecrets, isSecret, SecretMask } from '../secrets/index.ts';
import type { StoreReader } from '../store/index.ts';
import type { RenderTrace } from '../templates/index.ts';

/** The Secret data one render read. */
export interface SecretReads {
  /** The render read a watched resource of Secrets (its output may hold Secret data). */
  readonly read: boolean;
  /** The Secrets it could have read: the full stores' objects and the on-demand bodies it was handed. */
  readonly secrets: readonly KubeObject[];
  /** Masks their values in messages (short values as whole words; see SecretMask). */
  readonly mask: SecretMask;
}

/** A trace to hand a render. */
export function newTrace(): RenderTrace {
  return { resources: new Set(), fetched: [] };
}

/** What the render traced in `trace` read of Secret data. */
export function secretReads(trace: RenderTrace, config: Config, stores: ReadonlyMap<string, StoreReader>): SecretReads {
  const secrets: KubeObject[] = trace.fetched.filter(isSecret);
  let read = false;
  for (const resource of config.watchedResources) {
    if (!trace.resources.has(resource.name) || !holdsSecrets(resource)) continue;
    read = true;
    for (const obj of stores.get(resource.name)?.list() ?? []) secrets.push(obj);
  }
  read ||= secrets.length > 0;
  return { read, secrets, mask: secrets.length === 0 ? SecretMask.none : new SecretMask(secrets, { shortValues: true }) };
}

/** `err` as it may be shown: its message masked; a new Error (without the cause, which may quote the values) when masking changed it. */
export function maskedError(err: Error, mask: SecretMask): Error {
  if (mask.empty) return err;
  const message = mask.apply(err.message);
  if (message === err.message) return err;
  const masked = new Error(message);
  masked.name = err.name;
  return masked;
}
