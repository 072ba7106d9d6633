/**
 * PassReport: what one render pass found about objects (rejections, warnings, printed values
 * the line check refused), and the pass that is running now. Template helpers and filters
 * are called by nunjucks with no handle on the render they belong to, but a pass is one
 * synchronous nunjucks call: {@link runPass} makes its report the active one for exactly
 * that call, and the helpers read it with {@link activePass}.
 */
import type { KubeObject } from '../../k8s.ts';
import { isSafeString, setOutputCheck } from '../nunjucks/index.ts';
import { isPlaceholder } from '../placeholder.ts';
import { firstUnsafe, oneLine, UNSAFE_CHARACTER } from '../unsafe-text.ts';
import { DEFAULTS, type ObjectReport, type ObjectRequest, type UnsafeValue } from './index.ts';

/** Which watched resources hold `obj` (an object a template read); empty when none does. */
export type OwnerLookup = (obj: KubeObject) => readonly string[];

/** A helper was given something that is not one of the watched objects. */
export class NotAWatchedObjectError extends Error {
  override readonly name = 'NotAWatchedObjectError';
}

/** The findings of one pass. */
export class PassReport {
  /** Printed values are checked for line breaks and control characters (escape: line). */
  readonly lineMode: boolean;
  /** The objects left out before this pass, as `rejected_objects()` returns them. */
  readonly leftOut: readonly ObjectReport[];
  readonly rejections: ObjectRequest[] = [];
  readonly warnings: ObjectRequest[] = [];
  readonly unsafeValues: UnsafeValue[] = [];
  /** Calls of `rejected_objects()` in this pass (a memo block that calls it is not cached). */
  leftOutReads = 0;
  readonly #owners: OwnerLookup;

  constructor(options: { lineMode: boolean; leftOut: readonly ObjectReport[]; owners: OwnerLookup }) {
    this.lineMode = options.lineMode;
    this.leftOut = options.leftOut;
    this.#owners = options.owners;
  }

  /** Asks to leave `obj` out (a placeholder, an object not loaded yet, is ignored). */
  reject(obj: unknown, reason: unknown, helper: string): void {
    const request = this.#request(obj, reason, helper);
    if (request !== undefined) this.rejections.push(request);
  }

  /** Reports a problem with `obj`, which stays in. */
  warn(obj: unknown, reason: unknown, helper: string): void {
    const request = this.#request(obj, reason, helper);
    if (request !== undefined) this.warnings.push(request);
  }

  /** Records a printed value the line check refused. */
  refuse(text: string, file: string, line: number, col: number): void {
    const at = firstUnsafe(text);
    if (at !== undefined) this.unsafeValues.push({ text, file, line, col, index: at.index, code: at.code });
  }

  #request(obj: unknown, reason: unknown, helper: string): ObjectRequest | undefined {
    if (isPlaceholder(obj)) return undefined;
    const text = oneLine(reason === undefined || reason === null ? 'no reason given' : String(reason), DEFAULTS.maxReasonLength);
    if (obj !== null && typeof obj === 'object' && this.#owners(obj as KubeObject).length > 0) {
      return { obj: obj as KubeObject, reason: text };
    }
    const what = obj === null || obj === undefined ? `got ${obj}` : 'the object is not one of the watched objects';
    throw new NotAWatchedObjectError(`${helper}: ${what} (pass an object read from resources, e.g. the Ingress of a loop)`);
  }
}

let active: PassReport | undefined;

/** The report of the pass running now; undefined outside a render pass. */
export function activePass(): PassReport | undefined {
  return active;
}

/**
 * Runs `render` (one synchronous nunjucks render) with `report` as the active pass, and
 * with the line check on when the report says so; restores what was active before.
 */
export function runPass<T>(report: PassReport, render: () => T): T {
  const previous = active;
  const previousCheck = setOutputCheck(report.lineMode ? lineCheck : undefined);
  active = report;
  try {
    return render();
  } finally {
    active = previous;
    setOutputCheck(previousCheck);
  }
}

/**
 * The line check: a printed value that holds a line break or another control character
 * (see unsafe-text.ts) is recorded and printed as nothing; the pass carries on, so one pass
 * finds every such value. SafeStrings (`| safe`, macro output) pass, as do numbers and
 * booleans; other objects are checked as the text they print as.
 */
function lineCheck(value: unknown, file: string, line: number, col: number): unknown {
  let text: string;
  if (typeof value === 'string') {
    if (!UNSAFE_CHARACTER.test(value)) return value;
    text = value;
  } else if (value === null || typeof value !== 'object' || isSafeString(value)) {
    return value;
  } else {
    text = String(value);
    if (!UNSAFE_CHARACTER.test(text)) return value;
  }
  active?.refuse(text, file, line, col);
  return '';
}
