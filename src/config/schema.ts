/**
 * The shape of config.yaml as a zod schema: one source of truth for validation, the
 * defaults users see in their editor (JSON Schema) and the raw parsed type. Cross-field
 * rules are refinements that run even when other fields are wrong, so one parse reports
 * every problem.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { describeValue } from '../text/describe-value.ts';
import { DEFAULTS, ESCAPE_MODES, EXEC_KILL_SIGNALS, EXEC_ON_EXIT, EXEC_RELOAD_SIGNALS, LOG_LEVELS, READINESS_MODES, SERVER_AUTH } from './defaults.ts';
import { byteSizeField } from './byte-size.ts';
import { durationField } from './duration.ts';
import {
  apiVersion,
  clusterName,
  command,
  dnsLabel,
  dnsSubdomain,
  fileMode,
  flag,
  fieldSelector,
  indexExpression,
  labelSelector,
  listenAddress,
  mapping,
  namedMap,
  oneOf,
  optionalText,
  positiveInt,
  removalExpression,
  resourceNameProblem,
  serverUrl,
  templateNameProblem,
  text,
} from './fields.ts';
import { forEachField, forEachProblems, ownerField, varsField } from './template-outputs.ts';
import { testFilesSchema, testsSchema } from './tests-schema.ts';
import { BUILTIN_SHARED_CONFIGS, type SharedBackendConfig } from './shared/index.ts';
import { publishSchema, sharedSourceSchema } from './shared/schema.ts';
import { BUILTIN_STORE_CONFIGS, canonicalStoreName, fieldOf, storeConfigsFor, type StoreBackendConfig } from './store-backends.ts';

/** What the schema depends on beyond the file itself. */
export interface SchemaOptions {
  /** Store backends that exist, by name (built-in ones bring their keys); default the built-in ones. */
  storeTypes?: readonly string[];
  /** Store backends with their own keys and checks (a backend registry supplies them); wins over storeTypes. */
  storeBackends?: readonly StoreBackendConfig[];
  /** Shared-store backends (publish, source.shared) with their settings; default the built-in ones. */
  sharedBackends?: readonly SharedBackendConfig[];
}

/** The shared-store backends a schema validates against. */
export function sharedBackendsOf(options: SchemaOptions): readonly SharedBackendConfig[] {
  return options.sharedBackends ?? BUILTIN_SHARED_CONFIGS;
}

/** The store backends a schema validates against. */
export function storeBackendsOf(options: SchemaOptions): readonly StoreBackendConfig[] {
  if (options.storeBackends !== undefined) return options.storeBackends;
  if (options.storeTypes !== undefined) return storeConfigsFor(options.storeTypes);
  return BUILTIN_STORE_CONFIGS;
}

/** Refinements run whenever the value is a mapping, even if some of its fields are wrong. */
const ON_MAPPINGS = {
  when: (payload: { value: unknown }) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value),
};

/**
 * Refinements that compare values run when the fields they compare are valid, whatever is
 * wrong elsewhere in the mapping: one run reports a bad sibling and a bad comparison.
 */
function whenValid(...keys: string[]) {
  return {
    when: (payload: { value: unknown; issues: readonly { code?: string; path?: readonly PropertyKey[] }[] }) =>
      ON_MAPPINGS.when(payload) &&
      payload.issues.every((issue) => issue.code === 'unrecognized_keys' || !keys.includes(String(issue.path?.[0]))),
  };
}

/** Marks an issue that belongs at a key (a name, a key that is not allowed there). */
const AT_KEY = { at: 'key' } as const;

