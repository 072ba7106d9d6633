/**
 * `informant check-config`: every problem of a config in one run. The config's own
 * (YAML, schema and cross-field rules, tests and their files; see config/inspect.ts), the
 * templates' (compile errors, unknown filters, unknown `resources.<name>`), and the
 * manifests path of a files source that does not exist; each with file:line:col.
 */
import { existsSync } from 'node:fs';
import { formatProblem, inspectConfig, type Config, type ConfigOptions } from '../config/index.ts';
import { checkTemplates } from '../templates/index.ts';

/** What checking found: the config when nothing is wrong, else every problem as a line. */
export type CheckOutcome = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Checks the config file `file` (see the module comment). */
export async function checkConfigFile(file: string, options: ConfigOptions): Promise<CheckOutcome> {
  const inspection = await inspectConfig(file, options);
  const problems = inspection.problems.map(formatProblem);
  const templates = checkTemplates({
    templates: inspection.templates,
    baseDir: inspection.baseDir,
    ...(inspection.resources ? { resources: inspection.resources } : {}),
  });
  problems.push(...templates.map((err) => err.message));
  const manifests = inspection.manifests;
  if (manifests && !existsSync(manifests.path)) {
    problems.push(formatProblem(manifests.problem(`${manifests.path} does not exist (a folder of manifests, or one file)`)));
  }
  if (problems.length === 0 && inspection.config) return { ok: true, config: inspection.config };
  return { ok: false, problems };
}
