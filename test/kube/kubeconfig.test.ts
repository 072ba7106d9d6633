import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeconfigError, loadKubeConfig, type KubeconfigEnvironment } from '../../src/kube/index.ts';
import { tempDir, writeKubeconfig } from './support/kubeconfig-file.ts';

function environment(dir: string, env: Record<string, string> = {}): KubeconfigEnvironment {
  return { env, homeDir: path.join(dir, 'home'), serviceAccountTokenPath: path.join(dir, 'no-such-token') };
}

describe('loadKubeConfig', () => {
  test('load an explicit file and use its current context', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const file = writeKubeconfig(dir, 'http://127.0.0.1:1234');
    const kc = loadKubeConfig({ kubeconfig: file }, environment(dir));
    assert.equal(kc.getCurrentCluster()?.server, 'http://127.0.0.1:1234');
  });

  test('prefer the explicit file over KUBECONFIG', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const explicit = writeKubeconfig(dir, 'http://127.0.0.1:1', { file: 'a' });
    const fromEnv = writeKubeconfig(dir, 'http://127.0.0.1:2', { file: 'b' });
    const kc = loadKubeConfig({ kubeconfig: explicit }, environment(dir, { KUBECONFIG: fromEnv }));
    assert.equal(kc.getCurrentCluster()?.server, 'http://127.0.0.1:1');
  });

  test('merge every KUBECONFIG file, the first current-context winning, and select a context from a later file', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const a = writeKubeconfig(dir, 'http://127.0.0.1:1', { file: 'a', context: 'one' });
    const b = writeKubeconfig(dir, 'http://127.0.0.1:2', { file: 'b', context: 'two' });
    const env = environment(dir, { KUBECONFIG: [a, b].join(path.delimiter) });
    assert.equal(loadKubeConfig({}, env).getCurrentCluster()?.server, 'http://127.0.0.1:1');
    assert.equal(loadKubeConfig({ context: 'two' }, env).getCurrentCluster()?.server, 'http://127.0.0.1:2');
  });

  test('fall back to ~/.kube/config', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    fs.mkdirSync(path.join(dir, 'home', '.kube'), { recursive: true });
    writeKubeconfig(path.join(dir, 'home', '.kube'), 'http://127.0.0.1:3', { file: 'config' });
    assert.equal(loadKubeConfig({}, environment(dir)).getCurrentCluster()?.server, 'http://127.0.0.1:3');
  });

  test('say where a kubeconfig can come from when there is none', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    assert.throws(() => loadKubeConfig({}, environment(dir)), (err: unknown) => {
      assert.ok(err instanceof KubeconfigError);
      assert.match(err.message, /^no kubeconfig found: pass --kubeconfig, set KUBECONFIG/);
      return true;
    });
  });

  test('name the file that cannot be read', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const missing = path.join(dir, 'missing.yaml');
    assert.throws(() => loadKubeConfig({ kubeconfig: missing }, environment(dir)), (err: unknown) => {
      assert.ok(err instanceof KubeconfigError);
      assert.ok(err.message.startsWith(`cannot load kubeconfig ${missing}: `));
      return true;
    });
  });

  test('name an unknown context and list the known ones', (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const file = writeKubeconfig(dir, 'http://127.0.0.1:1', { context: 'dev' });
    assert.throws(
      () => loadKubeConfig({ kubeconfig: file, context: 'prod' }, environment(dir)),
      (err: unknown) => err instanceof KubeconfigError && err.message === `kubeconfig ${file}: no context "prod" (known: dev)`,
    );
  });
});