/** Builds the config schema for a set of store backends. */
export function buildConfigSchema(options: SchemaOptions = {}) {
  const backends = storeBackendsOf(options);
  const shared = sharedBackendsOf(options);
  return mapping(
    {
      watched_resources: watchedResourcesSchema(backends).prefault({}),
      remove_fields: z
        .array(removalExpression('a field to remove: a simple path such as metadata.managedFields'))
        .default(() => [...DEFAULTS.removeFields])
        .meta({ description: 'Fields removed from every watched object before it is indexed and stored; resources add their own.' }),
      source: sourceSchema(shared).prefault({ kubernetes: {} }),
      templates: templatesSchema().prefault({}),
      render: renderSchema().prefault({}),
      server: serverSchema().prefault({}),
      leader_election: leaderElectionSchema().prefault({}),
      limits: limitsSchema().prefault({}),
      logging: mapping(
        { level: oneOf(LOG_LEVELS, 'log level', 'The pino log level; LOG_LEVEL overrides it.').default(DEFAULTS.logLevel) },
        'Logging.',
      ).prefault({}),
      vars: varsField('Values every template reads as vars.<name> (templates.<name>.vars adds to them and wins).').default(() => ({})),
      publish: publishSchema(shared).optional(),
      exec: execSchema().optional(),
      tests: testsSchema().optional(),
      test_files: testFilesSchema().optional(),
    },
    'informant configuration: what to watch, how to index and store it, and which templates to render.',
  )
    .superRefine((config, ctx) => checkStoreBackends(config, backends, ctx), ON_MAPPINGS)
    .superRefine(checkTemplateTimings, ON_MAPPINGS)
    .superRefine((config, ctx) => checkForEach(config, ctx), ON_MAPPINGS)
    .meta({ title: 'informant config' });
}

/** Per-object outputs: fixed folders of their own, names that depend on the object, watched resources. */
function checkForEach(config: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const templates = fieldOf(config, 'templates');
  if (templates === null || typeof templates !== 'object') return;
  const resources = fieldOf(config, 'watched_resources');
  const names = resources !== null && typeof resources === 'object' ? Object.keys(resources) : [];
  for (const problem of forEachProblems(templates as Parameters<typeof forEachProblems>[0], names)) {
    ctx.addIssue({ code: 'custom', path: ['templates', ...problem.path], message: problem.message, ...(problem.atKey ? { params: AT_KEY } : {}) });
  }
}

/** Each resource's backend checks the config, and publish must have something to publish. */
function checkStoreBackends(config: Record<string, unknown>, backends: readonly StoreBackendConfig[], ctx: z.RefinementCtx): void {
  const resources = fieldOf(config, 'watched_resources');
  const entries = resources !== null && typeof resources === 'object' ? Object.entries(resources as Record<string, unknown>) : [];
  for (const [name, raw] of entries) {
    const backend = backends.find((b) => b.name === fieldOf(raw, 'store'));
    if (backend?.validate === undefined || raw === null || typeof raw !== 'object') continue;
    for (const problem of backend.validate({ name, raw: raw as Record<string, unknown> }, config)) {
      const params = problem.at === 'value' ? {} : AT_KEY;
      ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message, params });
    }
  }
  const published = entries.some(([, raw]) => canonicalStoreName(String(fieldOf(raw, 'store')), backends) === 'published');
  const publish = fieldOf(config, 'publish');
  if (publish !== undefined && fieldOf(publish, 'backend') !== undefined && !published) {
    const message = 'no watched resource uses store: published, so there is nothing to publish (set store: published on the resources to publish)';
    ctx.addIssue({ code: 'custom', path: ['publish'], message, params: AT_KEY });
  }
}

/**
 * A template's max_wait is at least its debounce, either of them inherited from render when
 * the template sets only the other (render's own pair is checked in its section).
 */
