/**
 * `kubectl kustomize` builds every kustomization under deploy/ (the base, `deploy/` itself
 * and each overlay), and what the HAProxy sidecar overlay builds is what its files say: one
 * ConfigMap with the overlay's config.yaml and the example's templates (which load and
 * compile together), the HAProxy container, the memory-backed certificate volume, and RBAC
 * for TLS Secrets. Needs kubectl (it ships kustomize): skipped with a message without it,
 * except under CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { checkTemplates } from '../../src/templates/index.ts';
import { findBinary, skipUnlessInstalled } from '../support/local-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const KUBECTL = findBinary('kubectl', '/usr/bin/kubectl');
/** Guard against a hung kubectl, in ms; not an assertion about speed. */
const COMMAND_TIMEOUT_MS = 60_000;

type Doc = { kind: string; metadata: { name: string }; [key: string]: any };

/** The folders under `dir` (itself included) that hold a kustomization.yaml. */
async function kustomizations(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found = entries.some((e) => e.isFile() && e.name === 'kustomization.yaml') ? [dir] : [];
  for (const entry of entries.filter((e) => e.isDirectory())) found.push(...(await kustomizations(join(dir, entry.name))));
  return found;
}

async function build(dir: string): Promise<Doc[]> {
  if (KUBECTL === undefined) throw new Error('kubectl is required to build the kustomizations (it ships kustomize): install kubectl 1.21 or later');
  const { stdout } = await promisify(execFile)(KUBECTL, ['kustomize', dir], { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Doc);
}

describe('kubectl kustomize of deploy/', { skip: skipUnlessInstalled(KUBECTL !== undefined, 'kubectl not installed: the kustomizations under deploy/ are not built') }, () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('every kustomization builds', async () => {
    const found = await kustomizations(DEPLOY);
    assert.deepEqual(found.map((dir) => relative(DEPLOY, dir) || '.').sort(), ['.', 'base', 'haproxy-sidecar']);
    for (const dir of found) {
      const docs = await build(dir);
      assert.ok(docs.some((d) => d.kind === 'Deployment' && d.metadata.name === 'informant'), `${relative(ROOT, dir)} has the Deployment`);
    }
  });

  test('the HAProxy sidecar overlay builds one ConfigMap whose config and templates load together, the sidecar and its RBAC', async () => {
    const docs = await build(join(DEPLOY, 'haproxy-sidecar'));
    const configMaps = docs.filter((d) => d.kind === 'ConfigMap');
    assert.deepEqual(configMaps.map((d) => d.metadata.name), ['informant-config'], 'the base ConfigMap, merged, under its own name');
    const data = configMaps[0]!.data as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), ['_macros.njk', '_model.njk', 'config.yaml', 'crt-list.txt.njk', 'haproxy.cfg.njk', 'tls-cert.pem.njk']);
    const dir = await mkdtemp(join(tmpdir(), 'informant-kustomized-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(data)) await writeFile(join(dir, name), content);
    const config = await loadConfig(join(dir, 'config.yaml'));
    assert.deepEqual(checkTemplates({ templates: config.templates, baseDir: config.baseDir }), []);
    assert.ok(config.templates.some((t) => t.forEach !== undefined), 'the PEM files are a for_each template');
    const pod = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec;
    assert.deepEqual(pod.containers.map((c: { name: string }) => c.name).sort(), ['haproxy', 'informant']);
    assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'certs').emptyDir.medium, 'Memory');
    const role = docs.find((d) => d.kind === 'ClusterRole')!;
    assert.ok(role.rules.some((r: { resources: string[]; verbs: string[] }) => r.resources.includes('secrets') && r.verbs.includes('get')), 'TLS Secrets are read on demand');
  });
});
