/**
 * Rendering a for_each template: the list of its elements first (the objects of a watched
 * resource, or the list a template file exports, imported with the context), in one
 * two-pass render; then each element's file name (the `output` pattern, with `object` and
 * `vars`) and content (the template, with `resources`, `vars` and `object`), each element
 * in its own two-pass render, so Fetch works inside and one element's bad object leaves out
 * only that element.
 *
 * File names come from object fields, which tenants write: a name that is not a plain file
 * name (text/file-name.ts) leaves its object out (or, for an element that is not a
 * watched object, fails the render). Two elements with the same file name fail the render,
 * naming both: the pattern does not tell them apart.
 */
import type nunjucks from 'nunjucks';
import { isKubeObject } from '../k8s.ts';
import { fileNameProblem } from '../text/file-name.ts';
import type { CompiledForEach, CompiledTemplate } from './compile.ts';
import { RenderError, TemplateFailure, toRenderError } from './errors.ts';
import { activePass } from './isolation/pass-report.ts';
import type { ObjectReport, RenderReport } from './isolation/index.ts';
import type { Resources } from './resources.ts';
import type { TwoPassResult } from './two-pass.ts';
import { oneLine } from './unsafe-text.ts';

/** Characters of an element's description kept in messages. */
const DESCRIPTION_LENGTH = 300;

/** What the elements of a for_each template rendered to. */
export interface EachResult {
  /** The content of each element that rendered, by file name. */
  files: Map<string, string>;
  /** The elements whose render failed, by file name (their previous files stay). */
  failed: Map<string, Error>;
  /** What the list and the elements left out and warned about, merged. */
  report: RenderReport;
}

/** A two-pass render of `compiled` with `renderPass` (rejects with a RenderError), about `subject` when given. */
export type TwoPassRunner = (compiled: CompiledTemplate, renderPass: (resources: Resources) => string, subject?: unknown) => Promise<TwoPassResult>;

/** Renders every element of the for_each template `compiled` (see the module comment). Rejects with a RenderError when the list or a file name fails. */
export async function renderEach(compiled: CompiledTemplate, run: TwoPassRunner): Promise<EachResult> {
  const forEach = compiled.forEach!;
  let elements: unknown[] = [];
  const listed = await run(compiled, (resources) => {
    elements = listOf(forEach, resources, compiled.vars);
    return '';
  });
  const reports: RenderReport[] = [listed.report];
  const files = new Map<string, string>();
  const failed = new Map<string, Error>();
  const names = new Map<string, string>();
  for (const [index, element] of elements.entries()) {
    const name = fileNameOf(compiled, element, index);
    const problem = fileNameProblem(name);
    if (problem !== undefined && !isKubeObject(element)) throw nameError(compiled, `${describe(element, index, forEach)}: ${problem}`);
    const other = names.get(name);
    if (problem === undefined && other !== undefined) {
      throw nameError(compiled, `${other} and ${describe(element, index, forEach)} both render to the file name "${name}": make the output pattern tell them apart`);
    }
    names.set(name, describe(element, index, forEach));
    try {
      const rendered = await run(compiled, (resources) => renderElement(compiled, resources, element, problem), element);
      reports.push(rendered.report);
      if (!rendered.subjectLeftOut && problem === undefined) files.set(name, rendered.output);
    } catch (err) {
      if (problem === undefined) failed.set(name, err as Error);
      else throw err;
    }
  }
  return { files, failed, report: mergeReports(reports) };
}

/** The elements: a resource's objects, or the list the imported file exports. */
function listOf(forEach: CompiledForEach, resources: Resources, vars: Readonly<Record<string, unknown>>): unknown[] {
  const { source } = forEach;
  if (source.kind === 'resource') return [...resources[source.resource]!.List()];
  const exported = exportsOf(source.template, { resources, vars });
  const list = exported[source.list];
  if (!Array.isArray(list)) {
    const found = list === undefined ? 'it sets no such variable at its top level' : `it is ${typeof list}`;
    throw new TemplateFailure(`for_each: ${source.file} does not export a list named "${source.list}" (${found})`);
  }
  return [...list];
}

/** The top-level variables of `template` rendered with `context` (what `{% import ... with context %}` gives). */
function exportsOf(template: nunjucks.Template, context: object): Record<string, unknown> {
  let exported: Record<string, unknown> | undefined;
  let failure: unknown;
  (template as unknown as { getExported(ctx: object, cb: (err: unknown, result: Record<string, unknown>) => void): void }).getExported(context, (err, result) => {
    failure = err;
    exported = result;
  });
  if (failure) throw failure;
  return exported ?? {};
}

/** One element's content; an element whose file name is not allowed is left out instead (it is a watched object). */
function renderElement(compiled: CompiledTemplate, resources: Resources, element: unknown, nameProblem: string | undefined): string {
  if (nameProblem !== undefined) {
    activePass()?.reject(element, `its output file name: ${nameProblem}`, 'for_each');
    return '';
  }
  return compiled.template.render({ resources, vars: compiled.vars, object: element });
}

/** The file name of an element; a pattern that fails to render fails the whole render. */
function fileNameOf(compiled: CompiledTemplate, element: unknown, index: number): string {
  const forEach = compiled.forEach!;
  try {
    return forEach.name.render({ object: element, vars: compiled.vars });
  } catch (err) {
    const error = toRenderError(err, compiled.name, forEach.nameFile);
    throw new RenderError({
      template: compiled.name,
      file: error.file,
      line: error.line,
      col: error.col,
      reason: `the file name of ${describe(element, index, forEach)}: ${error.reason}`,
      cause: error,
    });
  }
}

function nameError(compiled: CompiledTemplate, reason: string): RenderError {
  return new RenderError({ template: compiled.name, file: compiled.forEach!.nameFile, line: undefined, col: undefined, reason });
}

/** An element in messages: the object's kind, namespace and name, or its place in the list. */
function describe(element: unknown, index: number, forEach: CompiledForEach): string {
  if (isKubeObject(element)) {
    const { namespace, name } = element.metadata;
    const id = `${typeof namespace === 'string' && namespace !== '' ? `${namespace}/` : ''}${String(name)}`;
    return oneLine(`${typeof element.kind === 'string' ? element.kind : 'object'} ${id}`, DESCRIPTION_LENGTH);
  }
  const list = forEach.source.kind === 'list' ? `list "${forEach.source.list}"` : `resource "${forEach.source.resource}"`;
  return `element ${index + 1} of ${list}`;
}

/** The findings of several renders as one report, each finding once. */
function mergeReports(reports: readonly RenderReport[]): RenderReport {
  const key = (r: ObjectReport): string => `${r.resource}\0${r.namespace}\0${r.name}\0${r.cluster ?? ''}\0${r.reason}`;
  const unique = (entries: readonly ObjectReport[]): readonly ObjectReport[] => {
    const seen = new Map<string, ObjectReport>();
    for (const entry of entries) seen.set(key(entry), entry);
    return Object.freeze([...seen.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
  };
  return { leftOut: unique(reports.flatMap((r) => r.leftOut)), warnings: unique(reports.flatMap((r) => r.warnings)) };
}