function checkTemplateTimings(config: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const render = fieldOf(config, 'render');
  const templates = fieldOf(config, 'templates');
  if (templates === null || typeof templates !== 'object') return;
  for (const [name, template] of Object.entries(templates as Record<string, unknown>)) {
    const own = { debounce: fieldOf(template, 'debounce'), maxWait: fieldOf(template, 'max_wait') };
    if (own.debounce === undefined && own.maxWait === undefined) continue;
    const debounce = own.debounce ?? fieldOf(render, 'debounce');
    const maxWait = own.maxWait ?? fieldOf(render, 'max_wait');
    if (typeof debounce !== 'number' || typeof maxWait !== 'number' || maxWait >= debounce) continue;
    const inherited = own.maxWait === undefined ? ' (render.max_wait)' : own.debounce === undefined ? ' (render.debounce)' : '';
    const message = `max_wait must be at least debounce${inherited} (${maxWait} ms < ${debounce} ms)`;
    ctx.addIssue({ code: 'custom', path: ['templates', name, own.maxWait === undefined ? 'debounce' : 'max_wait'], message });
  }
}

function watchedResourcesSchema(backends: readonly StoreBackendConfig[]) {
  return namedMap(
    watchedResourceSchema(backends),
    'resource',
    'The kinds of object to watch; each name becomes resources.<name> in templates.',
  ).superRefine((resources, ctx) => {
    for (const name of Object.keys(resources)) {
      const message = resourceNameProblem(name);
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message, params: AT_KEY });
    }
  }, ON_MAPPINGS);
}

/** Each backend-specific key and the backends that allow it. */
function backendOptions(backends: readonly StoreBackendConfig[]): { shape: Record<string, z.ZodType>; owners: Map<string, string[]> } {
  const shape: Record<string, z.ZodType> = {};
  const owners = new Map<string, string[]>();
  for (const backend of backends) {
    for (const [key, schema] of Object.entries(backend.options)) {
      shape[key] ??= schema;
      owners.set(key, [...(owners.get(key) ?? []), backend.name]);
    }
  }
  return { shape, owners };
}

function watchedResourceSchema(backends: readonly StoreBackendConfig[]) {
  const storeTypes = backends.map((backend) => backend.name);
  const options = backendOptions(backends);
  return mapping(
    {
      api_version: apiVersion('apiVersion of the objects, e.g. v1 or networking.k8s.io/v1.'),
      kind: text('Kind, e.g. Ingress; the resource is found by discovery.').optional(),
      resource: text('Plural resource, e.g. ingresses; the kind is found by discovery.').optional(),
      namespace: optionalText('Only this namespace; empty means all namespaces.').default(''),
      label_selector: labelSelector('Label selector sent to the API server, e.g. "app in (web,api)".').default(''),
      field_selector: fieldSelector('Field selector sent to the API server, e.g. "type=kubernetes.io/tls".').default(''),
      index_by: z
        .array(indexExpression('a path expression such as metadata.namespace or metadata.labels[\'app\']'), {
          error: (issue) => `expected a list of path expressions, got ${describeValue(issue.input)}`,
        })
        .min(1, { error: 'needs at least one expression (default: [metadata.namespace, metadata.name])' })
        .default(() => [...DEFAULTS.indexBy])
        .meta({
          description:
            'Index key expressions, in order; Get(...keys) matches them as a prefix. An expression with a wildcard, union, slice or .. is multi-valued: the object is filed under each value.',
        }),
      remove_fields: z
        .array(removalExpression('a field to remove, e.g. status'), {
          error: (issue) => `expected a list of path expressions, got ${describeValue(issue.input)}`,
        })
        .default(() => [])
        .meta({ description: 'Fields removed from these objects, in addition to the global remove_fields.' }),
      store: storeTypeSchema(backends).default(DEFAULTS.store),
      sync_timeout: durationField(
        'Report this resource as stuck (log, /readyz, metrics) when it has not synced after this long; default render.sync_timeout',
        { positive: true },
      ).optional(),
      optional: flag(
        'Once sync_timeout has passed without a sync, render without this resource (it reads as empty until it syncs) instead of holding every output back.',
      ).default(DEFAULTS.optional),
      ...options.shape,
    },
    'A kind of object to watch, and how to index and store it.',
  ).superRefine((resource, ctx) => {
    if (resource.kind === undefined && resource.resource === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs kind (e.g. Ingress) or resource (e.g. ingresses)', params: AT_KEY });
    }
    if (resource.optional === true && (resource.store === 'published' || resource.store === 'etcd')) {
      const message = `optional is not allowed with store: ${resource.store}: publishing a resource that has not synced would delete its published objects`;
      ctx.addIssue({ code: 'custom', path: ['optional'], message, params: AT_KEY });
    }
    const store = resource.store;
    if (typeof store !== 'string' || !storeTypes.includes(store)) return;
    for (const [key, owners] of options.owners) {
      if ((resource as Record<string, unknown>)[key] === undefined || owners.includes(store)) continue;
      const message = `${key} is only allowed with ${owners.map((o) => `store: ${o}`).join(' or ')} (this resource uses store: ${store})`;
      ctx.addIssue({ code: 'custom', path: [key], message, params: AT_KEY });
    }
  }, ON_MAPPINGS);
}

