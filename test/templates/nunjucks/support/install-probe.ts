/**
 * Run as a process of its own by install.test.ts, so that nunjucks is stock when it starts
 * (the unit tests share one process, where other files have installed the patches long
 * before). Prints, as JSON, which parts of nunjucks changed at each step.
 */
import { compiler, lib, parser, runtime } from '../../../../src/templates/nunjucks/internals.ts';

/** Every own property of the nunjucks objects the patches touch, by a readable name. */
function nunjucksParts(): Map<string, unknown> {
  const objects: Record<string, object> = {
    'Compiler.prototype': compiler.Compiler.prototype,
    'Parser.prototype': parser.Parser.prototype,
    'Frame.prototype': runtime.Frame.prototype,
    runtime,
    lib,
  };
  const parts = new Map<string, unknown>();
  for (const [label, object] of Object.entries(objects)) {
    for (const key of Reflect.ownKeys(object)) {
      parts.set(`${label}.${String(key)}`, (object as Record<PropertyKey, unknown>)[key]);
    }
  }
  return parts;
}

/** The names whose value differs between two snapshots (added, removed or replaced), sorted. */
function changed(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => !Object.is(before.get(name), after.get(name))).sort();
}

const stock = nunjucksParts();
await import('../../../../src/templates/index.ts');
const { install, locateError, templateLocation } = await import('../../../../src/templates/nunjucks/index.ts');
const cause = new Error('boom');
const located = locateError(cause, 1, 4, 'x.njk');
const location = templateLocation(located);
const unlocated = templateLocation(new Error('not located'));
const afterImportAndLocate = changed(stock, nunjucksParts());
install();
const afterInstall = changed(stock, nunjucksParts());
const installed = nunjucksParts();
const { createEnvironment } = await import('../../../../src/templates/environment.ts');
install();
createEnvironment([]);
const afterSecondInstall = changed(installed, nunjucksParts());
process.stdout.write(
  JSON.stringify({
    location: location && { file: location.file, line: location.line, col: location.col, message: location.message, sameCause: location.cause === cause },
    unlocated: unlocated === undefined,
    afterImportAndLocate,
    afterInstall,
    afterSecondInstall,
  }),
);
