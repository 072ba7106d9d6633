/**
 * Reading config YAML: the document with positions, and its plain-data form. Everything
 * that is wrong at the YAML level (syntax, duplicate keys, keys that cannot become object
 * keys) is reported here, before the schema runs.
 */
import { LineCounter, isScalar, parseDocument, visit, type YAMLError } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors.ts';
import type { YamlSource } from './positions.ts';

/** Alias expansions allowed while converting to plain data (guards against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/** The YAML document with positions; throws ConfigError listing every YAML-level problem. */
export function parseYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((err) => yamlProblem(err, lines, file));
  const source = { doc, lines };
  if (problems.length === 0) problems.push(...keyProblems(source, file));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return source;
}

/** The document as plain values. Throws ConfigError when aliases expand too much. */
export function toPlainData(source: YamlSource, file: string): unknown {
  try {
    return source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const problem = { file, line: 1, col: 1, path: '', message: `YAML: ${(err as Error).message}` };
    throw new ConfigError(file, [problem], { cause: err });
  }
}

function yamlProblem(err: YAMLError, lines: LineCounter, file: string): ConfigProblem {
  const { line, col } = lines.linePos(err.pos[0]);
  return { file, line, col, path: '', message: `YAML: ${err.message}` };
}

/** Keys that are not plain text, and `__proto__`, which would not survive as an object key. */
function keyProblems(source: YamlSource, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(source.doc, {
    Pair(_, pair) {
      const key = pair.key;
      let message: string | undefined;
      if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) message = 'keys must be plain text, not lists or mappings';
      else if (key.value === '__proto__') message = 'the key "__proto__" is not allowed';
      if (message === undefined) return;
      const { line, col } = source.lines.linePos((key as { range?: [number] } | null)?.range?.[0] ?? 0);
      problems.push({ file, line, col, path: '', message });
    },
  });
  return problems;
}
