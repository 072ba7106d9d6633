/**
 * What request handlers share: the state, the registries and the effective options of
 * one TestApiServer.
 */
import type { ClusterState } from './cluster-state.ts';
import type { ContinueTokens } from './continue-token.ts';
import type { Faults } from './faults.ts';
import type { ResourceRegistry } from './resources.ts';
import type { Identities } from './reviews.ts';
import type { WatchChaos } from './watch-stream.ts';
import type { WatchRegistry } from './watch-registry.ts';
import type { LogicalClusters } from './logical-clusters.ts';

/** One request as the server saw it. */
export interface RequestRecord {
  method: string;
  /** The path without the query string (the pathPrefix included). */
  path: string;
  query: URLSearchParams;
  /** When it arrived, from the server's clock (ms since the epoch). */
  at: number;
  /** Request headers (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The server internals a handler may use. */
export interface ServerContext {
  readonly registry: ResourceRegistry;
  readonly state: ClusterState;
  readonly tokens: ContinueTokens;
  readonly faults: Faults;
  readonly watches: WatchRegistry;
  /** Tokens for TokenReview, and counts of the reviews answered. */
  readonly identities: Identities;
  readonly chaos: WatchChaos;
  readonly requests: RequestRecord[];
  readonly errors: Error[];
  readonly now: () => number;
  readonly random: () => number;
  /** kcp-style logical clusters (every path names one, or * for all); undefined for a plain server. */
  readonly logical?: LogicalClusters;
  readonly settings: {
    readonly bookmarkIntervalMs: number;
    readonly streamingLists: boolean;
    readonly token: string | undefined;
    /** Every path is served under it ("" for none), like a kcp workspace's /clusters/<ws>. */
    readonly pathPrefix: string;
  };
}
