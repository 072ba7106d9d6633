/**
 * Every default of the config file, in one place, in the units users write them in.
 * The schema states them (JSON Schema `default`s) and normalization applies them.
 */
import { parseByteSize } from './byte-size.ts';
import type { LimitsConfig } from './types.ts';

export const DEFAULTS = Object.freeze({
  /** Store backend of a watched resource: keeping full objects is the simple, fast choice. */
  store: 'full',
  /** Index keys: namespace then name, so `Get(ns)` and `Get(ns, name)` work out of the box. */
  indexBy: Object.freeze(['metadata.namespace', 'metadata.name']),
  /**
   * Fields stripped from every object: server-side bookkeeping that is large, changes on
   * every write and is never useful in a template.
   */
  removeFields: Object.freeze([
    'metadata.managedFields',
    "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']",
  ]),
  /** on-demand: how long a fetched object stays cached (10 minutes); changes evict at once anyway. */
  cacheTtl: '10m',
  /** on-demand: how many fetched objects are kept (objects); bounds memory for large Secrets. */
  maxCacheSize: 256,
  /** kubernetes source: LIST page size (objects per page), the client-go default. */
  pageSize: 500,
  /** kubernetes source: use streaming lists (sendInitialEvents) when the server supports them. */
  streamingList: true,
  /** files source: apply changes to the manifests folder while running. */
  filesWatch: true,
  /** files source: quiet period before a burst of file changes is applied (editors write several times). */
  filesDebounce: '100ms',
  /** Output file mode (octal string): readable by everyone, e.g. a proxy running as another user. */
  mode: '0644',
  /** Render quiet period after the last change: coalesces bursts such as a relist. */
  renderDebounce: '200ms',
  /** Render at least this often under constant churn, so changes are never starved. */
  renderMaxWait: '2s',
  /**
   * How long the first render waits for one watched resource before it is reported as stuck
   * (in the log, /readyz and metrics) with the reason its watcher gives (RBAC, a missing CRD).
   * 60 s: a healthy LIST of tens of thousands of objects finishes well within it.
   */
  syncTimeout: '60s',
  /**
   * A watched resource is required: rendering waits for it however long it takes, as a
   * template that reads an empty resource may write a config that drops live traffic.
   */
  optional: false,
  /**
   * How long a validate or on_change command may run before it is stopped (SIGTERM, then
   * SIGKILL). 30 s: `haproxy -c` of a large config takes seconds; a hung command must not
   * stall every later render.
   */
  commandTimeout: '30s',
  /** Keep a copy of the previous output (<output>.bak) when replacing it: off, outputs are regenerated anyway. */
  backup: false,
  /**
   * Printed values are checked for line breaks and other control characters (`line`): the
   * outputs are line-oriented config files, and the objects printed come from tenants. An
   * object holding such a value is left out of the render; `none` turns the check off.
   */
  escape: 'line',
  /**
   * The /debug/ endpoints (every watched object, the outputs, the config) are off: they
   * show tenants' data to whoever reaches them, so an operator turns them on knowingly.
   */
  serverDebug: false,
  /**
   * Where /debug/ listens when on: loopback, so only the Pod itself (and `kubectl
   * port-forward`, which needs pods/portforward) reaches it. Set it to server.listen to
   * serve everything on one port.
   */
  serverDebugListen: '127.0.0.1:8081',
  /**
   * Who may read /metrics and /debug/: `auto` is `kubernetes` (TokenReview and
   * SubjectAccessReview) when running in a cluster (a service account is mounted), and
   * `none` elsewhere (`npm start` on a laptop needs no cluster). Probes are always open.
   */
  serverAuth: 'auto',
  /** /debug/ never shows Secret data unless this is turned on. */
  serverAllowSecrets: false,
  /**
   * /readyz answers ready while every template has a good output in place (`serving`), so a
   * failing render (one tenant's bad object, a Secret not issued yet) never takes every
   * replica out of a Service; `strict` also answers not ready while a template's last
   * render cycle failed.
   */
  serverReadiness: 'serving',
  /** Leader election is off: a single replica needs none. */
  leaderElectionEnabled: false,
  /** Name of the coordination.k8s.io Lease replicas compete for. */
  leaseName: 'informant',
  /** Namespace of that Lease. */
  leaseNamespace: 'default',
  /**
   * How long a Lease is valid without renewal: a follower takes over this long (plus one
   * retry period) after the leader stopped renewing. 15 s, client-go's default.
   */
  leaseDuration: '15s',
  /** The leader gives up leadership when it could not renew for this long (client-go: 10 s). */
  renewDeadline: '10s',
  /** How often replicas try to acquire or renew the Lease (client-go: 2 s). */
  retryPeriod: '2s',
  /** Only the leader runs on_change commands (side effects happen once, not per replica). */
  onChangeOnlyLeader: true,
  /**
   * Shared stores (publish, source.shared): the key prefix every informant key lives under,
   * so one etcd or database can be shared with other applications.
   */
  sharedPrefix: 'informant',
  /** source.shared: read the objects of every cluster that publishes under the prefix. */
  sharedClusters: 'all',
  /**
   * etcd: how long connecting may take before an operation fails as unavailable (5 s: a
   * healthy etcd on the same network answers in milliseconds, a dead one should not stall
   * startup for long; the publisher retries anyway).
   */
  etcdDialTimeout: '5s',
  /** postgres: the schema of informant's tables, so its grants can be given on the schema alone. */
  postgresSchema: 'informant',
  /** postgres: how long connecting may take (as etcd's dial timeout). */
  postgresConnectTimeout: '5s',
  /** postgres: pool size; a publisher commits one transaction at a time and a renderer reads a few prefixes. */
  postgresMaxConnections: 4,
  /**
   * postgres: how often watches read the change log without a notification (5 s): NOTIFY
   * is only a wake-up and can be lost, so this bounds how stale a renderer can get.
   */
  postgresPollInterval: '5s',
  /** postgres: changes older than this are trimmed from the change log (etcd's usual 1 h periodic compaction). */
  postgresHistoryMaxAge: '1h',
  /** postgres: at most this many latest revisions stay in the change log, whatever their age (bounds it under churn). */
  postgresHistoryMaxRevisions: 100_000,
  /** memory: the name of the in-process repository publishers and sources share. */
  memoryName: 'default',
  /**
   * The largest object any source may hand over, as JSON (watch events, list items,
   * fetched objects, etcd values, manifest objects): 3 MiB, the API server's largest
   * request body, so no object a cluster serves is refused; a larger one is refused with
   * an error naming it and treated as absent.
   */
  maxObjectSize: '3Mi',
  /**
   * How deeply any object may nest (levels of objects and arrays): 128, well past the
   * deepest real Kubernetes object (a CRD's schema), and far below what recursive code
   * (JSON.stringify, structuredClone, templates) can walk without overflowing the stack.
   */
  maxDepth: 128,
  /**
   * The largest manifest file a files source reads: 16 MiB. A YAML file costs about a
   * hundred times its size in memory while it is parsed (JSON far less); a larger file is
   * refused with an error naming it, and its last good objects are kept.
   */
  maxFileSize: '16Mi',
  /**
   * How long one render of a template may take before it is stopped: 10 s, far longer than
   * any real template (a large haproxy.cfg renders in milliseconds, docs/BENCHMARKS.md)
   * and short enough that probes and signals are answered within it.
   */
  renderTimeout: '10s',
  /** exec: the signal that tells the child to reload its config after an output changed (nginx, and most daemons, reload on SIGHUP). */
  execReloadSignal: 'SIGHUP',
  /**
   * exec: how long the child may take to exit after it was told to stop, before SIGKILL:
   * 25 s, time for a proxy to drain inside Kubernetes' default 30 s grace period, so that
   * informant still ends the child and exits with its own code before the kubelet kills both.
   */
  execKillTimeout: '25s',
  /** exec: when the child exits on its own, informant exits with its code (a container restarts both). */
  execOnExit: 'exit',
  /**
   * Reuse the results of `{% memo %}` blocks whose inputs did not change (incremental
   * rendering, see README): on. Off renders every block every time: the same output, slower.
   */
  renderMemo: true,
  /**
   * Cached `{% memo %}` results per template, at most: 256 MiB (estimated), and 250k
   * entries. The 10k-Ingress example keeps about a third of the bytes; past the bound the
   * least recently used results go, and renders get slower, never wrong.
   */
  renderMemoMaxBytes: '256Mi',
  renderMemoMaxEntries: 250_000,
  /** pino log level. */
  logLevel: 'info',
  /**
   * Template tests put their fixtures on top of the manifests of source.files: a test then
   * states only what differs from the example everyone knows.
   */
  fixturesMode: 'layer',
});

