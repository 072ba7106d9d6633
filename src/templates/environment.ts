/**
 * The nunjucks Environment every template of one config version is compiled in.
 */
import nunjucks from 'nunjucks';
import { FILTERS, GLOBALS } from './filters.ts';
import { FUNCTION_FILTERS, FUNCTION_GLOBALS } from './functions/index.ts';
import { ISOLATION_GLOBALS } from './isolation/helpers.ts';
import { boundedRange, filtersOf, install, memoExtension } from './nunjucks/index.ts';
import { passPlaceholders } from './placeholder.ts';
import { TLS_FILTERS, TLS_GLOBALS } from './tls.ts';
import { VALIDATORS } from './validators.ts';

/**
 * nunjucks options, fixed for configuration files:
 * - autoescape off: HTML escaping would corrupt `&&`, `<`, quotes in configs (and costs ~25 %);
 * - throwOnUndefined: printing null/undefined is an error (use `| default(...)`);
 * - trimBlocks / lstripBlocks: a line holding only a `{% tag %}` leaves no blank line;
 * - dev: keeps nunjucks' own error objects, which carry the error locations
 *   (see nunjucks/compiler-patch.ts).
 */
const ENVIRONMENT_OPTIONS: nunjucks.ConfigureOptions = Object.freeze({
  autoescape: false,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
  dev: true,
});

/**
 * Creates an Environment whose loader reads templates from `searchPaths` (in order: a
 * plain name in `{% include %}`/`{% import %}` resolves to the first folder that has it;
 * `./name` resolves next to the including file; nothing outside the folders is readable).
 * Every file is read and compiled once, on first use, and then cached for the life of the
 * Environment: build a new one for a new config version. informant's filters and globals
 * (filters.ts, validators.ts, functions/, tls.ts, isolation/helpers.ts) are registered. Every filter, built-in
 * or informant's, passes the on-demand placeholder through (see placeholder.ts), so a
 * discovery pass of the two-pass render runs on.
 * informant's nunjucks patches (nunjucks/install.ts) are applied first, once per process.
 * The `{% memo %}` tag is registered (see nunjucks/memo-tag.ts and memo/).
 */
export function createEnvironment(searchPaths: readonly string[]): nunjucks.Environment {
  install();
  const loader = new nunjucks.FileSystemLoader([...searchPaths], { noCache: false, watch: false });
  // nunjucks writes into the options object it is given.
  const env = new nunjucks.Environment(loader, { ...ENVIRONMENT_OPTIONS });
  for (const [name, filter] of Object.entries({ ...FILTERS, ...FUNCTION_FILTERS, ...VALIDATORS, ...TLS_FILTERS })) env.addFilter(name, filter);
  for (const [name, fn] of Object.entries({ ...GLOBALS, ...FUNCTION_GLOBALS, ...ISOLATION_GLOBALS, ...TLS_GLOBALS })) env.addGlobal(name, fn);
  env.addGlobal('range', boundedRange);
  env.addExtension('memo', memoExtension(() => Object.keys((env as unknown as { globals: object }).globals)) as unknown as nunjucks.Extension);
  placeholdersPassFilters(env);
  return env;
}

/** Wraps every filter of `env` with passPlaceholders. */
function placeholdersPassFilters(env: nunjucks.Environment): void {
  const filters = filtersOf(env);
  for (const [name, filter] of Object.entries(filters)) filters[name] = passPlaceholders(filter);
}
