/**
 * How messages name a value a file holds where something else was expected: the config,
 * test files and manifests say it the same way.
 */

/** What a YAML value is, for messages: "a string ("x")", "a number (3)", "a list", "a mapping", "null". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value)})`;
  return `a ${typeof value} (${String(value)})`;
}
