/**
 * The /debug/ endpoints: store contents (with a key prefix and a JSONPath query),
 * rendered outputs, the running config and the sync state. Secret data is redacted
 * unless the backend allows it.
 *
 * A store query is bounded whatever it asks for: at most DEFAULTS.maxLimit objects, at
 * most DEFAULTS.maxAnswerBytes of JSON and DEFAULTS.maxJsonPathValues values selected by
 * `jsonpath` (whose walk stops there, so `$..*` over large objects costs no more); past a
 * bound the answer ends with `truncated` and the bound that cut it. The answer is built
 * and sent object by object (`chunks`), so the server interleaves it with other requests.
 */
import { isKubeObject, objectId, type KubeObject } from '../k8s.ts';
import { compilePath, PathError, type PathAccessor } from '../path/index.ts';
import { hasCacheControls, hasKeysOf, StoreError, type CacheControls } from '../store/index.ts';
import type { DebugBackend, DebugStore } from './types.ts';
import { maskSecretValues, redactObject } from './redact.ts';
import { withIsoTimes } from './timestamps.ts';
import { statusPage } from './status-page.ts';

/** Defaults of the debug endpoints. */
export const DEFAULTS = Object.freeze({
  /** Objects returned by one store query unless `?limit=` says otherwise: a page a person reads. */
  limit: 100,
  /** The largest `?limit=` accepted (objects): a page, not a dump of the cluster. */
  maxLimit: 1_000,
  /** JSON bytes one store query answers at most; the answer ends there, marked truncated. */
  maxAnswerBytes: 8 * 1024 * 1024,
  /** Values `?jsonpath=` selects per answer at most (over every object): bounds `..` and wildcards. */
  maxJsonPathValues: 10_000,
  /** Longest `?jsonpath=` expression accepted (characters). */
  maxJsonPathLength: 1_024,
});

/** An answer: a status, and JSON, text, or JSON text produced piece by piece (`chunks`); `allow` lists the methods of a 405. */
export interface DebugAnswer {
  status: number;
  json?: unknown;
  text?: string;
  /** The text's content type; default plain text (JSON for `json` and `chunks`). */
  contentType?: string;
  /** Headers besides the usual ones. */
  headers?: Record<string, string>;
  /** The JSON body in pieces, produced as they are pulled: the server sends and yields between them. */
  chunks?: Iterable<string>;
  allow?: string;
}

/** What the /debug/ index lists. */
const ENDPOINTS = Object.freeze({
  '/debug/stores': 'every store: type, size, sync state, objects without an index key',
  '/debug/stores/<name>?keys=a,b&key=c&jsonpath=expr&limit=n': 'the objects whose leading index keys match (repeat `key` for keys containing commas), with the index keys of each; jsonpath selects values from each',
  '/debug/stores/<name>/cache': 'the body cache of an on-demand store: hits, misses, fetches, entries...',
  'POST /debug/stores/<name>/cache/clear': 'drops every cached body of an on-demand store (bodies are fetched again when read)',
  'POST /debug/stores/<name>/cache/evict-expired': 'drops the cached bodies past cache_ttl now',
  '/debug/outputs': 'every template: output path, checksum, last result',
  '/debug/outputs/<template>': 'the last published rendering (text); ?rejected=1 for the last one validate or the write rejected; withheld for templates that read Secrets',
  '/debug/config': 'the running config, normalized',
  '/debug/sync': 'sync and watch state per resource, leadership, reload state, recent renders',
  '/debug/ui': 'a status page (HTML) of the above: resources, outputs with the diff of their last change, recent renders',
});

/** The cache actions POST accepts, by their last path segment; each returns how many entries it dropped. */
const CACHE_ACTIONS: Readonly<Record<string, (store: CacheControls) => number>> = Object.freeze({
  clear: (store) => store.clearCache(),
  'evict-expired': (store) => store.evictExpired(),
});

/** Answers GET `path` (below /debug) with `query`. */
export function debugAnswer(backend: DebugBackend, path: string, query: URLSearchParams): DebugAnswer {
  const parts = pathParts(path);
  if (!Array.isArray(parts)) return parts;
  const [, section, name, ...rest] = parts;
  if (section === 'stores' && name !== undefined && name !== '' && rest.length > 0) return storeCache(backend, name, rest, path, 'GET');
  if (rest.length > 0) return notFound(path);
  if (section === undefined || section === '') return { status: 200, json: { endpoints: ENDPOINTS } };
  if (section === 'stores') return name === undefined || name === '' ? { status: 200, json: withIsoTimes(backend.storeSummaries()) } : queryStore(backend, name, query);
  if (section === 'outputs') return name === undefined || name === '' ? { status: 200, json: withIsoTimes(backend.outputSummaries()) } : output(backend, name, query);
  if (name !== undefined) return notFound(path);
  if (section === 'config') return { status: 200, json: backend.config() };
  if (section === 'sync') return { status: 200, json: withIsoTimes(backend.sync()) };
  if (section === 'ui') return statusPage(backend);
  return notFound(path);
}

