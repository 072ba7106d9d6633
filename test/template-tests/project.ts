/**
 * Throwaway projects for template-test tests: a config, templates, manifests and golden
 * files in a temporary folder, and the loaded Config.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.ts';

/** The head of every project's config: Services and Secrets from manifests/, four templates. */
export const CONFIG_HEAD = `watched_resources:
  services:
    api_version: v1
    kind: Service
  secrets:
    api_version: v1
    kind: Secret
    store: full
source:
  files: {path: manifests}
templates:
  list:
    path: templates/list.njk
    output: out/list.txt
    validate: ["sh", "-c", "touch validated; exit 0"]
    on_change: ["sh", "-c", "touch changed"]
  json:
    inline: "{{ resources.services.List() | to_json }}"
    output: out/services.json
  yaml:
    inline: "{{ resources.services.List() | to_yaml | safe }}"
    output: out/services.yaml
  tls:
    path: templates/tls.njk
    output: out/tls.txt
`;

/** One line per Service: namespace/name and its first port. */
const LIST = `{% for s in resources.services %}
{{ s.metadata.namespace }}/{{ s.metadata.name }} {{ s.spec.ports[0].port }}
{% endfor %}
`;

/** Fetches the Secret each Service names in its annotation; fails when it is missing. */
const TLS = `{% for s in resources.services %}
{% set name = s.metadata.annotations["tls-secret"] %}
{% if name %}
{% set found = resources.secrets.Fetch(s.metadata.namespace, name) %}
{% if found | length == 0 %}{{ fail("secret " ~ name ~ " not found") }}{% endif %}
{{ s.metadata.name }} uses {{ found[0].metadata.name }}
{% endif %}
{% endfor %}
`;

const MANIFESTS = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, annotations: {tls-secret: web-tls}}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {name: web-tls, namespace: shop}
data: {tls.crt: eA==, tls.key: eQ==}
`;

/** A project on disk and its loaded config. */
export interface Project {
  dir: string;
  config: Config;
  path(relative: string): string;
  read(relative: string): Promise<string>;
  write(relative: string, text: string): Promise<void>;
}

const created: string[] = [];

/**
 * Writes a project whose config is `options.head` (default CONFIG_HEAD) followed by `tests`
 * (the tests: section and anything after it), plus `files` (relative path → text), and
 * loads it.
 */
export async function project(tests: string, files: Record<string, string> = {}, options: { head?: string } = {}): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-template-tests-'));
  created.push(dir);
  const all: Record<string, string> = {
    'config.yaml': `${options.head ?? CONFIG_HEAD}${tests}`,
    'templates/list.njk': LIST,
    'templates/tls.njk': TLS,
    'manifests/all.yaml': MANIFESTS,
    ...files,
  };
  for (const [relative, text] of Object.entries(all)) {
    await mkdir(dirname(join(dir, relative)), { recursive: true });
    await writeFile(join(dir, relative), text);
  }
  const config = await loadConfig(join(dir, 'config.yaml'), { tests: true });
  return {
    dir,
    config,
    path: (relative) => join(dir, relative),
    read: (relative) => readFile(join(dir, relative), 'utf8'),
    write: (relative, text) => writeFile(join(dir, relative), text),
  };
}

/** Removes every project created so far. */
export async function removeProjects(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}
