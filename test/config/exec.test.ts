import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/index.ts';

const BASE = `
watched_resources:
  services: {api_version: v1, kind: Service}
templates:
  t: {inline: "x", output: out.txt}
`;

describe('config: exec', () => {
  test('is absent unless set, and takes its defaults', () => {
    assert.equal(parseConfig(BASE).exec, undefined);
    assert.deepEqual(parseConfig(`${BASE}exec: {command: [haproxy, -W, -db, -f, haproxy.cfg]}\n`).exec, {
      command: ['haproxy', '-W', '-db', '-f', 'haproxy.cfg'],
      reloadSignal: 'SIGHUP',
      killTimeoutMs: 25_000,
      onExit: 'exit',
    });
  });

  test('reads every key', () => {
    const exec = parseConfig(`${BASE}exec: {command: [proxy], reload_command: [proxy, reload], kill_signal: SIGUSR1, kill_timeout: 5s, on_exit: restart}\n`).exec;
    assert.deepEqual(exec, { command: ['proxy'], reloadSignal: 'SIGHUP', reloadCommand: ['proxy', 'reload'], killSignal: 'SIGUSR1', killTimeoutMs: 5_000, onExit: 'restart' });
  });

  const invalid: Array<[string, RegExp]> = [
    ['exec: {}', /exec\.command/],
    ['exec: {command: [proxy], reload_signal: SIGFOO}', /exec\.reload_signal.*SIGFOO/s],
    ['exec: {command: [proxy], reload_signal: SIGUSR2, reload_command: [x]}', /exec\.reload_command.*either reload_signal or reload_command/s],
    ['exec: {command: [proxy], reload_signal: SIGKILL}', /exec\.reload_signal.*SIGKILL/s],
    ['exec: {command: [proxy], on_exit: ignore}', /exec\.on_exit/],
    ['exec: {command: [proxy], kill_timeout: 0s}', /exec\.kill_timeout/],
    ['exec: {command: [proxy], extra: 1}', /exec\.extra|extra/],
  ];
  for (const [yaml, message] of invalid) {
    test(`rejects ${yaml}`, () => {
      assert.throws(() => parseConfig(`${BASE}${yaml}\n`), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }
});