/**
 * Answers POST `path` (below /debug): the cache actions of on-demand stores. Every other
 * debug path is read-only (405).
 */
export function debugAction(backend: DebugBackend, path: string): DebugAnswer {
  const parts = pathParts(path);
  if (!Array.isArray(parts)) return parts;
  const [, section, name, ...rest] = parts;
  if (section === 'stores' && name !== undefined && name !== '' && rest.length > 0) return storeCache(backend, name, rest, path, 'POST');
  return readOnly(path);
}

function readOnly(path: string): DebugAnswer {
  return { status: 405, allow: 'GET, HEAD', json: { error: `/debug${path} is read-only; use GET (POST is for /debug/stores/<name>/cache/clear and /evict-expired)` } };
}

/** `/debug/stores/<name>/cache` (GET) and `/debug/stores/<name>/cache/<action>` (POST). */
function storeCache(backend: DebugBackend, name: string, rest: readonly string[], path: string, method: 'GET' | 'POST'): DebugAnswer {
  const [what, action, ...more] = rest;
  const act = action === undefined ? undefined : CACHE_ACTIONS[action];
  if (what !== 'cache' || more.length > 0 || (action !== undefined && act === undefined)) return notFound(path);
  if (method === 'GET' && act !== undefined) return { status: 405, allow: 'POST', json: { error: `/debug${path} changes the cache; use POST` } };
  if (method === 'POST' && act === undefined) return readOnly(path);
  const target = backend.store(name);
  if (!target) return unknownStore(backend, name);
  const store = target.store;
  if (!hasCacheControls(store)) {
    return { status: 404, json: { error: `store ${JSON.stringify(name)} keeps whole objects (store: ${target.type}): it has no cache` } };
  }
  if (act === undefined) return { status: 200, json: { store: name, cache: store.stats() } };
  const dropped = act(store);
  return { status: 200, json: { store: name, action, dropped, cache: store.stats() } };
}

/** The decoded segments of `path`, or a 400 answer for malformed percent-encoding. */
function pathParts(path: string): string[] | DebugAnswer {
  try {
    return path.split('/').map(decodeURIComponent);
  } catch {
    return badRequest(`malformed percent-encoding in ${path}`);
  }
}

function unknownStore(backend: DebugBackend, name: string): DebugAnswer {
  const known = backend.stores().map((s) => s.name).join(', ') || 'none';
  return { status: 404, json: { error: `no store named ${JSON.stringify(name)}; stores: ${known}` } };
}

function queryStore(backend: DebugBackend, name: string, query: URLSearchParams): DebugAnswer {
  const target = backend.store(name);
  if (!target) return unknownStore(backend, name);
  const keys = [...(query.get('keys')?.split(',') ?? []), ...query.getAll('key')];
  const limit = Number(query.get('limit') ?? DEFAULTS.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > DEFAULTS.maxLimit) {
    return badRequest(`limit must be a whole number from 1 to ${DEFAULTS.maxLimit}, got ${query.get('limit')}`);
  }
  const expr = query.get('jsonpath') ?? '';
  const accessor = expr === '' ? undefined : compileQuery(expr);
  if (accessor instanceof Error) return badRequest(accessor.message);
  let objects: readonly KubeObject[];
  try {
    objects = target.store.get(...keys);
  } catch (err) {
    if (err instanceof StoreError) return badRequest(`${err.message} (index_by: ${target.indexBy.join(', ')})`);
    throw err;
  }
  const listed = objects.slice(0, limit);
  const shown = listed.map((obj) => (backend.allowSecrets ? obj : redactObject(obj, target.secret)));
  const head = { store: name, indexBy: target.indexBy, keys, count: objects.length, limit, ...(accessor ? { jsonpath: expr } : indexKeysOf(target, listed)) };
  const cutByLimit = objects.length > limit;
  return { status: 200, chunks: accessor ? jsonPathAnswer(head, shown, accessor, cutByLimit) : objectsAnswer(head, shown, cutByLimit) };
}

/** The accessor of a `?jsonpath=` query, or the Error to answer 400 with. */
function compileQuery(expr: string): ReturnType<typeof compilePath> | Error {
  if (expr.length > DEFAULTS.maxJsonPathLength) return new Error(`jsonpath: longer than ${DEFAULTS.maxJsonPathLength} characters`);
  try {
    return compilePath(expr);
  } catch (err) {
    if (err instanceof PathError) return new Error(`jsonpath: ${err.message}`);
    throw err;
  }
}

/** What cut an answer short. */
type Cut = 'limit' | 'bytes' | 'values' | undefined;

