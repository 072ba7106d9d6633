import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'informant-kube-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a kubeconfig for `server` with a bearer token; returns its path. */
export function writeKubeconfig(dir: string, server: string, options: { token?: string; context?: string; file?: string } = {}): string {
  const context = options.context ?? 'test';
  const file = path.join(dir, options.file ?? 'kubeconfig');
  fs.writeFileSync(file, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${context}-cluster`,
    `  cluster: {server: "${server}"}`,
    'users:',
    `- name: ${context}-user`,
    `  user: {token: "${options.token ?? 'secret-token'}"}`,
    'contexts:',
    `- name: ${context}`,
    `  context: {cluster: ${context}-cluster, user: ${context}-user}`,
    `current-context: ${context}`,
    '',
  ].join('\n'));
  return file;
}
