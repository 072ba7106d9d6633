/**
 * FakeFetcher: a Fetcher over an in-memory set of objects ("the server"), recording every
 * GET. A test can hold GETs open (`hold()`, then `release()`), make one object fail, and
 * read the signal each GET was given.
 */
import { formatIdentity, type KubeObject, type ObjectIdentity } from '../../src/k8s.ts';
import type { Fetcher } from '../../src/store/index.ts';

/** One GET the fake answered (or is holding). */
export interface FakeGet {
  cluster?: string | undefined;
  namespace: string;
  name: string;
  signal: AbortSignal;
}

export class FakeFetcher implements Fetcher {
  /** The "server": [cluster|]namespace/name → object. */
  readonly objects = new Map<string, KubeObject>();
  /** Every GET, in order. */
  readonly gets: FakeGet[] = [];
  /** Errors to reject GETs of an object with, by namespace/name. */
  readonly failures = new Map<string, Error>();
  #holding = false;
  #held: Array<() => void> = [];
  #inFlight = 0;
  /** The most GETs that were in flight at once. */
  maxInFlight = 0;

  /** Puts objects on the "server" (replacing those with the same identity). */
  put(...objects: KubeObject[]): this {
    for (const obj of objects) this.objects.set(formatIdentity(obj.metadata.cluster, obj.metadata.namespace ?? '', obj.metadata.name), obj);
    return this;
  }

  /** GETs of `namespace/name` ("ns/name", or "cluster|ns/name"), counted. */
  count(key?: string): number {
    return key === undefined ? this.gets.length : this.gets.filter((g) => formatIdentity(g.cluster, g.namespace, g.name) === key).length;
  }

  /** From now on GETs wait until release(). */
  hold(): void {
    this.#holding = true;
  }

  /** Answers every GET held so far, and stops holding. */
  release(): void {
    this.#holding = false;
    const held = this.#held;
    this.#held = [];
    for (const answer of held) answer();
  }

  /** How many GETs are waiting for release(). */
  get waiting(): number {
    return this.#held.length;
  }

  fetch({ cluster, namespace, name }: ObjectIdentity, signal: AbortSignal): Promise<KubeObject | undefined> {
    this.gets.push({ cluster, namespace, name, signal });
    const key = formatIdentity(cluster, namespace, name);
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    const answer = (): KubeObject | undefined => {
      const failure = this.failures.get(key);
      if (failure) throw failure;
      const found = this.objects.get(key);
      // A copy, as over the network: the store owns (and freezes) what it gets.
      return found === undefined ? undefined : structuredClone(found);
    };
    return new Promise<KubeObject | undefined>((resolve, reject) => {
      const settle = (): void => {
        this.#inFlight--;
        if (signal.aborted) return reject(signal.reason);
        try {
          resolve(answer());
        } catch (err) {
          reject(err);
        }
      };
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      if (this.#holding) this.#held.push(settle);
      else queueMicrotask(settle);
    });
  }
}

/** A Secret with `data`, at `resourceVersion`. */
export function secret(namespace: string, name: string, resourceVersion: string, data: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name, uid: `uid-${namespace}-${name}`, resourceVersion },
    data,
  };
}
