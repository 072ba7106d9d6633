/**
 * Names a template uses that will not exist when it renders: a filter that is not
 * registered (nunjucks' built-ins and informant's), a watched resource the config does
 * not have (`resources.ingress` for `ingresses`). Found when templates are checked
 * (check-config, a reload) with file:line:col and a suggestion, instead of at the first
 * render. The template's own file and every file it loads literally are read.
 */
import type nunjucks from 'nunjucks';
import { editDistance } from '../text/edit-distance.ts';
import type { CompiledTemplate } from './compile.ts';
import { RenderError } from './errors.ts';
import { filtersOf, literalLoads, loadTemplate, namesUsed, templateFile, type UsedName } from './nunjucks/index.ts';

/** Problems with the names `compiled` uses; `resources` (the watched ones) is checked when given. */
export function unknownNames(env: nunjucks.Environment, compiled: readonly CompiledTemplate[], resources?: readonly string[]): RenderError[] {
  const filters = Object.keys(filtersOf(env));
  const problems: RenderError[] = [];
  for (const template of compiled) {
    for (const { path, source } of filesOf(env, template.template)) {
      const found: RenderError[] = [];
      const used = namesUsed(env, source);
      const at = (name: UsedName, reason: string): RenderError =>
        new RenderError({ template: template.name, file: path, line: name.lineno + 1, col: name.colno + 1, reason });
      for (const filter of used.filters.filter((f) => !filters.includes(f.name))) {
        found.push(at(filter, `unknown filter "${filter.name}"${suggestion(filter.name, filters)}`));
      }
      if (resources !== undefined) found.push(...unknownResources(used.resources, resources).map(([name, reason]) => at(name, reason)));
      problems.push(...found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)));
    }
  }
  return problems;
}

/** Each resource of `used` that is not watched, with the reason. */
function unknownResources(used: readonly UsedName[], resources: readonly string[]): Array<[UsedName, string]> {
  const known = resources.length > 0 ? `watched resources: ${resources.join(', ')}` : 'no resources are watched';
  return used
    .filter((r) => !resources.includes(r.name))
    .map((r) => [r, `unknown resource "${r.name}" in resources.${r.name} (${known})${suggestion(r.name, resources)}`]);
}

/** The file of `template` and of every file it loads literally, each once. */
function filesOf(env: nunjucks.Environment, template: nunjucks.Template, seen = new Set<string>()): Array<{ path: string; source: string }> {
  const file = templateFile(template);
  if (file === undefined || seen.has(file.path)) return [];
  seen.add(file.path);
  const files = [file];
  for (const load of literalLoads(env, file.source)) {
    try {
      files.push(...filesOf(env, loadTemplate(env, load.name, file.path, load.ignoreMissing), seen));
    } catch {
      // Compiling reported it already.
    }
  }
  return files;
}

/** "; did you mean "x"?" for the closest known name when it is close enough to be a typo, else "". */
function suggestion(name: string, known: readonly string[]): string {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(name.length / 4)) ? `; did you mean "${best.name}"?` : '';
}
