/**
 * LabelSelector: a parsed Kubernetes label selector that matches label sets the way the
 * API server does, and writes itself back in one canonical form.
 */
import { parseLabelRequirements } from './label-parser.ts';
import {
  compareRequirements,
  formatRequirement,
  requirementMatches,
  type LabelRequirement,
  type Labels,
} from './label-requirement.ts';

/**
 * A conjunction of label requirements. Immutable. The empty selector matches everything.
 * Build it with parseLabelSelector.
 */
export class LabelSelector {
  /** Requirements in canonical order (key, operator, values), duplicates removed. */
  readonly requirements: readonly LabelRequirement[];

  constructor(requirements: readonly LabelRequirement[]) {
    this.requirements = Object.freeze(canonicalize(requirements));
  }

  /** True when the selector has no requirement and so matches every object. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** True when `labels` (an object's metadata.labels, possibly undefined) satisfy every requirement. */
  matches(labels: Labels): boolean {
    return this.requirements.every((req) => requirementMatches(req, labels));
  }

  /**
   * The canonical text: requirements sorted by key, `==` written as `=`, set values sorted
   * and unique, no whitespace except around `in`/`notin`. It parses back to an equal
   * selector, so it can be sent to the API server or compared for equality.
   */
  toString(): string {
    return this.requirements.map(formatRequirement).join(',');
  }
}

function canonicalize(requirements: readonly LabelRequirement[]): LabelRequirement[] {
  const sorted = requirements
    .map((req) => Object.freeze({ ...req, values: Object.freeze([...new Set(req.values)].sort()) }))
    .sort(compareRequirements);
  return sorted.filter((req, i) => i === 0 || compareRequirements(sorted[i - 1]!, req) !== 0);
}

/**
 * Parses a label selector in the full Kubernetes grammar (`a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated, whitespace
 * allowed between tokens). Throws a SelectorError naming the offset and what was expected.
 */
export function parseLabelSelector(text: string): LabelSelector {
  return new LabelSelector(parseLabelRequirements(text));
}
