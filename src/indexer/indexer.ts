/**
 * Indexer: the WatchSink of one watched resource. Strips remove_fields, extracts the index
 * key and writes into the resource's store through the IndexSink it declares.
 */
import type { WatchedResourceConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import type { Logger } from '../log.ts';
import type { WatchSink } from '../watcher/index.ts';
import { IndexerError } from './error.ts';
import { KeyExtractor, isKeyProblem, type KeyProblem } from './index-key.ts';
import { MissingKeys } from './missing-keys.ts';
import { FieldStripper } from './strip.ts';
import type { IndexKeys, IndexerStats, IndexSink } from './types.ts';

export interface IndexerOptions {
  /** The watched resource: its name, index_by and effective remove_fields. */
  resource: WatchedResourceConfig;
  /** Where objects go (the resource's store); its keyCount must equal index_by's length. */
  store: IndexSink;
  /**
   * The indexer logs through a child with `component: 'indexer'` and `resource` bound (a
   * logger that already has exactly those bindings is used as it is).
   */
  logger: Logger;
  /**
   * Called after a call that changed the store's contents (its modCount moved) and on
   * every synced(). Synchronous; an exception it throws is logged, never passed back to
   * the source.
   */
  onChange?: () => void;
}

/**
 * Feeds one store from one source. For every object it:
 * 1. strips remove_fields by copy-on-strip (see FieldStripper): the contents of the object
 *    the source handed over are never changed; only the containers on the path to a
 *    removed field are copied, everything else is shared, and nothing is allocated when no
 *    such field is present. The store then owns what it is given and freezes it before it
 *    first returns it, so subtrees shared with the source's object end up frozen: as the
 *    WatchSink contract says, a source must not touch an object after handing it over.
 * 2. extracts the index keys from the stripped object: a simple path must yield exactly
 *    one string, number or boolean; a multi-valued expression (`spec.rules[*].host`) at
 *    least one, and the object is filed under every combination (see KeyExtractor). An
 *    object without a key is not stored (a stored older version is removed); it is
 *    counted and logged once per identity and listed in stats() until a later version has
 *    a key or it is deleted.
 * 3. writes into the store: add/update upsert, delete removes that object only, replace
 *    reconciles the whole set.
 * Expressions are compiled once, in the constructor.
 */
export class Indexer implements WatchSink {
  /** The watched resource's name. */
  readonly name: string;
  readonly #store: IndexSink;
  readonly #logger: Logger;
  readonly #onChange: (() => void) | undefined;
  readonly #stripper: FieldStripper;
  readonly #keys: KeyExtractor;
  readonly #missing: MissingKeys;
  #synced = false;

  /** Throws IndexerError when an expression does not compile or the store's keyCount differs. */
  constructor(options: IndexerOptions) {
    const { resource, store } = options;
    this.name = resource.name;
    this.#store = store;
    this.#onChange = options.onChange;
    this.#logger = componentLogger(options.logger, resource.name);
    this.#stripper = compile(resource, 'remove_fields', () => new FieldStripper(resource.removeFields));
    this.#keys = compile(resource, 'index_by', () => new KeyExtractor(resource.indexBy));
    if (store.keyCount !== resource.indexBy.length) {
      throw new IndexerError(
        `watched resource "${resource.name}": its store has ${store.keyCount} index keys ` +
          `but index_by has ${resource.indexBy.length}`,
        { resource: resource.name },
      );
    }
    this.#missing = new MissingKeys(resource.name, this.#logger);
  }

  /** True once synced() was called: the initial list has been delivered. */
  get isSynced(): boolean {
    return this.#synced;
  }

  add(obj: KubeObject): void {
    const before = this.#store.modCount;
    this.#upsert(obj);
    this.#notifyIfChanged(before);
  }

  update(obj: KubeObject): void {
    const before = this.#store.modCount;
    this.#upsert(obj);
    this.#notifyIfChanged(before);
  }

  delete(obj: KubeObject): void {
    const before = this.#store.modCount;
    this.#missing.forget(obj);
    this.#store.delete(obj);
    this.#notifyIfChanged(before);
  }

  replace(objs: KubeObject[]): void {
    const before = this.#store.modCount;
    const entries: Array<{ obj: KubeObject; key: IndexKeys }> = [];
    const problems: Array<{ obj: KubeObject; problem: KeyProblem }> = [];
    for (const obj of objs) {
      const stripped = this.#stripper.strip(obj);
      const key = this.#keys.extract(stripped);
      if (isKeyProblem(key)) problems.push({ obj, problem: key });
      else entries.push({ obj: stripped, key });
    }
    this.#store.replace(entries);
    this.#missing.reset(problems);
    this.#notifyIfChanged(before);
  }

  synced(): void {
    this.#synced = true;
    this.#notify();
  }

  /** `obj` without remove_fields (copy-on-strip: `obj` itself when none is present). Stripping it again changes nothing. */
  kept(obj: KubeObject): KubeObject {
    return this.#stripper.strip(obj);
  }

  /** The index_by expressions that may select several values (each value files the object once more). */
  get multiValued(): readonly string[] {
    return this.#keys.multiValued;
  }

  /** Objects left out for lack of an index key: a running count and the current set. */
  stats(): IndexerStats {
    return this.#missing.stats();
  }

  #upsert(obj: KubeObject): void {
    const stripped = this.#stripper.strip(obj);
    const key = this.#keys.extract(stripped);
    if (isKeyProblem(key)) {
      this.#missing.record(obj, key);
      this.#store.delete(identityStub(obj));
      return;
    }
    this.#missing.forget(obj);
    this.#store.update(stripped, key);
  }

  #notifyIfChanged(before: number): void {
    if (this.#store.modCount !== before) this.#notify();
  }

  #notify(): void {
    if (this.#onChange === undefined) return;
    try {
      this.#onChange();
    } catch (err) {
      this.#logger.error({ err }, `watched resource "${this.name}": the onChange callback failed`);
    }
  }
}

/**
 * Just the identity of `obj` (cluster, namespace, name), without uid: removing whatever
 * version is stored under this identity, including an older incarnation, when the new one
 * has no key.
 */
function identityStub(obj: KubeObject): KubeObject {
  const { cluster, namespace, name } = obj.metadata;
  const metadata: KubeObject['metadata'] = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (cluster !== undefined) metadata.cluster = cluster;
  return { metadata };
}

function compile<T>(resource: WatchedResourceConfig, option: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    throw new IndexerError(`watched resource "${resource.name}": ${option}: ${(err as Error).message}`, {
      resource: resource.name,
      cause: err,
    });
  }
}

/** `logger` with component and resource bound, without binding them twice. */
function componentLogger(logger: Logger, resource: string): Logger {
  const bound = logger.bindings();
  if (bound.component === 'indexer' && bound.resource === resource) return logger;
  return logger.child({ component: 'indexer', resource });
}
