/**
 * The template functions of isolation:
 * - `fail_object(obj, reason)`: leaves `obj` (an object read from `resources`) out of this
 *   render, with `reason` (see index.ts for how); prints nothing. The template needs no
 *   `{% if %}` around what follows: whatever it prints from the object in this pass is
 *   thrown away with the pass.
 * - `warn_object(obj, reason)`: reports a problem with `obj` that the template handled
 *   itself (it left out a part, the object stays); prints nothing.
 * - `rejected_objects()`: the objects left out of this render, sorted by resource,
 *   namespace and name, each `{resource, kind, cluster, namespace, name, reason, text}`
 *   where `text` is "Kind namespace/name: reason" (every field one line, never the rejected
 *   value), for a comment in the output.
 * `reason` is made one line (control characters escaped) and cut to 300 characters; write
 * what is wrong, not the value.
 */
import { TemplateFailure } from '../errors.ts';
import { activePass, type PassReport } from './pass-report.ts';
import type { ObjectReport } from './index.ts';

/** What rejected_objects() gives a template for one object. */
export interface RejectedObject extends ObjectReport {
  /** "Kind namespace/name: reason" (the resource name when the object has no kind). */
  readonly text: string;
}

function pass(helper: string): PassReport {
  const report = activePass();
  if (report === undefined) throw new TemplateFailure(`${helper}() works only while informant renders a template`);
  return report;
}

function failObject(obj?: unknown, reason?: unknown): string {
  pass('fail_object').reject(obj, reason, 'fail_object');
  return '';
}

function warnObject(obj?: unknown, reason?: unknown): string {
  pass('warn_object').warn(obj, reason, 'warn_object');
  return '';
}

/** The rejected_objects() entry of a left-out object. */
export function rejectedObject(report: ObjectReport): RejectedObject {
  const id = report.namespace === '' ? report.name : `${report.namespace}/${report.name}`;
  const where = report.cluster === undefined ? id : `${report.cluster}|${id}`;
  return Object.freeze({ ...report, text: `${report.kind ?? report.resource} ${where}: ${report.reason}` });
}

function rejectedObjects(): readonly RejectedObject[] {
  const report = pass('rejected_objects');
  report.leftOutReads++;
  return report.leftOut.map(rejectedObject);
}

/** The isolation helpers by the name templates call them. */
export const ISOLATION_GLOBALS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({
  fail_object: failObject,
  warn_object: warnObject,
  rejected_objects: rejectedObjects,
});
