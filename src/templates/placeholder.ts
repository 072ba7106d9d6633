/**
 * Placeholders: what a template reads in place of an on-demand object that is not loaded
 * yet, during a discovery pass of the two-pass render (see two-pass.ts). The pass's output
 * is thrown away; the placeholder only has to let the template run on, so that every
 * other object it needs is discovered in the same pass.
 */

/** Iterates once, yielding the placeholder: loop bodies are explored like present data. */
function* once(): Generator<unknown> {
  yield PLACEHOLDER;
}

/**
 * Methods of strings and arrays templates call on data (`name.split(",")`): on the
 * placeholder they are functions returning the placeholder. Any other property is the
 * placeholder itself, never a function (see PLACEHOLDER).
 */
const METHODS: ReadonlySet<PropertyKey> = new Set([
  'at', 'charAt', 'concat', 'endsWith', 'includes', 'indexOf', 'join', 'lastIndexOf', 'match',
  'padEnd', 'padStart', 'repeat', 'replace', 'replaceAll', 'slice', 'split', 'startsWith',
  'substring', 'toLowerCase', 'toUpperCase', 'trim', 'trimEnd', 'trimStart',
]);

function method(): unknown {
  return PLACEHOLDER;
}

const handler: ProxyHandler<object> = {
  get(_target, prop, receiver) {
    if (prop === Symbol.toPrimitive || prop === 'toString' || prop === 'toJSON') return () => '';
    if (prop === Symbol.iterator) return once;
    if (prop === 'length') return 1;
    // Not a thenable: a placeholder that reaches an `await` must not be taken for a promise.
    if (prop === 'then' || typeof prop === 'symbol') return undefined;
    return METHODS.has(prop) ? method : receiver;
  },
  has: () => true,
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/**
 * The placeholder for an object (or any value read from one): every property of it is the
 * placeholder again, so `s.data["tls.crt"]` works; it is truthy (templates take the branch
 * for present data), contains every key (`"x" in p`), prints as "", iterates once
 * (yielding itself), has length 1, and common string and array methods on it return it.
 * It is a proxy over a plain object, not a function, and its properties are not functions
 * either: nunjucks wraps functions read from objects, which would break chains such as
 * `found[0].data["tls.crt"]`.
 */
export const PLACEHOLDER: object = new Proxy({}, handler);

/**
 * The placeholder for a list-returning call (Get, Fetch) whose keys are not known yet: a
 * list of one placeholder, so `for` bodies and `[0]` are explored.
 */
export const LIST_PLACEHOLDER: readonly object[] = Object.freeze([PLACEHOLDER]);

/** True when `value` is the placeholder (a proxy: nothing else can tell). */
export function isPlaceholder(value: unknown): boolean {
  return value === PLACEHOLDER;
}

type Filter = (this: unknown, ...args: unknown[]) => unknown;

/**
 * `filter`, except that when its input or an argument is the placeholder it returns the
 * placeholder instead of running (so `s.data.x | b64decode` neither fails nor prints).
 */
export function passPlaceholders(filter: Filter): Filter {
  // `arguments` rather than a rest parameter: V8 passes it on to `apply` without building
  // an array, and every filter call of every render goes through here.
  const wrapped = function (this: unknown): unknown {
    for (let i = 0; i < arguments.length; i++) if (isPlaceholder(arguments[i])) return PLACEHOLDER;
    return filter.apply(this, arguments as unknown as unknown[]);
  };
  return Object.defineProperty(wrapped, 'name', { value: filter.name });
}
