/**
 * nunjucks is patched by install() only: importing informant's template modules and
 * reading or attaching an error's location change nothing in nunjucks. The unit tests
 * share one process, where other files install the patches early, so the steps run in a
 * fresh process (support/install-probe.ts) that reports what changed after each.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSupportedVersion } from '../../../src/templates/nunjucks/internals.ts';

const PROBE = fileURLToPath(new URL('./support/install-probe.ts', import.meta.url));

interface ProbeReport {
  location: { file: string; line: number; col: number; message: string; sameCause: boolean } | undefined;
  unlocated: boolean;
  afterImportAndLocate: string[];
  afterInstall: string[];
  afterSecondInstall: string[];
}

describe('installing the nunjucks patches', () => {
  let report: ProbeReport;
  before(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [PROBE], { timeout: 60_000 });
    report = JSON.parse(stdout) as ProbeReport;
  });

  test('importing the template modules and locating an error before any environment exists leaves nunjucks untouched', () => {
    assert.deepEqual(report.location, { file: 'x.njk', line: 2, col: 5, message: 'boom', sameCause: true });
    assert.equal(report.unlocated, true);
    assert.deepEqual(report.afterImportAndLocate, []);
  });

  test('install() replaces exactly the compiler methods, parser error, formatter, runtime helpers and Frame.set it owns, and adds the memo tag', () => {
    assert.deepEqual(report.afterInstall, [
      'Compiler.prototype.Symbol(informant.nunjucksPatched)',
      'Compiler.prototype._compileGetTemplate',
      'Compiler.prototype._compileMacro',
      'Compiler.prototype._emitFuncBegin',
      'Compiler.prototype._emitFuncEnd',
      'Compiler.prototype._emitLoopBindings',
      'Compiler.prototype._makeCallback',
      'Compiler.prototype.compileFilter',
      'Compiler.prototype.compileFunCall',
      'Compiler.prototype.compileIs',
      'Compiler.prototype.compileLookupVal',
      'Compiler.prototype.compileMemo',
      'Compiler.prototype.compileOutput',
      'Compiler.prototype.compileRoot',
      'Frame.prototype.set',
      'Parser.prototype.error',
      'lib._prettifyError',
      'runtime.informantCallMember',
      'runtime.informantCheckOutput',
      'runtime.informantEnsureDefined',
      'runtime.informantGuardMacro',
      'runtime.informantLocateError',
      'runtime.informantMemo',
      'runtime.informantTick',
      'runtime.makeMacro',
      'runtime.memberLookup',
    ]);
  });

  test('install() again, and createEnvironment (which calls it), change nothing more', () => {
    assert.deepEqual(report.afterSecondInstall, []);
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
