/**
 * What the tests of deploy/ share: its folders, reading manifests, kubectl for
 * `kubectl kustomize`, a ConfigMap's files written out as a mounted folder and loaded, and
 * whether this build of informant knows the `exec` key (the haproxy-exec component needs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { findBinary } from './local-server.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');
export const KUBECTL = findBinary('kubectl', '/usr/bin/kubectl');
/** Guard against a hung kubectl, in ms; not an assertion about speed. */
const COMMAND_TIMEOUT_MS = 60_000;

export type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

/** The documents of a YAML file, each checked to parse. */
export async function docs(file: string): Promise<Doc[]> {
  return parseAllDocuments(await readFile(file, 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, [], `${relative(ROOT, file)} parses`);
    return doc.toJS() as Doc;
  });
}

/** `kubectl kustomize dir`, parsed. */
export async function build(dir: string): Promise<Doc[]> {
  if (KUBECTL === undefined) throw new Error('kubectl is required to build the kustomizations (it ships kustomize): install kubectl 1.21 or later (.ci/kubectl.sh does)');
  const { stdout } = await promisify(execFile)(KUBECTL, ['kustomize', dir], { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Doc);
}

/** Writes a ConfigMap's files into a new folder under `dirs` (as the Pod mounts them) and loads its config.yaml. */
export async function mountConfigMap(configMap: Doc, dirs: string[]): Promise<{ dir: string; config: Config }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-deploy-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(configMap.data as Record<string, string>)) await writeFile(join(dir, name), content);
  return { dir, config: await loadConfig(join(dir, 'config.yaml')) };
}

/** The container `name` of a Deployment (or of a patch of one). */
export function container(deployment: Doc, name: string): any {
  const found = deployment.spec.template.spec.containers.find((c: { name: string }) => c.name === name);
  assert.ok(found, `a ${name} container`);
  return found;
}
