/**
 * The `informant` command line: run (the controller), render (once), check-config, test
 * (the template tests).
 * Messages for people go to the given stderr/stdout (the process's by default); logs go
 * through pino.
 */
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { configNotes, loadConfig, parseDuration } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import type { Controller } from '../controller/controller.ts';
import type { RenderOutcome } from '../controller/status.ts';
import { Daemon, DEFAULTS as DAEMON_DEFAULTS } from '../daemon/daemon.ts';
import { checkConfigFile } from './check-config.ts';
import { clustersNote, rbacManifests } from './rbac.ts';
import { createDefaultRegistry } from '../controller/registry.ts';
import { createSharedBackends } from '../controller/shared-backends.ts';
import { addBackendFlags, backendFlagValues } from './backend-flags.ts';
import { REPORTERS, runTestCommand, type ReporterName } from '../template-tests/index.ts';
import { renderFromSource, withoutMessage } from '../library/render.ts';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type Logger, type LogLevel } from '../log.ts';
import { VERSION } from '../version.ts';
import { stringify } from 'yaml';

/** Exit codes: 0 ok, 1 a problem with inputs (config, template, manifest), 2 usage. */
const EXIT = Object.freeze({ ok: 0, failed: 1 });

/**
 * Where the commands write and what relative paths start from. The process's by default;
 * tests hand in their own to run a command in process.
 */
export interface CliIo {
  /** Results: rendered output (`--out -`), YAML, reports. */
  stdout: NodeJS.WritableStream;
  /** Messages for people and (render, test) the log. */
  stderr: NodeJS.WritableStream;
  /** The folder relative paths (--config, --out, --kubeconfig) are resolved against. */
  cwd: string;
}

/** The shared-store backends this program offers (config validation, flags, connections). */
const SHARED_BACKENDS = createSharedBackends();

/**
 * The process's streams and working directory. A reader that goes away (`informant render
 * --out - | head -1`) ends the command quietly, as a closed pipe ends any Unix tool.
 */
function processIo(): CliIo {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', endOnClosedPipe);
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}

function endOnClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
}

/** Ends a command with an exit code; main() turns it into its result. */
class CommandExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** Writes `message` to stderr and ends the command with exit code 1. */
function fail(io: CliIo, message: string): never {
  io.stderr.write(`${message.trimEnd()}\n`);
  throw new CommandExit(EXIT.failed);
}

async function readConfig(io: CliIo, file: string, options: { tests?: boolean; flags?: Record<string, unknown> } = {}): Promise<Config> {
  try {
    const sharedFlags = backendFlagValues(options.flags ?? {}, SHARED_BACKENDS.backends());
    return await loadConfig(resolve(io.cwd, file), {
      storeBackends: createDefaultRegistry().backends(),
      sharedBackends: SHARED_BACKENDS.backends(),
      sharedFlags,
      tests: options.tests ?? false,
    });
  } catch (err) {
    return fail(io, (err as Error).message);
  }
}

