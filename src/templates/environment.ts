/**
 * The nunjucks Environment every template of one config version is compiled in.
 */
import nunjucks from 'nunjucks';
import './nunjucks-patch.ts';
import { FILTERS, GLOBALS } from './filters.ts';

/**
 * nunjucks options, fixed for configuration files:
 * - autoescape off: HTML escaping would corrupt `&&`, `<`, quotes in configs (and costs ~25 %);
 * - throwOnUndefined: printing null/undefined is an error (use `| default(...)`);
 * - trimBlocks / lstripBlocks: a line holding only a `{% tag %}` leaves no blank line;
 * - dev: keeps nunjucks' own error objects, which carry the error locations
 *   (see nunjucks-patch.ts).
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
 * are registered.
 */
export function createEnvironment(searchPaths: readonly string[]): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader([...searchPaths], { noCache: false, watch: false });
  // nunjucks writes into the options object it is given.
  const env = new nunjucks.Environment(loader, { ...ENVIRONMENT_OPTIONS });
  for (const [name, filter] of Object.entries(FILTERS)) env.addFilter(name, filter);
  for (const [name, fn] of Object.entries(GLOBALS)) env.addGlobal(name, fn);
  return env;
}