/** Values of server.auth. */
export const SERVER_AUTH = Object.freeze(['auto', 'kubernetes', 'none'] as const);

/** pino's levels, in order of severity; `silent` turns logging off. */
export const LOG_LEVELS = Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const);

/** templates.<name>.escape: what printed values are checked for (see DEFAULTS.escape). */
export const ESCAPE_MODES = Object.freeze(['line', 'none'] as const);

/** Signals exec may send the child as reload_signal (SIGTERM too: with on_exit: restart, a restart on every change). */
export const EXEC_RELOAD_SIGNALS = Object.freeze(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const);

/** Signals exec may send the child as kill_signal. */
export const EXEC_KILL_SIGNALS = Object.freeze([...EXEC_RELOAD_SIGNALS, 'SIGKILL'] as const);

/** exec.on_exit: what informant does when the child exits on its own (see DEFAULTS.execOnExit). */
export const EXEC_ON_EXIT = Object.freeze(['exit', 'restart'] as const);

/** server.readiness: when /readyz answers ready (see DEFAULTS.serverReadiness). */
export const READINESS_MODES = Object.freeze(['serving', 'strict'] as const);

/** The limits of a config that sets none, in the units Config carries (bytes, levels). */
export const DEFAULT_LIMITS: Readonly<LimitsConfig> = Object.freeze({
  maxObjectBytes: parseByteSize(DEFAULTS.maxObjectSize)!,
  maxDepth: DEFAULTS.maxDepth,
  maxFileBytes: parseByteSize(DEFAULTS.maxFileSize)!,
});
