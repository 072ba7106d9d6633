/**
 * The `informant` command line: run (the controller), render (once), check-config, test
 * (the template tests).
 * Messages for people go to stderr/stdout directly; logs go through pino.
 */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { configNotes, loadConfig, parseDuration } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { Controller } from '../controller/controller.ts';
import type { RenderOutcome } from '../controller/status.ts';
import { Daemon, DEFAULTS as DAEMON_DEFAULTS } from '../daemon/daemon.ts';
import { clustersNote, rbacManifests } from './rbac.ts';
import { createDefaultRegistry } from '../controller/registry.ts';
import { REPORTERS, runTestCommand, type ReporterName } from '../template-tests/index.ts';
import { createLogger, type Logger } from '../log.ts';
import { checkTemplates } from '../templates/index.ts';
import { stringify } from 'yaml';

/** Exit codes: 0 ok, 1 a problem with inputs (config, template, manifest), 2 usage. */
const EXIT = Object.freeze({ ok: 0, failed: 1 });


function fail(message: string): never {
  process.stderr.write(`${message.trimEnd()}\n`);
  process.exit(EXIT.failed);
}

async function readConfig(file: string, options: { tests?: boolean } = {}): Promise<Config> {
  try {
    return await loadConfig(resolve(file), { storeBackends: createDefaultRegistry().backends(), ...options });
  } catch (err) {
    return fail((err as Error).message);
  }
}

/**
 * Applies --kubeconfig and --context: they replace source.kubernetes.kubeconfig and
 * context, which with `clusters` are the defaults of the clusters that set none of their
 * own. Throws when the config's source is not kubernetes.
 */
function applySourceFlags(config: Config, flags: { kubeconfig?: string; context?: string }): Config {
  if (!flags.kubeconfig && !flags.context) return config;
  if (config.source.kind !== 'kubernetes' || !config.source.kubernetes) {
    throw new Error('--kubeconfig and --context apply to `source: kubernetes` only');
  }
  if (flags.kubeconfig) config.source.kubernetes.kubeconfig = resolve(flags.kubeconfig);
  if (flags.context) config.source.kubernetes.context = flags.context;
  return config;
}

type RunFlags = { config: string; kubeconfig?: string; context?: string; watchConfig: boolean; shutdownTimeout: string };

/**
 * `informant run`: the daemon until SIGTERM or SIGINT (exit 0 once shut down; a second
 * signal exits at once with 1). SIGHUP reloads the config, as does a change of the config
 * or template files unless --no-watch-config.
 */
async function runCommand(flags: RunFlags): Promise<void> {
  const load = async (): Promise<Config> =>
    applySourceFlags(await loadConfig(resolve(flags.config), { storeBackends: createDefaultRegistry().backends() }), flags);
  let config: Config;
  try {
    config = await load();
  } catch (err) {
    return fail((err as Error).message);
  }
  const shutdownTimeoutMs = parseDuration(flags.shutdownTimeout);
  if (shutdownTimeoutMs === undefined) return fail(`--shutdown-timeout: invalid duration ${JSON.stringify(flags.shutdownTimeout)}; use e.g. 20s`);
  const logger = createLogger({ level: config.logging.level });
  let daemon: Daemon;
  try {
    daemon = new Daemon({ config, logger, loadConfig: load, watchConfig: flags.watchConfig, shutdownTimeoutMs });
  } catch (err) {
    return fail((err as Error).message);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(EXIT.failed);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void daemon.stop().then(() => process.exit(EXIT.ok));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => void daemon.reload('SIGHUP'));
  try {
    await daemon.start();
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    return fail((err as Error).message);
  }
  await daemon.controller.waitForSync();
  logger.info({ config: config.file }, 'all resources synced; watching for changes');
}

/** `informant rbac`: the least-privilege RBAC of the config, as YAML documents on stdout. */
async function rbacCommand(flags: { config: string; name: string; namespace?: string }): Promise<void> {
  // Every store type the config language knows (on-demand included), whether or not this build runs it.
  const config = await loadConfig(resolve(flags.config)).catch((err: Error) => fail(err.message));
  const namespace = flags.namespace ?? config.leaderElection.namespace;
  const { manifests, guessed, notes } = rbacManifests(config, { name: flags.name, namespace });
  const header = [`# RBAC for ${config.file} (informant rbac)`, ...notes.map((note) => `# ${note}`)];
  const note = clustersNote(config);
  if (note !== undefined) header.push(note);
  if (guessed.length > 0) {
    header.push(`# Plural resource names guessed from kind for: ${guessed.join(', ')}; set \`resource:\` in the config if one is wrong.`);
  }
  process.stdout.write(`${header.join('\n')}\n${manifests.map((m) => stringify(m)).join('---\n')}`);
}

function buildController(config: Config, logger: Logger, watch: boolean): Controller {
  try {
    return new Controller({ config, logger, watch });
  } catch (err) {
    return fail((err as Error).message);
  }
}

