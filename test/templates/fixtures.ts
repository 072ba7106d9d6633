/**
 * Test fixtures for the templates stage: a few Ingresses and Services in MemoryStores,
 * template files in a temporary folder, and a one-call render helper.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TemplateConfig } from '../../src/config/types.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { Store } from '../../src/store/index.ts';
import { createRenderer, RenderError, type Renderer } from '../../src/templates/index.ts';

function ingress(namespace: string, name: string, host: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name, labels: { app: name } },
    spec: { rules: [{ host }] },
  };
}

function service(namespace: string, name: string, port: number, app: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name, labels: { app } },
    spec: { ports: [{ port }] },
  };
}

/** Stores indexed by [namespace, name], filled in an order that is not the sorted one. */
export function sampleStores(): Map<string, Store> {
  const ingresses = new MemoryStore({ name: 'ingresses', keyCount: 2 });
  for (const obj of [
    ingress('prod', 'shop', 'shop.example.com'),
    ingress('default', 'web', 'web.example.com'),
    ingress('default', 'api', 'api.example.com'),
  ]) {
    ingresses.add(obj, [obj.metadata.namespace!, obj.metadata.name]);
  }
  const services = new MemoryStore({ name: 'services', keyCount: 2 });
  for (const obj of [
    service('prod', 'web', 8080, 'web'),
    service('default', 'web', 80, 'web'),
    service('default', 'api', 9000, 'api'),
  ]) {
    services.add(obj, [obj.metadata.namespace!, obj.metadata.name]);
  }
  return new Map<string, Store>([
    ['ingresses', ingresses],
    ['services', services],
  ]);
}

/** A temporary folder for template files; remove it with `cleanup`. */
export class TemplateDir {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<TemplateDir> {
    return new TemplateDir(await mkdtemp(path.join(os.tmpdir(), 'informant-templates-')));
  }

  /** Writes `files` (relative name → content) and returns the folder. */
  async write(files: Record<string, string>): Promise<string> {
    for (const [name, content] of Object.entries(files)) {
      const file = this.path(name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    return this.dir;
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** A template config for the file `name` (the template is called `name` too). */
  fileTemplate(name: string): TemplateConfig {
    return { name, path: this.path(name), output: this.path(`${name}.out`), mode: 0o644 };
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Writes `files`, builds a renderer for the template file `main` (default "main.njk")
 * over `stores` (default sampleStores()) and renders it.
 */
export async function renderFiles(
  dir: TemplateDir,
  files: Record<string, string>,
  options: { main?: string; stores?: Map<string, Store> } = {},
): Promise<string> {
  const main = options.main ?? 'main.njk';
  await dir.write(files);
  const renderer = createRenderer({ templates: [dir.fileTemplate(main)], stores: options.stores ?? sampleStores() });
  return renderer.render(main);
}

/** Renders like renderFiles and returns the RenderError it must fail with. */
export async function renderError(
  dir: TemplateDir,
  files: Record<string, string>,
  options: { main?: string; stores?: Map<string, Store> } = {},
): Promise<RenderError> {
  try {
    const output = await renderFiles(dir, files, options);
    throw new Error(`expected a RenderError, but the template rendered: ${JSON.stringify(output)}`);
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
}

/** A renderer for inline templates (name → text) over `stores` (default sampleStores()). */
export function inlineRenderer(
  templates: Record<string, string>,
  options: { baseDir?: string; stores?: Map<string, Store>; timeoutMs?: number } = {},
): Renderer {
  const configs: TemplateConfig[] = Object.entries(templates).map(([name, inline]) => ({
    name,
    inline,
    output: `/nonexistent/${name}`,
    mode: 0o644,
  }));
  const stores = options.stores ?? sampleStores();
  return createRenderer({
    templates: configs,
    stores,
    ...(options.baseDir ? { baseDir: options.baseDir } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** Renders one inline template over `stores` (default sampleStores()). */
export function renderInline(text: string, stores?: Map<string, Store>): Promise<string> {
  return inlineRenderer({ t: text }, stores ? { stores } : {}).render('t');
}

/** Renders one inline template that must fail; returns its RenderError. */
export async function inlineError(text: string, stores?: Map<string, Store>): Promise<RenderError> {
  try {
    const output = await renderInline(text, stores);
    throw new Error(`expected a RenderError, but the template rendered: ${JSON.stringify(output)}`);
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
}
