/**
 * Isolation: how one tenant's object is kept from breaking a whole rendering. Objects come
 * from tenants and are never trusted (see the trust model); when a template finds one it
 * cannot render safely, that object is left out of the render, as if it did not exist,
 * and the rest renders. Two things find such objects:
 *
 * - the template, through `fail_object(obj, reason)` or a validating filter given the object
 *   (`host | dns_name(ing)`), see helpers.ts and ../validators.ts;
 * - the line check of `escape: line` templates: a printed value holding a line break or
 *   another control character is traced back to the watched objects holding that value
 *   (on this failure path only), see pass-report.ts and value-search.ts.
 *
 * A render is a series of passes (see ../two-pass.ts). A pass never stops at the first bad
 * object: it records every rejection and carries on, and its output is thrown away. The
 * next pass renders with the rejected objects hidden from every view of `resources`, so
 * nothing of theirs reaches the output, and `rejected_objects()` lists them, so the template
 * can say in a comment what it left out. `warn_object(obj, reason)` reports a problem the
 * template handled itself (the object stays).
 */
import type { KubeObject } from '../../k8s.ts';

/** An object a render left out or warned about, as logs, metrics, status and templates see it. */
export interface ObjectReport {
  /** The watched resource (`resources.<name>`). */
  readonly resource: string;
  /** The object's kind, when it carries one. */
  readonly kind?: string;
  readonly cluster?: string;
  /** "" when cluster-scoped. */
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion?: string;
  /** Why, in one line; never the rejected value itself. */
  readonly reason: string;
}

/** What a render reports about objects besides its output. */
export interface RenderReport {
  /** Objects left out of the output, sorted by resource, namespace and name. */
  readonly leftOut: readonly ObjectReport[];
  /** Problems the template reported with warn_object (those objects stayed in), in the same order. */
  readonly warnings: readonly ObjectReport[];
}

/** Something a pass asks to do about one object: leave it out, or warn about it. */
export interface ObjectRequest {
  readonly obj: KubeObject;
  readonly reason: string;
}

/** A printed value that the line check refused. */
export interface UnsafeValue {
  /** The value as it would have been printed. */
  readonly text: string;
  /** The template file, and the 1-based line and column where the printed expression starts. */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The first unsafe character: its 0-based index in `text`, and its code. */
  readonly index: number;
  readonly code: number;
}

/** Limits of isolation. */
export const DEFAULTS = Object.freeze({
  /**
   * Passes that leave objects out, at most, per render. A pass finds every object the
   * template rejects, so one is the rule; another is needed only when leaving objects out
   * makes the template reject others.
   */
  maxRounds: 4,
  /** Characters of a reason kept (longer ones are cut): a reason is one line of a log or a comment. */
  maxReasonLength: 300,
});
