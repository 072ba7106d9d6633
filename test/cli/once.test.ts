/**
 * `informant run --once`: one render into the configured outputs with validate and
 * on_change run as real child processes, then the exit code says how it went.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCliInProcess } from '../support/cli.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A project rendering the Services' ports; validate and on_change append to log.txt what they saw. */
async function project(options: { validate?: string; onChange?: string; extra?: string } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-once-'));
  dirs.push(dir);
  await writeFile(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n');
  const validate = options.validate ?? 'echo "validate $(cat "$1")" >> log.txt';
  const onChange = options.onChange ?? 'echo "on_change $INFORMANT_OUTPUT" >> log.txt';
  await writeFile(join(dir, 'config.yaml'), [
    'watched_resources:',
    '  services: {api_version: v1, kind: Service}',
    'source:',
    '  files: {path: services.yaml}',
    'templates:',
    '  ports:',
    '    inline: "{% for s in resources.services %}port {{ s.spec.ports[0].port }}{% endfor %}"',
    '    output: out/ports.txt',
    `    validate: ["sh", "-c", ${JSON.stringify(validate)}, "validate", "{{ file }}"]`,
    `    on_change: ["sh", "-c", ${JSON.stringify(onChange)}]`,
    options.extra ?? '',
  ].join('\n'));
  return dir;
}

const once = (dir: string) => runCliInProcess(['run', '--once', '--config', join(dir, 'config.yaml')]);
const read = (dir: string, file: string) => readFile(join(dir, file), 'utf8').catch(() => undefined);

describe('informant run --once', () => {
  test('renders, validates the candidate, replaces the output, runs on_change, and exits 0', async () => {
    const dir = await project();
    const result = await once(dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await read(dir, 'out/ports.txt'), 'port 80');
    assert.equal(await read(dir, 'log.txt'), `validate port 80\non_change ${join(dir, 'out/ports.txt')}\n`);
    assert.match(result.stderr, /^written: .*out\/ports\.txt$/m);
  });

  test('a second run with the same content writes nothing and runs nothing', async () => {
    const dir = await project();
    assert.equal((await once(dir)).code, 0);
    const again = await once(dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^unchanged: .*out\/ports\.txt$/m);
    assert.equal((await read(dir, 'log.txt'))?.split('\n').length, 3, 'one validate and one on_change, from the first run');
  });

  test('exits 1 and keeps the previous output when validate rejects the new one', async () => {
    const dir = await project({ validate: 'grep -q "port 80$" "$1" || { echo "bad port" >&2; exit 3; }' });
    assert.equal((await once(dir)).code, 0);
    await writeFile(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 81}]}\n');
    const rejected = await once(dir);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /validate rejected the new output; kept the previous one: .*exited with code 3: bad port/);
    assert.match(rejected.stderr, /1 of 1 template\(s\) failed; what they could not write kept its previous version\n$/);
    assert.equal(await read(dir, 'out/ports.txt'), 'port 80');
  });

  test('never starts the exec child: one render, then exit', async () => {
    const dir = await project({ extra: 'exec: {command: ["sh", "-c", "echo started >> child.txt; sleep 30"]}' });
    const result = await once(dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await read(dir, 'out/ports.txt'), 'port 80');
    assert.equal(await read(dir, 'child.txt'), undefined);
  });

  test('exits 1 when on_change fails, the new output being in place', async () => {
    const dir = await project({ onChange: 'exit 4' });
    const result = await once(dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /on_change failed after .* was replaced: .*exited with code 4/);
    assert.match(result.stderr, /1 of 1 template\(s\) failed; what they could not write kept its previous version\n$/);
    assert.equal(await read(dir, 'out/ports.txt'), 'port 80');
  });

  test('runs on_change with leader election configured: there is no election to wait for', async () => {
    const dir = await project({ extra: 'leader_election: {enabled: true}\n' });
    const result = await once(dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match((await read(dir, 'log.txt')) ?? '', /^on_change /m);
  });

  test('exits 1 without writing when the source has a problem', async () => {
    const dir = await project();
    await writeFile(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: [\n');
    const result = await once(dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /services\.yaml:\d+:\d+: .*\nnothing was written\n$/);
    assert.equal(await read(dir, 'out/ports.txt'), undefined);
  });
});