/** `{...head, "objects": [...], "shown": n, "truncated": ...}`, object by object within the byte budget. */
function* objectsAnswer(head: object, objects: readonly KubeObject[], cutByLimit: boolean): Generator<string> {
  const budget = new ByteBudget(DEFAULTS.maxAnswerBytes);
  yield budget.take(`${JSON.stringify(head).slice(0, -1)},"objects":[`);
  let shown = 0;
  let cut: Cut = cutByLimit ? 'limit' : undefined;
  for (const obj of objects) {
    const text = `${shown === 0 ? '' : ','}\n${JSON.stringify(obj)}`;
    if (!budget.fits(text)) {
      cut = 'bytes';
      break;
    }
    yield budget.take(text);
    shown++;
  }
  yield closing(shown, cut);
}

/** `{...head, "results": [{id, values}...], ...}`: values selected one by one, within the value and byte budgets. */
function* jsonPathAnswer(head: object, objects: readonly KubeObject[], accessor: PathAccessor, cutByLimit: boolean): Generator<string> {
  const budget = new ByteBudget(DEFAULTS.maxAnswerBytes);
  yield budget.take(`${JSON.stringify(head).slice(0, -1)},"results":[`);
  let valuesLeft = DEFAULTS.maxJsonPathValues;
  let shown = 0;
  let cut: Cut = cutByLimit ? 'limit' : undefined;
  for (const obj of objects) {
    const values = accessor.get(obj, valuesLeft + 1);
    if (values.length > valuesLeft) cut = 'values';
    const opening = `${shown === 0 ? '' : ','}\n{"id":${JSON.stringify(objectId(obj))},"values":[`;
    if (!budget.fits(opening)) {
      cut = 'bytes';
      break;
    }
    yield budget.take(opening);
    shown++;
    const wanted = values.slice(0, valuesLeft);
    const taken = yield* valuesWithin(wanted, budget);
    valuesLeft -= taken;
    yield budget.take(']}');
    if (taken < wanted.length) cut = 'bytes';
    if (cut === 'bytes' || cut === 'values') break;
  }
  yield closing(shown, cut);
}

/** Yields the JSON of each value (comma-separated) while it fits the budget; returns how many. */
function* valuesWithin(values: readonly unknown[], budget: ByteBudget): Generator<string, number> {
  let taken = 0;
  for (const value of values) {
    const text = `${taken === 0 ? '' : ','}${JSON.stringify(value) ?? 'null'}`;
    if (!budget.fits(text)) break;
    yield budget.take(text);
    taken++;
  }
  return taken;
}

function closing(shown: number, cut: Cut): string {
  return `\n],"shown":${shown},"truncated":${cut !== undefined}${cut ? `,"truncatedBy":"${cut}"` : ''}}\n`;
}

/** Bytes an answer may still use; a little is kept for the closing. */
class ByteBudget {
  #left: number;
  constructor(bytes: number) {
    this.#left = bytes - 128;
  }

  fits(text: string): boolean {
    return text.length <= this.#left && Buffer.byteLength(text) <= this.#left;
  }

  take(text: string): string {
    this.#left -= Buffer.byteLength(text);
    return text;
  }
}

/**
 * `indexKeys`: per object shown (by identity, in the same order), the index keys the store
 * files it under, when the store can tell (several for a multi-valued index_by).
 */
function indexKeysOf(target: DebugStore, objects: readonly KubeObject[]): { indexKeys?: Array<{ id: string; keys: readonly (readonly string[])[] }> } {
  const store = target.store;
  if (!hasKeysOf(store)) return {};
  return { indexKeys: objects.map((obj) => ({ id: objectId(obj), keys: store.keysOf(obj) })) };
}

function output(backend: DebugBackend, template: string, query: URLSearchParams): DebugAnswer {
  const content = backend.output(template);
  if (!content) return { status: 404, json: { error: `no template named ${JSON.stringify(template)}` } };
  if (content.readsSecrets && !backend.allowSecrets) {
    const error = `template ${JSON.stringify(template)} reads Secret data, so its output is not shown (server.allow_secrets: true shows it)`;
    return { status: 403, json: { error } };
  }
  const rejected = query.get('rejected') === '1' || query.get('rejected') === 'true';
  const text = rejected ? content.rejected : content.current;
  if (text === undefined) {
    const what = rejected ? 'no rejected rendering' : 'nothing published by this process yet';
    return { status: 404, json: { error: `template ${JSON.stringify(template)}: ${what}` } };
  }
  // A second line of defence: Secret values in an output that read none are masked too.
  return { status: 200, text: backend.allowSecrets ? text : maskSecretValues(text, backend.secrets()) };
}

function badRequest(error: string): DebugAnswer {
  return { status: 400, json: { error } };
}

function notFound(path: string): DebugAnswer {
  return { status: 404, json: { error: `no debug endpoint ${path}; see /debug/`, endpoints: Object.keys(ENDPOINTS) } };
}
