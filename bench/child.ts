/**
 * Entry point of a contender process: `node --expose-gc bench/child.ts MODULE TASK PARAMS`
 * imports bench/MODULE, awaits `TASK(params, link)` and sends its return value to the
 * runner as `{type: "result", value}` (or `{type: "error"}`), then exits: whatever the task
 * left open (informers, sockets) dies with the process.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentLink, type Link } from './support/link.ts';

type Task = (params: unknown, link: Link) => Promise<unknown>;

async function main(): Promise<void> {
  const [module, task, params] = process.argv.slice(2);
  if (!module || !task || params === undefined || !process.send) {
    throw new Error('usage (from the benchmark runner only): node --expose-gc bench/child.ts MODULE TASK PARAMS_JSON');
  }
  const link = parentLink();
  const url = pathToFileURL(path.join(import.meta.dirname, module)).href;
  const exported = (await import(url)) as Record<string, unknown>;
  const fn = exported[task];
  if (typeof fn !== 'function') throw new Error(`bench/${module} exports no task "${task}"`);
  const value = await (fn as Task)(JSON.parse(params), link);
  process.send({ type: 'result', value }, () => process.exit(0));
}

main().catch((err: unknown) => {
  const error = err instanceof Error ? err : new Error(String(err));
  if (process.send) process.send({ type: 'error', message: error.message, stack: error.stack }, () => process.exit(1));
  else {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  }
});
