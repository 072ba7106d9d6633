/**
 * The npm package as users get it: `npm pack` (whose prepack builds dist/) in a copy of
 * the source tree, the tarball installed into a temporary project with `npm ci --offline`,
 * then the installed `informant` command and library are used from there.
 *
 * Offline on purpose: the install takes every dependency from npm's cache, at the versions
 * of this repository's package-lock.json (the temporary project's lockfile is made from
 * it), so the test never depends on the network or on what the registry publishes later.
 * `npm ci` fills that cache (CI runs it first); when the cache lacks a package the test is
 * skipped with the reason, and fails under CI=true.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCliInProcess, runProgram, type CliResult } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the package is built from: everything else of the tree stays out of the copy. */
const SOURCES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin', 'docs', 'README.md', 'LICENSE'];
const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** Runs a program to completion with node of this test first on PATH (npm scripts run `node`). */
function run(command: string, args: string[], cwd: string): Promise<CliResult> {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
  return runProgram(command, args, { cwd, env });
}

let work: string;
let app: string;
let packed: { files: Array<{ path: string }> };
let skipReason: string | undefined;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'informant-pack-'));
  const stage = join(work, 'stage');
  await mkdir(stage);
  for (const entry of SOURCES) await cp(join(ROOT, entry), join(stage, entry), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', work], stage);
  assert.equal(pack.code, 0, `npm pack failed:\n${pack.stderr}`);
  packed = (JSON.parse(pack.stdout) as Array<typeof packed>)[0]!;
  app = join(work, 'app');
  await mkdir(app);
  const tarball = `file:../${manifest.name}-${manifest.version}.tgz`;
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { [manifest.name]: tarball } }));
  await writeFile(join(app, 'package-lock.json'), JSON.stringify(await appLockfile(tarball)));
  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  if (install.code !== 0 && /ENOTCACHED/.test(install.stderr) && process.env.CI !== 'true') {
    skipReason = `npm's cache lacks a dependency (run \`npm ci\` online once): ${/request to (\S+)/.exec(install.stderr)?.[1] ?? install.stderr}`;
    return;
  }
  assert.equal(install.code, 0, `npm ci --offline failed:\n${install.stderr}`);
}, { timeout: 300_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * The lockfile of a project that depends on the tarball: the tarball, and this
 * repository's locked production dependencies in the same places of node_modules.
 */
async function appLockfile(tarball: string): Promise<object> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; [key: string]: unknown }> };
  const self = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { [manifest.name]: tarball } },
    [`node_modules/${manifest.name}`]: { version: manifest.version, resolved: tarball, license: self.license, dependencies: self.dependencies, bin: self.bin, engines: self.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

/** Skips the test (with the reason) when the install could not run offline. */
function needsInstall(t: { skip(message: string): void }): boolean {
  if (skipReason !== undefined) t.skip(skipReason);
  return skipReason === undefined;
}

describe('the npm package', () => {
  test('holds the built code with its types, the command, the license and the config schema; no sources, tests or maps', () => {
    const files = packed.files.map((f) => f.path);
    for (const file of ['package.json', 'LICENSE', 'README.md', 'bin/informant.js', 'bin/check-node.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'docs/config.schema.json']) {
      assert.ok(files.includes(file), `${file} is in the package`);
    }
    const stray = files.filter((f) => /^(src|test|bench|examples|deploy|scripts|\.ci)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(stray, []);
  });

  test('an installed copy runs informant --version and renders as the source tree does', async (t) => {
    if (!needsInstall(t)) return;
    const bin = join(app, 'node_modules', '.bin', 'informant');
    const version = await run(bin, ['--version'], app);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `${manifest.version}\n`);
    const config = join(ROOT, 'examples', 'config.yaml');
    const installed = await run(bin, ['render', '--config', config, '--out', '-'], app);
    assert.equal(installed.code, 0, installed.stderr);
    assert.doesNotMatch(installed.stderr, /ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/);
    const fromSources = await runCliInProcess(['render', '--config', config, '--out', '-']);
    assert.equal(installed.stdout, fromSources.stdout);
    assert.match(installed.stdout, /^frontend /m);
  });

  test('the library renders from objects, and its types check in a TypeScript project', async (t) => {
    if (!needsInstall(t)) return;
    const consumer = [
      "import { buildStores, parseConfig, renderTemplates, VERSION, type Config, type KubeObject } from 'informant';",
      "const config: Config = parseConfig('watched_resources:\\n  services: {api_version: v1, kind: Service}\\ntemplates:\\n  names: {inline: \"{% for s in resources.services %}{{ s.metadata.name }};{% endfor %}\", output: out.txt}\\n');",
      "const objects: KubeObject[] = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } }];",
      'const outputs = await renderTemplates(config, await buildStores(config, objects));',
      "const names = outputs.get('names');",
      "process.stdout.write(`${VERSION} ${names?.ok ? names.content : 'failed'}`);",
      '',
    ].join('\n');
    await writeFile(join(app, 'consumer.ts'), consumer);
    const tsconfig = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', strict: true, noEmit: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] }, files: ['consumer.ts'] };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const typecheck = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app);
    assert.equal(typecheck.code, 0, typecheck.stdout + typecheck.stderr);
    const rendered = await run(process.execPath, ['consumer.ts'], app);
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.equal(rendered.stdout, `${manifest.version} web;`);
  });

  test('exposes only its entry points: a deep import is refused by the exports map', async (t) => {
    if (!needsInstall(t)) return;
    const deep = await run(process.execPath, ['--input-type=module', '-e', "await import('informant/dist/cli/main.js')"], app);
    assert.notEqual(deep.code, 0);
    assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
    const schema = await run(process.execPath, ['--input-type=module', '-e', "import s from 'informant/config.schema.json' with { type: 'json' }; console.log(s.title)"], app);
    assert.equal(schema.stdout.trim(), 'informant config', schema.stderr);
  });
});
