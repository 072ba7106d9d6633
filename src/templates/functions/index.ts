/**
 * Template functions that reach outside the stores (the environment, the clock, files)
 * or turn text into data, each with its safety rules in its own file. The renderer makes
 * their scope active around every render pass (scope.ts).
 */
import { passPlaceholders } from '../placeholder.ts';
import { parseJson, parseYaml, sha256 } from './data.ts';
import { env } from './environment-variables.ts';
import { file } from './files.ts';
import { formatTime, now } from './time.ts';

export { runInScope, type FunctionScope } from './scope.ts';

/** The filters, by the names templates use. */
export const FUNCTION_FILTERS: Readonly<Record<string, (value: unknown, ...args: unknown[]) => unknown>> = Object.freeze({
  sha256,
  parse_json: parseJson,
  parse_yaml: parseYaml,
  format_time: formatTime,
});

/** The global functions, by the names templates use; an on-demand placeholder argument passes through. */
export const FUNCTION_GLOBALS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({
  env: passPlaceholders(env),
  file: passPlaceholders(file),
  now,
});
