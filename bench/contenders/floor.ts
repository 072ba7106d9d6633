/**
 * The floor: the same bytes informant fetches, fetched with node:http and JSON.parse'd,
 * nothing else (no validation, no stripping, no index, no store: parsed objects are pushed
 * onto an array). No Node program that parses the JSON can be faster.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { settledHeap } from '../support/heap.ts';
import type { Link } from '../support/link.ts';
import { PAGE_SIZE, type ClusterParams, type IngestParams, type IngestResult, type SyncParams, type SyncResult } from './types.ts';

interface Endpoint {
  server: string;
  headers: Record<string, string>;
  agent: http.Agent;
}

interface WatchLine {
  type: string;
  object: { metadata: { resourceVersion: string; annotations?: Record<string, string> } };
}

/** Initial sync: a streaming list read to its end bookmark, or every LIST page. */
export async function sync(params: SyncParams): Promise<SyncResult> {
  const endpoint = connect(params);
  const before = await settledHeap();
  const started = performance.now();
  const objects = params.mode === 'stream' ? await streamList(endpoint, params.path) : await listPages(endpoint, params.path);
  const ms = performance.now() - started;
  if (objects.length !== params.expected) throw new Error(`the floor parsed ${objects.length} objects, expected ${params.expected}`);
  const heapBytes = (await settledHeap()) - before;
  objects.length = 0;
  return { ms, heapBytes };
}

/** Watch ingest: watch from the current resourceVersion, say ready, parse `events` lines. */
export async function ingest(params: IngestParams, link: Link): Promise<IngestResult> {
  const endpoint = connect(params);
  const list = JSON.parse(await getText(endpoint, `${params.path}?limit=1`)) as { metadata: { resourceVersion: string } };
  const response = await get(endpoint, `${params.path}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
  let count = 0;
  let first = 0;
  let ms = 0;
  link.send({ type: 'ready' });
  await readLines(response, (line) => {
    const event = JSON.parse(line) as WatchLine;
    if (event.type !== 'MODIFIED') return true;
    count++;
    if (count === 1) first = performance.now();
    if (count < params.events) return true;
    ms = performance.now() - first;
    return false;
  });
  return { ms, events: count };
}

function connect(params: ClusterParams): Endpoint {
  return {
    server: params.server,
    headers: { Accept: 'application/json', Authorization: `Bearer ${params.token}` },
    agent: new http.Agent({ keepAlive: true }),
  };
}

async function streamList(endpoint: Endpoint, path: string): Promise<unknown[]> {
  const query = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
  const response = await get(endpoint, `${path}?${query}`);
  const objects: unknown[] = [];
  await readLines(response, (line) => {
    const event = JSON.parse(line) as WatchLine;
    if (event.type !== 'BOOKMARK') {
      objects.push(event.object);
      return true;
    }
    return event.object.metadata.annotations?.['k8s.io/initial-events-end'] !== 'true';
  });
  return objects;
}

async function listPages(endpoint: Endpoint, path: string): Promise<unknown[]> {
  const objects: unknown[] = [];
  let token = '';
  let query = `limit=${PAGE_SIZE}&resourceVersion=0`;
  do {
    const page = JSON.parse(await getText(endpoint, `${path}?${query}`)) as { items: unknown[]; metadata: { continue?: string } };
    for (const item of page.items) objects.push(item);
    token = page.metadata.continue ?? '';
    query = `limit=${PAGE_SIZE}&continue=${encodeURIComponent(token)}`;
  } while (token !== '');
  return objects;
}

function get(endpoint: Endpoint, path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(endpoint.server + path, { headers: endpoint.headers, agent: endpoint.agent }, (res) => {
      if (res.statusCode === 200) resolve(res);
      else reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
    });
    req.on('error', reject);
  });
}

async function getText(endpoint: Endpoint, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await get(endpoint, path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Calls `onLine` for each line until it returns false (then drops the response) or the body ends. */
async function readLines(response: http.IncomingMessage, onLine: (line: string) => boolean): Promise<void> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of response) {
    const text = rest + decoder.decode(chunk as Buffer, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      if (end > start && !onLine(text.slice(start, end))) {
        response.destroy();
        return;
      }
      start = end + 1;
    }
    rest = text.slice(start);
  }
}
