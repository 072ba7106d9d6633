/**
 * The `informant` command line: run (the controller), render (once), check-config.
 * Messages for people go to stderr/stdout directly; logs go through pino.
 */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from './config/index.ts';
import type { Config } from './config/types.ts';
import { Controller, type RenderOutcome } from './controller/controller.ts';
import { createDefaultRegistry } from './controller/registry.ts';
import { createLogger, type Logger } from './log.ts';
import { checkTemplates } from './templates/index.ts';

/** Exit codes: 0 ok, 1 a problem with inputs (config, template, manifest), 2 usage. */
const EXIT = Object.freeze({ ok: 0, failed: 1 });

/** How long `render` waits for every resource to sync before giving up (ms). */
const RENDER_SYNC_TIMEOUT_MS = 60_000;

function fail(message: string): never {
  process.stderr.write(`${message.trimEnd()}\n`);
  process.exit(EXIT.failed);
}

async function readConfig(file: string): Promise<Config> {
  try {
    return await loadConfig(resolve(file), { storeTypes: createDefaultRegistry().names() });
  } catch (err) {
    return fail((err as Error).message);
  }
}

function applySourceFlags(config: Config, flags: { kubeconfig?: string; context?: string }): void {
  if (!flags.kubeconfig && !flags.context) return;
  if (config.source.kind !== 'kubernetes' || !config.source.kubernetes) {
    fail('--kubeconfig and --context apply to `source: kubernetes` only');
  }
  if (flags.kubeconfig) config.source.kubernetes.kubeconfig = resolve(flags.kubeconfig);
  if (flags.context) config.source.kubernetes.context = flags.context;
}

async function runCommand(flags: { config: string; kubeconfig?: string; context?: string }): Promise<void> {
  const config = await readConfig(flags.config);
  applySourceFlags(config, flags);
  const logger = createLogger({ level: config.logging.level });
  const controller = buildController(config, logger, true);
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down');
    await controller.stop();
    process.exit(EXIT.ok);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await controller.start();
  await controller.waitForSync();
  logger.info({ config: config.file }, 'all resources synced; watching for changes');
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
  const synced = await syncWithin(controller, RENDER_SYNC_TIMEOUT_MS);
  await controller.stop();
  if (!synced) fail(`not synced after ${RENDER_SYNC_TIMEOUT_MS / 1000}s: ${controller.unsynced().join(', ')}`);
  if (controller.problems.length > 0) {
    fail(`${controller.problems.map((err) => err.message).join('\n')}\nnothing was written`);
  }
  const outcomes = await controller.renderAll(renderTarget(flags.out, config));
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

async function syncWithin(controller: Controller, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([controller.waitForSync().then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

async function checkConfigCommand(flags: { config: string }): Promise<void> {
  const config = await readConfig(flags.config);
  const problems = checkTemplates({ templates: config.templates, baseDir: config.baseDir });
  if (problems.length > 0) fail(problems.map((err) => err.message).join('\n'));
  process.stdout.write(
    `${config.file}: ok (${config.watchedResources.length} watched resources, ${config.templates.length} templates)\n`,
  );
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
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .action(runCommand);
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
  return cli;
}

/** Runs the command line with `argv` (process.argv shape). */
export async function main(argv: string[]): Promise<void> {
  await program().parseAsync(argv);
}

if (import.meta.main) await main(process.argv);
