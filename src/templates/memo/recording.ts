/**
 * What a memo block read, recorded as it runs, and the check that it still reads the same.
 * A block reads the watched resources through a recording `resources`:
 * - `Get`, `Fetch` and `GetSingle` record the call and the objects it returned (none is an
 *   answer too: a lookup that found nothing is invalidated when the object appears);
 * - anything else (iterating, `List()`, `length`, indexing, `InCluster`, `Clusters`) records
 *   the view of the whole resource, which is rebuilt whenever its store changes.
 * A dependency holds when asking the current pass's views again gives the same objects
 * (by identity: stores replace an object on every change and never change one in place).
 * Asking again goes through the render's own views, so the render's trace hears the
 * resources and on-demand objects a reused result read, as if the block had run.
 */
import { isPlaceholder, LIST_PLACEHOLDER } from '../placeholder.ts';
import type { Resources, ResourceView } from '../resources.ts';

/** One thing a block read. */
export type Dependency =
  | { readonly kind: 'call'; readonly resource: string; readonly method: LookupMethod; readonly args: readonly unknown[]; readonly answer: unknown }
  | { readonly kind: 'whole'; readonly resource: string; readonly view: ResourceView };

type LookupMethod = 'Get' | 'Fetch' | 'GetSingle';

const LOOKUPS: ReadonlySet<PropertyKey> = new Set(['Get', 'Fetch', 'GetSingle']);

/** What one running block has read so far. */
export class Recorder {
  readonly dependencies: Dependency[] = [];
  /** Read an object that is not loaded yet (the pass will be rendered again): do not cache. */
  sawPlaceholder = false;

  add(dependency: Dependency): void {
    this.dependencies.push(dependency);
  }

  /** Adds what a nested block read (it is read by this block too). */
  addAll(dependencies: readonly Dependency[]): void {
    for (const dependency of dependencies) this.dependencies.push(dependency);
  }
}

/** `resources` for a block: the pass's views, recording every read into `recorder`. */
export function recordingResources(resources: Resources, recorder: Recorder): Resources {
  const views = new Map<string, ResourceView>();
  return new Proxy(resources, {
    get(target, prop, receiver): unknown {
      const view = Reflect.get(target, prop, receiver) as ResourceView;
      if (typeof prop !== 'string' || !Array.isArray(view)) return view;
      let recording = views.get(prop);
      if (recording === undefined) views.set(prop, (recording = recordingView(prop, view, recorder)));
      return recording;
    },
  });
}

/**
 * A view that behaves as `view` and records what is read from it. Its target is a plain
 * array (the view itself is frozen, and a proxy of a frozen object must hand out its very
 * members), so that it is still an array to nunjucks and the filters.
 */
function recordingView(resource: string, view: ResourceView, recorder: Recorder): ResourceView {
  let wholeRead = false;
  const readWhole = (): void => {
    if (wholeRead) return;
    wholeRead = true;
    recorder.add({ kind: 'whole', resource, view });
  };
  const lookups = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  for (const method of LOOKUPS) {
    lookups.set(method, (...args: unknown[]) => {
      const answer = (view[method as LookupMethod] as (...a: unknown[]) => unknown)(...args);
      if (holdsPlaceholder(answer)) recorder.sawPlaceholder = true;
      recorder.add({ kind: 'call', resource, method: method as LookupMethod, args, answer });
      return answer;
    });
  }
  return new Proxy([] as unknown as ResourceView, {
    get(_target, prop): unknown {
      const lookup = lookups.get(prop);
      if (lookup !== undefined) return lookup;
      readWhole();
      return Reflect.get(view, prop, view);
    },
    has(_target, prop): boolean {
      readWhole();
      return Reflect.has(view, prop);
    },
    ownKeys(): ArrayLike<string | symbol> {
      readWhole();
      return Reflect.ownKeys(view);
    },
    getOwnPropertyDescriptor(target, prop): PropertyDescriptor | undefined {
      readWhole();
      if (prop === 'length') return { ...Reflect.getOwnPropertyDescriptor(target, 'length'), value: view.length };
      const descriptor = Reflect.getOwnPropertyDescriptor(view, prop);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

function holdsPlaceholder(answer: unknown): boolean {
  if (answer === LIST_PLACEHOLDER || isPlaceholder(answer)) return true;
  return Array.isArray(answer) && answer.some(isPlaceholder);
}

/**
 * Whether every dependency still holds in the pass whose views are `resources`. Stops at
 * the first that does not; a lookup that throws now does not hold (the block will throw
 * when it runs).
 */
export function stillHolds(dependencies: readonly Dependency[], resources: Resources): boolean {
  for (const dependency of dependencies) {
    const view = resources[dependency.resource];
    if (view === undefined) return false;
    if (dependency.kind === 'whole') {
      if (view !== dependency.view) return false;
      continue;
    }
    let answer: unknown;
    try {
      answer = (view[dependency.method] as (...a: unknown[]) => unknown)(...dependency.args);
    } catch {
      return false;
    }
    if (!sameAnswer(answer, dependency.answer)) return false;
  }
  return true;
}

function sameAnswer(now: unknown, before: unknown): boolean {
  if (now === before) return true;
  if (!Array.isArray(now) || !Array.isArray(before) || now.length !== before.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i] || isPlaceholder(now[i])) return false;
  return true;
}
