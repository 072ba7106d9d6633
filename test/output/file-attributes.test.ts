import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TemplateConfig } from '../../src/config/types.ts';
import { FileAttributes, modeFor, OwnerError, resolveOwner } from '../../src/output/file-attributes.ts';
import { TemplateOutput } from '../../src/output/template-output.ts';
import { capturedLogger } from '../support/captured-log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { CERT_A } from '../support/tls-fixtures.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-attributes-'));
  dirs.push(dir);
  return dir;
}

/** Account files listing one user (haproxy, 105) and one group (certs, 2000). */
async function accounts(dir: string) {
  const passwd = join(dir, 'passwd');
  const group = join(dir, 'group');
  await writeFile(passwd, 'root:x:0:0:root:/root:/bin/sh\nhaproxy:x:105:110::/var/lib/haproxy:/usr/sbin/nologin\n');
  await writeFile(group, 'root:x:0:\ncerts:x:2000:haproxy\n');
  return { passwd, group };
}

/** A chown that records its calls and fails like an unprivileged process when `refuse` is set. */
function recordingChown(refuse = false) {
  const calls: Array<[string, number, number]> = [];
  const chown = async (path: string, uid: number, gid: number): Promise<void> => {
    calls.push([path, uid, gid]);
    if (refuse) throw Object.assign(new Error(`EPERM: operation not permitted, chown '${path}'`), { code: 'EPERM' });
  };
  return { calls, chown };
}

const template = (extras: Partial<TemplateConfig> = {}): TemplateConfig => ({ name: 'certs', output: '/nonexistent/out', mode: 0o644, ...extras });

describe('file mode and owner', () => {
  test('a file holding a private key is never written readable by others, whatever the configured mode', () => {
    const pem = `${CERT_A.cert}${CERT_A.key}`;
    assert.equal(modeFor(0o644, pem), 0o640);
    assert.equal(modeFor(0o666, '-----BEGIN RSA PRIVATE KEY-----\n'), 0o660);
    assert.equal(modeFor(0o600, pem), 0o600);
    assert.equal(modeFor(0o644, CERT_A.cert), 0o644, 'a certificate alone is public');
  });

  test('names are looked up in the account files; numeric ids are taken as they are', async () => {
    const files = await accounts(await folder());
    assert.deepEqual(await resolveOwner({ user: 'haproxy', group: 'certs' }, files), { uid: 105, gid: 2000 });
    assert.deepEqual(await resolveOwner({ group: 7 }, files), { uid: -1, gid: 7 });
    await assert.rejects(resolveOwner({ user: 'nobody-here' }, files), (err: unknown) => {
      assert.ok(err instanceof OwnerError);
      assert.match(err.message, /^no user named "nobody-here" in .*passwd \(use a numeric id, or a name that file lists\)$/);
      return true;
    });
  });

  test('an owner the process may not set is warned about once, and the file keeps its mode', async () => {
    const dir = await folder();
    const { calls, chown } = recordingChown(true);
    const log = capturedLogger();
    const attributes = new FileAttributes(template({ owner: { user: 105, group: 2000 } }), log.logger, { chown, accounts: await accounts(dir) });
    for (const name of ['a', 'b']) {
      await writeFile(join(dir, name), 'x');
      await attributes.own(join(dir, name));
    }
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0]?.slice(1), [105, 2000]);
    assert.equal(log.warnings().length, 1);
    assert.match(log.warnings()[0]!.msg, /^cannot give .*\/a the owner 105:2000: not permitted \(this process runs as uid \d+, gid \d+, and changing a file's owner needs root or CAP_CHOWN\); the file keeps the process's owner, with mode 0644$/);
  });

  test('a TemplateOutput sets mode and owner on the candidate, and corrects an unchanged file once', async () => {
    const dir = await folder();
    const output = join(dir, 'tls.pem');
    const { calls, chown } = recordingChown();
    const log = capturedLogger();
    const settings = {
      template: template({ name: 'pem', output, mode: 0o644, owner: { user: 'haproxy', group: 'certs' } }),
      clock: new FakeClock(),
      logger: log.logger,
      runCommands: true,
      commandTimeoutMs: 10_000,
      cwd: dir,
      attributes: { chown, accounts: await accounts(dir) },
    };
    const pem = `${CERT_A.cert}${CERT_A.key}`;
    assert.equal((await new TemplateOutput(settings).write(pem)).status, 'written');
    assert.equal((await stat(output)).mode & 0o777, 0o640);
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]![0]), /\/\.tls\.pem\.[0-9a-f]+\.candidate$/, 'the owner is set on the candidate, before the file appears');
    assert.deepEqual(calls[0]!.slice(1), [105, 2000]);
    assert.match(log.warnings()[0]!.msg, /tls\.pem holds a private key: written with mode 0640 instead of 0644/);
    await chmod(output, 0o666);
    const restarted = new TemplateOutput(settings);
    assert.equal((await restarted.write(pem)).status, 'unchanged');
    assert.equal((await stat(output)).mode & 0o777, 0o640, 'a wrong mode is corrected without rewriting');
    assert.deepEqual(calls.at(-1), [output, 105, 2000]);
    await chmod(output, 0o666);
    await restarted.write(pem);
    assert.equal((await stat(output)).mode & 0o777, 0o666, 'checked once per config version, not on every render');
  });
});