function storeTypeSchema(backends: readonly StoreBackendConfig[]) {
  const [first, ...rest] = backends.map((backend) => backend.name);
  if (first === undefined) throw new Error('buildConfigSchema: at least one store backend is needed');
  const description = `Store backend: ${backends.map((b) => `${b.name}: ${b.description}`).join(' ')}`;
  return oneOf([first, ...rest], 'store type', description);
}

function sourceSchema(shared: readonly SharedBackendConfig[]) {
  return mapping(
    {
      kubernetes: mapping(
        {
          kubeconfig: text('Path of a kubeconfig file; default KUBECONFIG, ~/.kube/config or in-cluster.').optional(),
          context: text('kubeconfig context; default the current context.').optional(),
          page_size: positiveInt('Objects per LIST page.').default(DEFAULTS.pageSize),
          streaming_list: flag('Use streaming lists (sendInitialEvents) when the server supports them.').default(DEFAULTS.streamingList),
          clusters: clustersSchema().optional(),
          kcp: mapping(
            {
              server: serverUrl(
                'The kcp server or an APIExport virtual workspace URL, e.g. https://kcp.example:6443/services/apiexport/root:org/my-export; default the context\'s server. A /clusters/<name> suffix is dropped.',
              ).optional(),
            },
            'Watch every kcp logical cluster through one wildcard list/watch per resource (/clusters/*); each object\'s metadata.cluster is its kcp.io/cluster annotation.',
          ).optional(),
        },
        'Watch a Kubernetes API server (or several: clusters; or every kcp workspace: kcp).',
      )
        .superRefine((kube, ctx) => {
          if (kube.clusters !== undefined && kube.kcp !== undefined) {
            const message = 'set either clusters (one watch per cluster) or kcp (one wildcard watch across every logical cluster), not both';
            ctx.addIssue({ code: 'custom', path: ['kcp'], message, params: AT_KEY });
          }
        }, ON_MAPPINGS)
        .optional(),
      files: mapping(
        {
          path: text('A folder of YAML/JSON manifests (or one file), relative to the config file.'),
          watch: flag('Apply changes to the files while running.').default(DEFAULTS.filesWatch),
          debounce: durationField('Quiet period before a burst of file changes is applied').prefault(DEFAULTS.filesDebounce),
        },
        'Read objects from manifest files instead of a cluster.',
      ).optional(),
      shared: sharedSourceSchema(shared).optional(),
    },
    'Where objects come from: exactly one of kubernetes, files and shared (default kubernetes: {}).',
  ).superRefine((source, ctx) => {
    const set = (['kubernetes', 'files', 'shared'] as const).filter((key) => source[key] !== undefined);
    if (set.length > 1) {
      const message = set.length === 2 ? `set either ${set[0]} or ${set[1]}, not both` : 'set only one of kubernetes, files and shared';
      ctx.addIssue({ code: 'custom', path: [set[set.length - 1] as string], message, params: AT_KEY });
    } else if (set.length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs kubernetes: {}, files: {path: ...} or shared: {backend: ...}', params: AT_KEY });
    }
  }, ON_MAPPINGS);
}

