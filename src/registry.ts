/**
 * A registry of named backends (kplane's pattern): an instance per owner (no global
 * registry), names unique (a second registration of a name is a programming error and
 * throws), an unknown name answered with the names available. The store registry and the
 * shared-store backends are both built on it.
 */

/** Backends by name, in registration order. */
export class NamedRegistry<B extends { readonly name: string }> {
  /** What a backend is called in errors, e.g. `store backend`. */
  readonly #kind: string;
  readonly #backends = new Map<string, B>();

  constructor(kind: string) {
    this.#kind = kind;
  }

  /** Adds a backend; a name already taken throws. */
  register(backend: B): this {
    if (this.#backends.has(backend.name)) throw new Error(`${this.#kind} "${backend.name}" is already registered`);
    this.#backends.set(backend.name, backend);
    return this;
  }

  /** The backend registered under `name`, or undefined. */
  get(name: string): B | undefined {
    return this.#backends.get(name);
  }

  /** The backend registered under `name`; an Error listing the available names otherwise (`context` prefixes it). */
  require(name: string, context?: string): B {
    const found = this.#backends.get(name);
    if (found) return found;
    const where = context === undefined ? '' : `${context}: `;
    throw new Error(`${where}unknown ${this.#kind} "${name}"; available: ${this.names().join(', ')}`);
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#backends.keys()];
  }

  /** Every backend, in registration order. */
  backends(): B[] {
    return [...this.#backends.values()];
  }
}
