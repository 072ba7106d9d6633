/**
 * `jsonpath` checks: the output parsed as JSON or YAML (JSON is YAML 1.2, so one parser
 * reads both), and the values a path selects compared with the expected one.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { JsonPathExpectation } from '../config/types.ts';
import { compilePath } from '../path/index.ts';

/** Alias expansions allowed while parsing an output (guards against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/** The output as data: one document's value, or the list of values of several; or why it is neither JSON nor YAML. */
export function parseStructured(content: string): { data: unknown } | { error: string } {
  const docs = parseAllDocuments(content, { prettyErrors: false });
  const errors = docs.flatMap((doc) => doc.errors);
  if (errors.length > 0) return { error: `the output is not JSON or YAML: ${errors[0]!.message}` };
  try {
    const values = docs.map((doc) => doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown);
    return { data: values.length === 1 ? values[0] : values };
  } catch (err) {
    return { error: `the output is not JSON or YAML: ${(err as Error).message}` };
  }
}

/**
 * Why `data` fails `check`, or undefined when it passes. A simple path (keys and indices)
 * selects one value, compared with the expected value; any other path (wildcards,
 * slices, `..`) selects a list, compared with the expected list. Without an expected
 * value, the path must select something.
 */
export function jsonPathProblem(data: unknown, check: JsonPathExpectation): string | undefined {
  const accessor = compilePath(check.path);
  const values = accessor.get(data);
  if (check.expected === undefined) return values.length > 0 ? undefined : `${check.path} selects nothing`;
  const expected = check.expected.value;
  if (!accessor.simple) {
    return isDeepStrictEqual(values, expected) ? undefined : `${check.path} selects ${show(values)}; expected ${show(expected)}`;
  }
  if (values.length === 0) return `${check.path} selects nothing; expected ${show(expected)}`;
  return isDeepStrictEqual(values[0], expected) ? undefined : `${check.path} is ${show(values[0])}; expected ${show(expected)}`;
}

/** A value as compact JSON (undefined as "undefined"). */
function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
