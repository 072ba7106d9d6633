/**
 * Every default of the config file, in one place, in the units users write them in.
 * The schema states them (JSON Schema `default`s) and normalization applies them.
 */

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
  /** The /debug/ endpoints are served (with Secret data redacted): they are what operators reach for first. */
  serverDebug: true,
  /** /debug/ never shows Secret data unless this is turned on. */
  serverAllowSecrets: false,
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
   * etcd (publish.etcd, source.etcd): the key prefix every informant key lives under, so
   * one etcd can be shared with other applications.
   */
  etcdPrefix: 'informant',
  /**
   * etcd: how long connecting may take before an operation fails as unavailable (5 s: a
   * healthy etcd on the same network answers in milliseconds, a dead one should not stall
   * startup for long; the publisher retries anyway).
   */
  etcdDialTimeout: '5s',
  /** source.etcd: read the objects of every cluster that publishes under the prefix. */
  etcdClusters: 'all',
  /** pino log level. */
  logLevel: 'info',
  /**
   * Template tests put their fixtures on top of the manifests of source.files: a test then
   * states only what differs from the example everyone knows.
   */
  fixturesMode: 'layer',
});

/** pino's levels, in order of severity; `silent` turns logging off. */
export const LOG_LEVELS = Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const);