/** The options every command takes (they may come before or after the command's name). */
interface LogFlags {
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

/**
 * A logger for the one-shot commands: onto stderr, warnings and worse unless the config
 * (or --log-level, or LOG_LEVEL) asks for more; JSON lines unless --log-format pretty.
 */
function commandLogger(io: CliIo, config: Config, flags: LogFlags): Logger {
  const level = config.logging.level === 'info' ? 'warn' : config.logging.level;
  return createLogger({ level, destination: io.stderr, pretty: flags.logFormat === 'pretty', ...commandLineLevel(flags) });
}

/** The logger of `run`: onto stdout, pretty on a terminal unless --log-format says otherwise. */
function serviceLogger(io: CliIo, config: Config, flags: LogFlags): Logger {
  return createLogger({
    level: config.logging.level,
    ...commandLineLevel(flags),
    ...(flags.logFormat ? { pretty: flags.logFormat === 'pretty' } : {}),
    ...(io.stdout === process.stdout ? {} : { destination: io.stdout }),
  });
}

function commandLineLevel(flags: LogFlags): { commandLineLevel?: LogLevel } {
  return flags.logLevel === undefined ? {} : { commandLineLevel: flags.logLevel };
}

/**
 * Applies --kubeconfig and --context: they replace source.kubernetes.kubeconfig and
 * context, which with `clusters` are the defaults of the clusters that set none of their
 * own. Throws when the config's source is not kubernetes.
 */
function applySourceFlags(config: Config, flags: { kubeconfig?: string; context?: string }, cwd: string): Config {
  if (!flags.kubeconfig && !flags.context) return config;
  if (config.source.kind !== 'kubernetes' || !config.source.kubernetes) {
    throw new Error('--kubeconfig and --context apply to `source: kubernetes` only');
  }
  if (flags.kubeconfig) config.source.kubernetes.kubeconfig = resolve(cwd, flags.kubeconfig);
  if (flags.context) config.source.kubernetes.context = flags.context;
  return config;
}

type RunFlags = LogFlags & {
  config: string;
  kubeconfig?: string;
  context?: string;
  watchConfig: boolean;
  shutdownTimeout: string;
  once?: boolean;
  [backendFlag: string]: unknown;
};

/** Loads the config file with the command line's overrides: backend flags, --kubeconfig and --context. */
function configLoader(io: CliIo, flags: RunFlags): () => Promise<Config> {
  const sharedFlags = backendFlagValues(flags, SHARED_BACKENDS.backends());
  return async () =>
    applySourceFlags(
      await loadConfig(resolve(io.cwd, flags.config), { storeBackends: createDefaultRegistry().backends(), sharedBackends: SHARED_BACKENDS.backends(), sharedFlags }),
      flags,
      io.cwd,
    );
}

/**
 * `informant run`: the daemon until SIGTERM or SIGINT (exit 0 once shut down; a second
 * signal exits at once with 1). SIGHUP reloads the config, as does a change of the config
 * or template files unless --no-watch-config. With --once, see onceCommand. In exec mode
 * the signal is passed on to the child, and informant exits with the child's code
 * (Daemon.exitCode), also when the child exits on its own (exec.on_exit: exit).
 */
async function runCommand(io: CliIo, flags: RunFlags): Promise<void> {
  const load = configLoader(io, flags);
  let config: Config;
  try {
    config = await load();
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  if (flags.once) return onceCommand(io, config, flags);
  const shutdownTimeoutMs = parseDuration(flags.shutdownTimeout);
  if (shutdownTimeoutMs === undefined) return fail(io, `--shutdown-timeout: invalid duration ${JSON.stringify(flags.shutdownTimeout)}; use e.g. 20s`);
  const logger = serviceLogger(io, config, flags);
  let daemon: Daemon;
  let stopping = false;
  try {
    daemon = new Daemon({
      config,
      logger,
      loadConfig: load,
      watchConfig: flags.watchConfig,
      shutdownTimeoutMs,
      sharedBackends: SHARED_BACKENDS,
      onChildExit: () => {
        if (stopping) return;
        stopping = true;
        logger.info('the child process exited: shutting down');
        void daemon.stop().then(() => process.exit(daemon.exitCode));
      },
      ...commandLineLevel(flags),
    });
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(EXIT.failed);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void daemon.stop(signal).then(() => process.exit(daemon.exitCode));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => void daemon.reload('SIGHUP'));
  try {
    await daemon.start();
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    return fail(io, (err as Error).message);
  }
  await daemon.controller.waitForSync();
  logger.info({ config: config.file }, 'all resources synced; watching for changes');
}

/**
 * `informant run --once`: waits for the source to sync, renders every template once into
 * its configured output with validate and on_change (as `run` does, whatever leader
 * election says), and exits: 0 when every template succeeded, 1 otherwise. No server,
 * no watch afterwards, no exec child. For init containers and cron jobs; `render` is the dry run.
 */
async function onceCommand(io: CliIo, config: Config, flags: RunFlags): Promise<void> {
  const logger = serviceLogger(io, config, flags);
  if (config.exec !== undefined) logger.info('--once: exec is ignored (the child process runs only under a long-running `informant run`)');
  let outcomes: RenderOutcome[];
  try {
    outcomes = await renderFromSource(config, { logger, runCommands: true, sharedBackends: SHARED_BACKENDS, onWithout: warnWithout(io) });
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  reportOutcomes(io, outcomes);
}

/** `informant rbac`: the least-privilege RBAC of the config, as YAML documents on stdout. */
async function rbacCommand(io: CliIo, flags: { config: string; name: string; namespace?: string }): Promise<void> {
  // Every store type the config language knows (on-demand included), whether or not this build runs it.
  const config = await loadConfig(resolve(io.cwd, flags.config)).catch((err: Error) => fail(io, err.message));
  const namespace = flags.namespace ?? config.leaderElection.namespace;
  const { manifests, guessed, notes } = rbacManifests(config, { name: flags.name, namespace });
  const header = [`# RBAC for ${config.file} (informant rbac)`, ...notes.map((note) => `# ${note}`)];
  const note = clustersNote(config);
  if (note !== undefined) header.push(note);
  if (guessed.length > 0) {
    header.push(`# Plural resource names guessed from kind for: ${guessed.join(', ')}; set \`resource:\` in the config if one is wrong.`);
  }
  io.stdout.write(`${header.join('\n')}\n${manifests.map((m) => stringify(m)).join('---\n')}`);
}

type RenderFlags = LogFlags & { config: string; out?: string; kubeconfig?: string; context?: string; [backendFlag: string]: unknown };

async function renderCommand(io: CliIo, flags: RenderFlags): Promise<void> {
  const config = await readConfig(io, flags.config, { flags });
  try {
    applySourceFlags(config, flags, io.cwd);
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  const logger = commandLogger(io, config, flags);
  let outcomes: RenderOutcome[];
  try {
    outcomes = await renderFromSource(config, { logger, target: renderTarget(io, flags.out, config), sharedBackends: SHARED_BACKENDS, onWithout: warnWithout(io) });
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  reportOutcomes(io, outcomes);
}

/** Says on stderr that optional resources were rendered as empty. */
function warnWithout(io: CliIo): (resources: readonly string[]) => void {
  return (resources) => io.stderr.write(`warning: ${withoutMessage(resources)}\n`);
}

function renderTarget(io: CliIo, out: string | undefined, config: Config): Parameters<Controller['renderAll']>[0] {
  if (out === undefined) return { kind: 'configured' };
  if (out !== '-') return { kind: 'directory', dir: resolve(io.cwd, out) };
  const many = config.templates.length > 1 || config.templates.some((t) => t.forEach !== undefined);
  return {
    kind: 'callback',
    write: (template, content, file) => {
      if (many) io.stdout.write(`==> ${file === undefined ? template.name : `${template.name}/${file}`} <==\n`);
      io.stdout.write(content);
    },
  };
}

/** Says what happened to each template on stderr; ends the command with 1 when one failed. */
function reportOutcomes(io: CliIo, outcomes: RenderOutcome[]): void {
  const failed = outcomes.filter((o) => o.error !== undefined);
  for (const outcome of outcomes) {
    if (outcome.status !== 'failed' && outcome.output !== '-') {
      const files = outcome.files;
      const detail = files === undefined ? '' : ` (${files.written.length} written, ${files.unchanged} unchanged, ${files.removed.length} removed)`;
      io.stderr.write(`${outcome.status}: ${outcome.output}${detail}\n`);
    }
    if (outcome.error !== undefined) io.stderr.write(`error: template "${outcome.template}": ${outcome.error.message}\n`);
  }
  if (failed.length > 0) {
    fail(io, `${failed.length} of ${outcomes.length} template(s) failed; what they could not write kept its previous version`);
  }
}

async function checkConfigCommand(io: CliIo, flags: { config: string }): Promise<void> {
  const outcome = await checkConfigFile(resolve(io.cwd, flags.config), { storeBackends: createDefaultRegistry().backends() });
  if (!outcome.ok) fail(io, outcome.problems.join('\n'));
  const { config } = outcome;
  io.stdout.write(
    `${config.file}: ok (${config.watchedResources.length} watched resources, ${config.templates.length} templates, ${config.tests?.length ?? 0} tests)\n`,
  );
  for (const note of configNotes(config)) io.stdout.write(`note: ${note}\n`);
}

async function testCommand(io: CliIo, flags: LogFlags & { config: string; filter?: string; updateGolden?: boolean; reporter: ReporterName }): Promise<void> {
  const config = await readConfig(io, flags.config, { tests: true });
  const logger = commandLogger(io, config, flags);
  const code = await runTestCommand({ ...flags, config, logger, out: io.stdout, err: io.stderr, cwd: io.cwd });
  if (code !== EXIT.ok) throw new CommandExit(code);
}

function configOption(): Option {
  return new Option('-c, --config <file>', 'config file').default('config.yaml');
}

/**
 * Builds the command line program (exported for tests). Commander's own messages (usage
 * errors, help) go to `io`; instead of exiting, it throws a CommanderError with the exit code.
 */
export function program(io: CliIo = processIo()): Command {
  const cli = new Command('informant')
    .description('Watch Kubernetes resources, index them, and render templates from them')
    .version(VERSION, '-v, --version', 'print the version and exit')
    .addOption(new Option('--log-level <level>', 'log level; wins over LOG_LEVEL and logging.level').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'log lines as JSON, or pretty for people (default: pretty on a terminal)').choices(LOG_FORMATS))
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();
  /** A command's action, given its own options and the global ones (--log-level, --log-format). */
  const withGlobals =
    <T,>(action: (flags: T) => Promise<void>) =>
    (_flags: unknown, command: Command): Promise<void> =>
      action(command.optsWithGlobals() as T);
  const run = cli
    .command('run')
    .description('run the controller: watch, render on change, keep running')
    .addOption(configOption())
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster); with clusters, for those that set none')
    .option('--context <name>', 'kubeconfig context (default: the current context); with clusters, for those that set none')
    .option('--once', 'render every template once (running validate and on_change), then exit: 0 when all succeeded')
    .option('--no-watch-config', 'do not reload when the config or template files change (SIGHUP still reloads)')
    .option('--shutdown-timeout <duration>', 'on SIGTERM/SIGINT, abandon a render (killing its commands) that takes longer than this', `${DAEMON_DEFAULTS.shutdownTimeoutMs / 1000}s`);
  addBackendFlags(run, SHARED_BACKENDS.backends()).action(withGlobals((flags: RunFlags) => runCommand(io, flags)));
  cli
    .command('rbac')
    .description('print the least-privilege RBAC (ServiceAccount, roles, bindings) the config needs, as YAML')
    .addOption(configOption())
    .option('--name <name>', 'name of the ServiceAccount, roles and bindings', 'informant')
    .option('--namespace <namespace>', 'namespace informant runs in (default: leader_election.namespace)')
    .action((flags) => rbacCommand(io, flags));
  const render = cli
    .command('render')
    .description('render every template once and exit, running no command; non-zero on any error')
    .addOption(configOption())
    .option('-o, --out <dir|->', 'write outputs into this folder, or "-" for stdout (default: the configured outputs)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster); with clusters, for those that set none')
    .option('--context <name>', 'kubeconfig context (default: the current context); with clusters, for those that set none');
  addBackendFlags(render, SHARED_BACKENDS.backends()).action(withGlobals((flags: RenderFlags) => renderCommand(io, flags)));
  cli
    .command('check-config')
    .description('validate the config and compile the templates')
    .addOption(configOption())
    .action((flags) => checkConfigCommand(io, flags));
  cli
    .command('test')
    .description('run the template tests of the config: fixtures in, assertions on the outputs; no cluster, nothing written')
    .addOption(configOption())
    .option('--filter <pattern>', 'run only the tests whose name matches this regular expression')
    .option('--update-golden', 'rewrite the golden files (equals) of the selected tests with what they render')
    .addOption(new Option('--reporter <format>', 'output format').choices(REPORTERS).default('pretty'))
    .action(withGlobals((flags: Parameters<typeof testCommand>[1]) => testCommand(io, flags)));
  return cli;
}

/**
 * Runs the command line with `argv` (process.argv shape) and resolves with its exit code
 * (`run` resolves once synced and keeps running). Without `io` it is the process: its
 * streams and working directory, and a non-zero exit code ends the process at once.
 */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const code = await exitCodeOf(() => program(io).parseAsync(argv));
  if (io === undefined && code !== EXIT.ok) process.exit(code);
  return code;
}

/** The exit code of running `command`: 0, or the code it ended with; other errors propagate. */
async function exitCodeOf(command: () => Promise<unknown>): Promise<number> {
  try {
    await command();
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommandExit) return err.code;
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}

if (import.meta.main) await main(process.argv);
