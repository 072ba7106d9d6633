/**
 * nunjucks is patched by install() only: importing informant's template modules and
 * reading or attaching an error's location change nothing in nunjucks. node --test runs
 * this file in a process of its own, so nunjucks is stock here until a test calls install();
 * the tests below run in order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSupportedVersion, compiler, lib, parser, runtime } from '../../../src/templates/nunjucks/internals.ts';

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

/** nunjucks as loaded, before anything of informant's but internals.ts ran. */
const stock = nunjucksParts();

describe('installing the nunjucks patches', () => {
  test('importing the template modules and locating an error before any environment exists leaves nunjucks untouched', async () => {
    await import('../../../src/templates/index.ts');
    const { locateError, templateLocation } = await import('../../../src/templates/nunjucks/index.ts');
    const cause = new Error('boom');
    const located = locateError(cause, 1, 4, 'x.njk');
    assert.deepEqual(templateLocation(located), { file: 'x.njk', line: 2, col: 5, message: 'boom', cause });
    assert.equal(templateLocation(new Error('not located')), undefined);
    assert.deepEqual(changed(stock, nunjucksParts()), []);
  });

  test('install() replaces exactly the compiler methods, parser error, formatter, runtime helpers and Frame.set it owns', async () => {
    const { install } = await import('../../../src/templates/nunjucks/index.ts');
    install();
    assert.deepEqual(changed(stock, nunjucksParts()), [
      'Compiler.prototype.Symbol(informant.nunjucksPatched)',
      'Compiler.prototype._compileGetTemplate',
      'Compiler.prototype._compileMacro',
      'Compiler.prototype._emitFuncBegin',
      'Compiler.prototype._emitFuncEnd',
      'Compiler.prototype._makeCallback',
      'Compiler.prototype.compileFilter',
      'Compiler.prototype.compileFunCall',
      'Compiler.prototype.compileIs',
      'Compiler.prototype.compileLookupVal',
      'Compiler.prototype.compileOutput',
      'Frame.prototype.set',
      'Parser.prototype.error',
      'lib._prettifyError',
      'runtime.informantCallMember',
      'runtime.informantCheckOutput',
      'runtime.informantEnsureDefined',
      'runtime.informantGuardMacro',
      'runtime.informantLocateError',
      'runtime.makeMacro',
      'runtime.memberLookup',
    ]);
  });

  test('install() again, and createEnvironment (which calls it), change nothing more', async () => {
    const { install } = await import('../../../src/templates/nunjucks/index.ts');
    const { createEnvironment } = await import('../../../src/templates/environment.ts');
    const installed = nunjucksParts();
    install();
    createEnvironment([]);
    assert.deepEqual(changed(installed, nunjucksParts()), []);
  });
});

describe('the nunjucks version', () => {
  test('a version other than the pinned one is refused, naming the expected and the installed version', () => {
    assert.doesNotThrow(() => assertSupportedVersion('3.2.4'));
    assert.throws(() => assertSupportedVersion('3.2.5'), {
      message: /patches nunjucks 3\.2\.4 internals, but nunjucks 3\.2\.5 is installed/,
    });
  });
});