async function renderCommand(flags: { config: string; out?: string }): Promise<void> {
  const config = await readConfig(flags.config);
  const logger = createLogger({ level: config.logging.level === 'info' ? 'warn' : config.logging.level, destination: process.stderr, pretty: false });
  const controller = buildController(config, logger, false);
  await controller.start();
  const state = await controller.whenRenderable();
  const problems = controller.problems;
  // The source stays up while rendering: on-demand stores fetch through it.
  const outcomes = state.renderable && problems.length === 0 ? await controller.renderAll(renderTarget(flags.out, config)) : [];
  await controller.stop();
  if (!state.renderable) {
    const stuck = state.stuck.map((s) => `${s.resource} after ${Math.round(s.waitingMs / 1000)} s: ${s.message}`);
    fail(`not synced within sync_timeout: ${stuck.join('; ')}`);
  }
  if (problems.length > 0) fail(`${problems.map((err) => err.message).join('\n')}\nnothing was written`);
  if (state.without.length > 0) {
    process.stderr.write(`warning: rendered without the optional ${state.without.join(', ')} (not synced within sync_timeout: empty)\n`);
  }
  reportOutcomes(outcomes);
}

function renderTarget(out: string | undefined, config: Config): Parameters<Controller['renderAll']>[0] {
  if (out === undefined) return { kind: 'configured' };
  if (out !== '-') return { kind: 'directory', dir: resolve(out) };
  const many = config.templates.length > 1;
  return {
    kind: 'callback',
    write: (template, content) => {
      if (many) process.stdout.write(`==> ${template.name} <==\n`);
      process.stdout.write(content);
    },
  };
}

function reportOutcomes(outcomes: RenderOutcome[]): void {
  const failed = outcomes.filter((o) => o.status === 'failed');
  for (const outcome of outcomes) {
    if (outcome.status === 'failed') {
      process.stderr.write(`error: template "${outcome.template}": ${outcome.error?.message}\n`);
    } else if (outcome.output !== '-') {
      process.stderr.write(`${outcome.status}: ${outcome.output}\n`);
    }
  }
  if (failed.length > 0) {
    fail(`${failed.length} of ${outcomes.length} template(s) failed; their previous outputs were kept`);
  }
}


async function checkConfigCommand(flags: { config: string }): Promise<void> {
  const config = await readConfig(flags.config, { tests: true });
  const problems = checkTemplates({ templates: config.templates, baseDir: config.baseDir });
  if (problems.length > 0) fail(problems.map((err) => err.message).join('\n'));
  process.stdout.write(
    `${config.file}: ok (${config.watchedResources.length} watched resources, ${config.templates.length} templates, ${config.tests?.length ?? 0} tests)\n`,
  );
  for (const note of configNotes(config)) process.stdout.write(`note: ${note}\n`);
}

async function testCommand(flags: { config: string; filter?: string; updateGolden?: boolean; reporter: ReporterName }): Promise<void> {
  const config = await readConfig(flags.config, { tests: true });
  const level = config.logging.level === 'info' ? 'warn' : config.logging.level;
  const logger = createLogger({ level, destination: process.stderr, pretty: false });
  const code = await runTestCommand({ ...flags, config, logger, out: process.stdout, err: process.stderr });
  process.exitCode = code;
}

function configOption(): Option {
  return new Option('-c, --config <file>', 'config file').default('config.yaml');
}

/** Builds the command line program (exported for tests). */
export function program(): Command {
  const cli = new Command('informant')
    .description('Watch Kubernetes resources, index them, and render templates from them')
    .showHelpAfterError();
  cli
    .command('run')
    .description('run the controller: watch, render on change, keep running')
    .addOption(configOption())
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster); with clusters, for those that set none')
    .option('--context <name>', 'kubeconfig context (default: the current context); with clusters, for those that set none')
    .option('--no-watch-config', 'do not reload when the config or template files change (SIGHUP still reloads)')
    .option('--shutdown-timeout <duration>', 'on SIGTERM/SIGINT, abandon a render (killing its commands) that takes longer than this', `${DAEMON_DEFAULTS.shutdownTimeoutMs / 1000}s`)
    .action(runCommand);
  cli
    .command('rbac')
    .description('print the least-privilege RBAC (ServiceAccount, roles, bindings) the config needs, as YAML')
    .addOption(configOption())
    .option('--name <name>', 'name of the ServiceAccount, roles and bindings', 'informant')
    .option('--namespace <namespace>', 'namespace informant runs in (default: leader_election.namespace)')
    .action(rbacCommand);
  cli
    .command('render')
    .description('render every template once and exit; non-zero on any error')
    .addOption(configOption())
    .option('-o, --out <dir|->', 'write outputs into this folder, or "-" for stdout (default: the configured outputs)')
    .action(renderCommand);
  cli
    .command('check-config')
    .description('validate the config and compile the templates')
    .addOption(configOption())
    .action(checkConfigCommand);
  cli
    .command('test')
    .description('run the template tests of the config: fixtures in, assertions on the outputs; no cluster, nothing written')
    .addOption(configOption())
    .option('--filter <pattern>', 'run only the tests whose name matches this regular expression')
    .option('--update-golden', 'rewrite the golden files (equals) of the selected tests with what they render')
    .addOption(new Option('--reporter <format>', 'output format').choices(REPORTERS).default('pretty'))
    .action(testCommand);
  return cli;
}

/** Runs the command line with `argv` (process.argv shape). */
export async function main(argv: string[]): Promise<void> {
  await program().parseAsync(argv);
}

if (import.meta.main) await main(process.argv);