function clustersSchema() {
  const cluster = mapping(
    {
      name: clusterName('The cluster\'s name: metadata.cluster of its objects; a DNS label or a kcp workspace path (root:org:ws).'),
      kubeconfig: text('Path of a kubeconfig file; default source.kubernetes.kubeconfig, then KUBECONFIG, ~/.kube/config or in-cluster.').optional(),
      context: text('kubeconfig context; default source.kubernetes.context, then the current context.').optional(),
      server: serverUrl('Overrides the server URL of the context\'s cluster, e.g. https://kcp.example:6443/clusters/root:org:ws.').optional(),
    },
    'One cluster to watch every watched resource in.',
  );
  return z
    .array(cluster, { error: (issue) => `expected a list of clusters ({name: ...}), got ${describeValue(issue.input)}` })
    .min(1, { error: 'must name at least one cluster (or leave clusters out to watch one)' })
    .superRefine((clusters, ctx) => {
      const seen = new Set<string>();
      clusters.forEach((entry, i) => {
        if (typeof entry?.name !== 'string') return;
        if (seen.has(entry.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate cluster name ${JSON.stringify(entry.name)}` });
        seen.add(entry.name);
      });
    })
    .meta({ description: 'Watch every watched resource in each of these clusters; objects carry metadata.cluster = name.' });
}

function templatesSchema() {
  return namedMap(templateSchema(), 'template', 'Templates to render; each writes one output file.').superRefine((templates, ctx) => {
    const outputs = new Map<string, string>();
    for (const [name, template] of Object.entries(templates)) {
      const message = templateNameProblem(name);
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message, params: AT_KEY });
      if (typeof template?.output !== 'string') continue;
      const output = posix.normalize(template.output);
      const other = outputs.get(output);
      if (other === undefined) outputs.set(output, name);
      else ctx.addIssue({ code: 'custom', path: [name, 'output'], message: `template ${JSON.stringify(other)} writes the same output` });
    }
  }, ON_MAPPINGS);
}

function templateSchema() {
  return mapping(
    {
      path: text('The template file (nunjucks), relative to the config file.').optional(),
      inline: optionalText('The template text itself.').optional(),
      output: text('The file to write, relative to the config file; with for_each, its folder and a file name template over object and vars.'),
      for_each: forEachField().optional(),
      vars: varsField('Values this template reads as vars.<name>, merged over the top-level vars (this template wins).').default(() => ({})),
      mode: fileMode('File mode of the output (of each file, with for_each) as an octal string; a file holding a private key is never written readable by others.').prefault(DEFAULTS.mode),
      owner: ownerField('Owner of the output files: "user", "user:group" or ":group" (names or numeric ids); needs the privilege to chown.').optional(),
      validate: command('Runs on the candidate file before it replaces the output; "{{ file }}" is its path.').optional(),
      on_change: command('Runs after the output was replaced; "{{ file }}" is the output\'s path.').optional(),
      backup: flag('Keep the previous output as <output>.bak when replacing it.').default(DEFAULTS.backup),
      debounce: durationField('Quiet period after the last change before this template renders; default render.debounce').optional(),
      max_wait: durationField('Render this template at least this often under constant churn; default render.max_wait').optional(),
      command_timeout: durationField('Stop this template\'s validate or on_change command (SIGTERM, then SIGKILL) after this long; default render.command_timeout', {
        positive: true,
      }).optional(),
      allow_env: z
        .array(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (issue) => `expected an environment variable name (letters, digits and _), got ${describeValue(issue.input)}` }),
          { error: (issue) => `expected a list of environment variable names, got ${describeValue(issue.input)}` },
        )
        .optional()
        .meta({ description: 'Environment variables env("NAME") may read in this template; env() refuses any other.' }),
      escape: oneOf(
        ESCAPE_MODES,
        'escape mode',
        'line: a printed value holding a line break or another control character is refused and the object holding it left out of the render (mark text meant to span lines with | safe); none: values are printed as they are.',
      ).default(DEFAULTS.escape),
    },
    'A template and where its output goes.',
  ).superRefine((template, ctx) => {
    if (template.path !== undefined && template.inline !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['inline'], message: 'set either path or inline, not both', params: AT_KEY });
    } else if (template.path === undefined && template.inline === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs path (a template file) or inline (the template text)', params: AT_KEY });
    }
  }, ON_MAPPINGS);
}

function renderSchema() {
  return mapping(
    {
      debounce: durationField('Quiet period after the last change before rendering').prefault(DEFAULTS.renderDebounce),
      max_wait: durationField('Render at least this often under constant churn').prefault(DEFAULTS.renderMaxWait),
      sync_timeout: durationField('Report a watched resource as stuck (log, /readyz, metrics) when it has not synced after this long', {
        positive: true,
      }).prefault(DEFAULTS.syncTimeout),
      command_timeout: durationField('Stop a validate or on_change command (SIGTERM, then SIGKILL) after this long', {
        positive: true,
      }).prefault(DEFAULTS.commandTimeout),
      timeout: durationField('Stop a render of one template that takes longer than this (the last good output stays)', {
        positive: true,
      }).prefault(DEFAULTS.renderTimeout),
      memo: flag('Reuse the results of {% memo %} blocks whose inputs did not change (false: render every block every time; same output, slower).').default(
        DEFAULTS.renderMemo,
      ),
      memo_max_bytes: byteSizeField('Cached {% memo %} results per template, at most, in (estimated) bytes; the least recently used go first').prefault(
        DEFAULTS.renderMemoMaxBytes,
      ),
      memo_max_entries: positiveInt('Cached {% memo %} results per template, at most.').default(DEFAULTS.renderMemoMaxEntries),
    },
    'When to render.',
  ).superRefine((render, ctx) => {
    if (render.max_wait < render.debounce) {
      ctx.addIssue({ code: 'custom', path: ['max_wait'], message: `must be at least debounce (${render.max_wait} ms < ${render.debounce} ms)` });
    }
  }, whenValid('debounce', 'max_wait'));
}

function serverSchema() {
  return mapping(
    {
      listen: listenAddress('host:port serving /healthz, /readyz and /metrics; no server when absent').optional(),
      auth: oneOf(
        SERVER_AUTH,
        'auth mode',
        'Who may read /metrics and /debug/: kubernetes (a bearer token checked with TokenReview, RBAC with SubjectAccessReview), none, or auto (kubernetes when running in a cluster, else none). Probes are always open.',
      ).default(DEFAULTS.serverAuth),
      debug: flag('Serve the /debug/ endpoints (store contents, outputs, config, sync state) on debug_listen.').default(DEFAULTS.serverDebug),
      debug_listen: listenAddress('host:port of /debug/ (loopback by default); equal to listen to serve it there').default(
        DEFAULTS.serverDebugListen,
      ),
      allow_secrets: flag('Show Secret data in /debug/ (store contents, and outputs of templates that read Secrets); hidden when false.').default(
        DEFAULTS.serverAllowSecrets,
      ),
      readiness: oneOf(
        READINESS_MODES,
        'readiness mode',
        'serving: /readyz is ready while every template has a good output in place, failing renders are reported but keep the replica in service; strict: also not ready while the last render cycle of a template failed.',
      ).default(DEFAULTS.serverReadiness),
    },
    'The HTTP server for health, metrics and debugging.',
  );
}

function limitsSchema() {
  return mapping(
    {
      max_object_size: byteSizeField(
        'The largest object a source may hand over, as JSON (watch events, list items, fetched objects, etcd values, manifest objects; a watched object as it is kept, without remove_fields); larger ones are refused and treated as absent',
      ).prefault(DEFAULTS.maxObjectSize),
      max_depth: positiveInt('How deeply an object may nest (objects and arrays; a watched object as it is kept, without remove_fields); deeper ones are refused and treated as absent.').default(
        DEFAULTS.maxDepth,
      ),
      max_file_size: byteSizeField('The largest manifest file a files source reads; a larger one is refused and its last good objects kept').prefault(
        DEFAULTS.maxFileSize,
      ),
    },
    'Bounds on what sources deliver: everything they read comes from tenants or other processes.',
  );
}

function execSchema() {
  return mapping(
    {
      command: command('The program informant supervises (the proxy), as a list: program, then arguments; no shell unless it names one.'),
      reload_signal: oneOf(EXEC_RELOAD_SIGNALS, 'signal', `Sent to the child after a render cycle changed an output; default ${DEFAULTS.execReloadSignal} (unless reload_command is set).`).optional(),
      reload_command: command('Runs instead of reload_signal after an output changed (INFORMANT_CHILD_PID is the child\'s pid); stopped after render.command_timeout.').optional(),
      kill_signal: oneOf(EXEC_KILL_SIGNALS, 'signal', 'Sent to the child when informant stops; default: the signal informant received (SIGTERM or SIGINT).').optional(),
      kill_timeout: durationField('How long the child may take to exit once told to stop; then it gets SIGKILL', { positive: true }).prefault(DEFAULTS.execKillTimeout),
      on_exit: oneOf(EXEC_ON_EXIT, 'on_exit', 'When the child exits on its own: exit (informant stops and exits with its code) or restart (start it again, backing off from 1 s to 30 s).').default(DEFAULTS.execOnExit),
    },
    'Run and supervise one child process (the proxy): started once every template has an output, reloaded after a change, stopped with informant.',
  ).superRefine((exec, ctx) => {
    if (exec.reload_command !== undefined && exec.reload_signal !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reload_command'], message: 'set either reload_signal or reload_command, not both', params: AT_KEY });
    }
  }, ON_MAPPINGS);
}

function leaderElectionSchema() {
  return mapping(
    {
      enabled: flag('Elect a leader among replicas; only the leader runs on_change commands.').default(DEFAULTS.leaderElectionEnabled),
      lease: dnsSubdomain('Name of the coordination.k8s.io Lease.').default(DEFAULTS.leaseName),
      namespace: dnsLabel('Namespace of the Lease.').default(DEFAULTS.leaseNamespace),
      identity: text('This replica\'s name in the Lease; default POD_NAME or the host name, plus a random suffix.').optional(),
      lease_duration: durationField('How long a Lease is valid without renewal; a follower takes over after it', {
        positive: true,
      }).prefault(DEFAULTS.leaseDuration),
      renew_deadline: durationField('The leader steps down when it could not renew for this long', { positive: true }).prefault(
        DEFAULTS.renewDeadline,
      ),
      retry_period: durationField('How often to try to acquire or renew the Lease', { positive: true }).prefault(DEFAULTS.retryPeriod),
      on_change_only_leader: flag('Only the leader runs on_change commands; false runs them on every replica.').default(
        DEFAULTS.onChangeOnlyLeader,
      ),
    },
    'Leader election for several replicas.',
  ).superRefine((election, ctx) => {
    if (election.renew_deadline >= election.lease_duration) {
      const message = `must be shorter than lease_duration (${election.renew_deadline} ms >= ${election.lease_duration} ms)`;
      ctx.addIssue({ code: 'custom', path: ['renew_deadline'], message });
    }
    if (election.retry_period >= election.renew_deadline) {
      const message = `must be shorter than renew_deadline (${election.retry_period} ms >= ${election.renew_deadline} ms)`;
      ctx.addIssue({ code: 'custom', path: ['retry_period'], message });
    }
  }, whenValid('lease_duration', 'renew_deadline', 'retry_period'));
}

/** The config schema for the built-in store backends (full, on-demand, published) and shared-store backends (etcd, postgres, memory). */
export const configSchema = buildConfigSchema();

/** config.yaml as validated: snake_case, durations in ms, defaults applied, paths as written. */
export type RawConfig = z.output<typeof configSchema>;
