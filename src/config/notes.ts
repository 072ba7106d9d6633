/**
 * configNotes: what a valid config does that its author may not expect, said once by
 * `informant check-config` (not problems: the config loads and runs as written).
 */
import { isMultiValued } from '../path/index.ts';
import { formatProblem, type ConfigProblem } from './errors.ts';
import type { Config } from './types.ts';

/**
 * One line per note, `file:line:col: key path: note`, in config order: each multi-valued
 * index_by expression (an object is filed under every value it selects).
 */
export function configNotes(config: Config): string[] {
  const notes: ConfigProblem[] = [];
  for (const resource of config.watchedResources) {
    const { file, line, col } = resource.position ?? { file: config.file, line: 0, col: 0 };
    resource.indexBy.forEach((expr, i) => {
      if (!isMultiValued(expr)) return;
      const message = `${JSON.stringify(expr)} is multi-valued: each object is filed under every value it selects (with several such expressions, under every combination); Get() finds it by any of them, and returns it once`;
      notes.push({ file, line, col, path: `watched_resources.${resource.name}.index_by[${i}]`, message });
    });
  }
  return notes.map(formatProblem);
}
