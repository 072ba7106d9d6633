/**
 * One requirement of a label selector (`app=web`, `tier in (a,b)`, `!canary`): how it
 * matches a label set and how it is written back as text. Semantics are those of
 * k8s.io/apimachinery/pkg/labels Requirement.Matches.
 */
import { compareStrings } from '../text/compare-strings.ts';

/**
 * The operators, named as Kubernetes names them (selection.Operator). `==` is parsed as
 * `=` (they are synonyms); `gt`/`lt` compare integers.
 */
export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** A parsed, validated requirement. `values` are sorted and unique. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** One value for =, !=, gt, lt; one or more for in/notin; none for exists and !. */
  readonly values: readonly string[];
}

/** The labels of an object; undefined or null means the object has none. */
export type Labels = Readonly<Record<string, string>> | undefined | null;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a base-10 64-bit integer the way Go's strconv.ParseInt does, or undefined. */
export function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/**
 * True when `labels` satisfy the requirement. `!=`, `notin` and `!` match objects that lack
 * the key; `=`, `in`, `exists`, `gt` and `lt` require it. `gt`/`lt` never match a label
 * value that is not an integer.
 */
export function requirementMatches(req: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && labels !== null && Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key]! : '';
  switch (req.operator) {
    case '=':
    case 'in':
      return has && req.values.includes(value);
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt':
      return has && compareIntegers(req.operator, value, req.values[0]!);
  }
}

function compareIntegers(operator: 'gt' | 'lt', labelValue: string, bound: string): boolean {
  const actual = parseInt64(labelValue);
  const limit = parseInt64(bound);
  if (actual === undefined || limit === undefined) return false;
  return operator === 'gt' ? actual > limit : actual < limit;
}

/** Writes the requirement in selector syntax, e.g. `tier in (a,b)`, `!canary`, `app=web`. */
export function formatRequirement(req: LabelRequirement): string {
  switch (req.operator) {
    case 'exists':
      return req.key;
    case '!':
      return `!${req.key}`;
    case 'in':
    case 'notin':
      return `${req.key} ${req.operator} (${req.values.join(',')})`;
    case 'gt':
      return `${req.key}>${req.values[0]}`;
    case 'lt':
      return `${req.key}<${req.values[0]}`;
    default:
      return `${req.key}${req.operator}${req.values[0]}`;
  }
}

/** Orders requirements by key, then operator, then values: the canonical order. */
export function compareRequirements(a: LabelRequirement, b: LabelRequirement): number {
  return compareStrings(a.key, b.key) || compareStrings(a.operator, b.operator) ||
    compareStrings(a.values.join(','), b.values.join(','));
}
