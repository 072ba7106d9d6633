/**
 * The server stage's contract types: the probes' answers and the narrow backend the
 * server serves from (whoever runs the server implements ServerBackend).
 */
import type { KubeObject } from '../k8s.ts';
import type { StoreReader } from '../store/index.ts';

/** The answer of a probe: ok, or the reasons it is not (and notes that do not change the answer). */
export interface ProbeResult {
  ok: boolean;
  /** Why not, one sentence each (empty when ok). */
  reasons: string[];
  /** What is wrong although the probe passes, one sentence each (shown when ok). */
  warnings?: string[];
  /** What the answer leaves out on purpose (an optional resource rendered without); absent when none. */
  notes?: string[];
}

/** A store as the debug endpoints see it. */
export interface DebugStore {
  /** The watched resource's name. */
  name: string;
  /** The store backend (`full`, `on-demand`, ...), for messages. */
  type: string;
  store: StoreReader;
  /** The index_by expressions, in key order (what `?keys=` matches). */
  indexBy: readonly string[];
  /** Its objects are Secrets: data and stringData are redacted unless allowed. */
  secret: boolean;
}

/** What the /debug/ endpoints read. Every answer must be JSON-serializable. */
export interface DebugBackend {
  /** Show Secret data instead of redacting it (server.allow_secrets). */
  readonly allowSecrets: boolean;
  /** Per watched resource: store type, size, sync state, missing keys, cache counters (GET /debug/stores). */
  storeSummaries(): unknown[];
  /** One store for queries; undefined when there is none by that name. */
  store(name: string): DebugStore | undefined;
  /** Every store. */
  stores(): DebugStore[];
  /**
   * Every Secret whose values must be masked in a rendered output shown (those of the
   * stores, and the bodies on-demand stores fetched for renders).
   */
  secrets(): Iterable<KubeObject>;
  /** Per template: output path, checksum, last result (GET /debug/outputs). */
  outputSummaries(): unknown[];
  /**
   * The current and the last rejected rendering of one template, and whether a render of it
   * read Secret data (then neither is shown unless allowSecrets); undefined when there is
   * no such template.
   */
  output(template: string): { current?: string; previous?: string; rejected?: string; readsSecrets: boolean } | undefined;
  /** The running config (GET /debug/config). */
  config(): unknown;
  /** Sync and watch state per resource, leadership, reload state (GET /debug/sync). */
  sync(): unknown;
}

/** What the server serves from. */
export interface ServerBackend {
  /** Liveness: the process makes progress. */
  health(): ProbeResult;
  /** Readiness: synced, and a good output in place for every template. */
  readiness(): ProbeResult;
  /** The Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** The debug endpoints, or undefined when they are turned off (server.debug: false). */
  debug(): DebugBackend | undefined;
}
