/**
 * SharedWatches: one list/watch per distinct watch, shared by every watched resource that
 * asks for it, as client-go's shared informer factory keeps one informer per type. Two
 * watched resources of the same cluster, api_version, kind (or resource), namespace and
 * selectors (say `secrets` stripped one way and `tls-secrets` indexed another) get one
 * Reflector, and each its own sink (indexer and store) through a SinkFanout.
 *
 * The connections to clusters (API client and discovery cache) are shared the same way,
 * per cluster and kubeconfig settings. Both are reference-counted: the first member opens
 * a watch (or connection), the last one to leave closes it. One instance lives as long as
 * the controller, so watch units built on a reload join the watches of the units they
 * replace, and stopping one unit never disturbs another unit's share.
 *
 * A resource watched as metadata only (an on-demand store) shares the watch of a resource
 * that needs full objects: the watch then streams full objects, and the on-demand store
 * keeps only their references, as it does with any full object. It is back to metadata
 * only once no member needs more.
 */
import type { ApiClient } from '../../kube/index.ts';
import type { Logger } from '../../log.ts';
import { SinkFanout } from '../fanout.ts';
import type { WatchSink } from '../index.ts';
import type { Discovery } from './discovery.ts';
import type { Reflector } from './reflector.ts';

/** Where one cluster is reached: its client and discovery cache. */
export interface Connection {
  readonly client: ApiClient;
  readonly discovery: Discovery;
}

/** A share of a connection; release it once (the last one closes what the connection opened). */
export interface ConnectionHandle extends Connection {
  release(): void;
}

/** A sink's membership of a shared watch. */
export interface WatchMembership {
  /** The watch's reflector (status, counters): shared with the other members. */
  readonly reflector: Reflector;
  /** True once this member received a complete list and was told synced. */
  readonly synced: boolean;
  /** The other members' names (watched resources), in the order they joined. */
  readonly sharedWith: readonly string[];
  /** Leaves the watch; the last member stops it (resolves once it stopped). */
  leave(): Promise<void>;
}

/** How to open a connection, and whether closing it is the hub's business. */
export interface ConnectionSpec {
  open(): Connection;
  /** True when the hub opened the client (it closes it); false for a client handed in. */
  readonly owned: boolean;
}

/** What a member asks of a watch. */
export interface MemberSpec {
  /** The watched resource's name (logs, sharedWith). */
  readonly name: string;
  /** Watch metadata only (its store keeps references); a full watch serves it too. */
  readonly metadataOnly: boolean;
  /** Builds the watch's reflector when this member is the first, delivering into `sink`. */
  create(sink: WatchSink, metadataOnly: boolean): Reflector;
}

interface OpenConnection {
  readonly connection: Connection;
  readonly owned: boolean;
  handles: number;
}

interface Member {
  readonly sink: WatchSink;
  readonly name: string;
  readonly metadataOnly: boolean;
}

interface Watch {
  readonly reflector: Reflector;
  readonly fanout: SinkFanout;
  readonly members: Member[];
}

/** Reference-counted connections and watches, by key; see the module comment. */
export class SharedWatches {
  readonly #connections = new Map<string, OpenConnection>();
  readonly #watches = new Map<string, Watch>();
  readonly #log: Logger | undefined;

  constructor(options: { logger?: Logger } = {}) {
    this.#log = options.logger?.child({ component: 'watcher.kubernetes' });
  }

  /** How many watches are open (for tests and debugging). */
  get watchCount(): number {
    return this.#watches.size;
  }

  /** A handle on the connection `key` names, opened with `spec` when none is open. Throws what opening throws. */
  connect(key: string, spec: ConnectionSpec): ConnectionHandle {
    let open = this.#connections.get(key);
    if (open === undefined) {
      open = { connection: spec.open(), owned: spec.owned, handles: 0 };
      this.#connections.set(key, open);
    }
    open.handles++;
    const shared = open;
    let released = false;
    return {
      client: shared.connection.client,
      discovery: shared.connection.discovery,
      release: () => {
        if (released) return;
        released = true;
        this.#releaseConnection(key, shared);
      },
    };
  }

  /**
   * Joins `sink` to the watch `key` names, starting it (built by `member.create`) when it
   * is the first member. A member joining a watch that already delivered its list gets a
   * list of its own (the watch lists again; the other members see no change).
   */
  join(key: string, sink: WatchSink, member: MemberSpec): WatchMembership {
    let watch = this.#watches.get(key);
    const first = watch === undefined;
    if (watch === undefined) {
      const fanout = new SinkFanout();
      watch = { reflector: member.create(fanout, member.metadataOnly), fanout, members: [] };
      this.#watches.set(key, watch);
    }
    watch.members.push({ sink, name: member.name, metadataOnly: member.metadataOnly });
    const needsList = watch.fanout.attach(sink);
    if (first) {
      watch.reflector.start();
    } else {
      const others = watch.members.filter((m) => m.sink !== sink).map((m) => m.name);
      this.#log?.info({ resource: member.name, sharedWith: others }, `watched resource "${member.name}" shares the watch of ${others.map((n) => `"${n}"`).join(', ')}`);
      this.#fitMode(watch);
      if (needsList) watch.reflector.requestList();
    }
    return this.#membership(key, watch, sink);
  }

  #membership(key: string, watch: Watch, sink: WatchSink): WatchMembership {
    let left: Promise<void> | undefined;
    return {
      reflector: watch.reflector,
      get synced() {
        return watch.fanout.isSynced(sink);
      },
      get sharedWith() {
        return watch.members.filter((m) => m.sink !== sink).map((m) => m.name);
      },
      leave: () => (left ??= this.#leave(key, watch, sink)),
    };
  }

  async #leave(key: string, watch: Watch, sink: WatchSink): Promise<void> {
    watch.fanout.detach(sink);
    const index = watch.members.findIndex((m) => m.sink === sink);
    if (index >= 0) watch.members.splice(index, 1);
    if (watch.members.length > 0) {
      this.#fitMode(watch);
      return;
    }
    if (this.#watches.get(key) === watch) this.#watches.delete(key);
    await watch.reflector.stop();
  }

  /** Full objects while any member needs them, metadata only otherwise. */
  #fitMode(watch: Watch): void {
    watch.reflector.setMetadataOnly(watch.members.every((m) => m.metadataOnly));
  }

  #releaseConnection(key: string, open: OpenConnection): void {
    open.handles--;
    if (open.handles > 0) return;
    if (this.#connections.get(key) === open) this.#connections.delete(key);
    if (open.owned) open.connection.client.close();
  }
}
