/**
 * SecretMask: replaces every Secret value it knows in a text, for what must show a text
 * that may contain them (a rendered output in /debug/, the output of a validate command in
 * /readyz and the log). It masks each value as stored (base64), decoded, and each long
 * line of a decoded value (a PEM block a template split). Best effort: a template that
 * transforms a value beyond that (re-encodes, cuts it differently) is not caught.
 *
 * Short values would mask ordinary words ("true", "80"): values under DEFAULTS.minLength
 * are skipped, except in messages (`shortValues`), where values from DEFAULTS.minWordLength
 * on are masked as whole words (not inside a longer run of letters and digits): a
 * 6-character password echoed by a validate command is masked, the "8080" in a port is not.
 */
import type { KubeObject } from '../k8s.ts';
import { secretValues } from './secret-data.ts';

/** What a masked value is replaced with. */
export const REDACTED = '[redacted]';

const DEFAULTS = Object.freeze({
  /** Values (and lines of values) at least this long are masked wherever they appear (characters). */
  minLength: 8,
  /** In messages, shorter values from this length on are masked as whole words (characters). */
  minWordLength: 4,
});

/** A mask over a set of Secrets (see the module comment). */
export class SecretMask {
  /** A mask that changes nothing. */
  static readonly none = new SecretMask([]);
  readonly #needles: string[];
  readonly #words: RegExp | undefined;

  /** A mask for `secrets`; `shortValues` also masks short values as whole words (for messages). */
  constructor(secrets: Iterable<KubeObject>, options: { shortValues?: boolean } = {}) {
    const needles = new Set<string>();
    const words = new Set<string>();
    for (const secret of secrets) {
      for (const value of secretValues(secret)) {
        for (const needle of [value, ...value.split('\n')]) {
          const length = needle.trim().length;
          if (length >= DEFAULTS.minLength) needles.add(needle);
          else if (options.shortValues && length >= DEFAULTS.minWordLength) words.add(needle.trim());
        }
      }
    }
    // Longest first, so a whole value is replaced before any line of it.
    this.#needles = [...needles].sort((a, b) => b.length - a.length);
    this.#words = words.size === 0 ? undefined : wordPattern([...words]);
  }

  /** True when there is nothing to mask. */
  get empty(): boolean {
    return this.#needles.length === 0 && this.#words === undefined;
  }

  /** `text` with every known value replaced by REDACTED. */
  apply(text: string): string {
    let masked = text;
    for (const needle of this.#needles) if (masked.includes(needle)) masked = masked.split(needle).join(REDACTED);
    return this.#words ? masked.replace(this.#words, REDACTED) : masked;
  }
}

/** `text` with every value of `secrets` (of at least DEFAULTS.minLength) replaced: see SecretMask. */
export function maskSecretValues(text: string, secrets: Iterable<KubeObject>): string {
  return new SecretMask(secrets).apply(text);
}

/** Any of `words`, not inside a longer run of letters and digits. */
function wordPattern(words: string[]): RegExp {
  const escaped = words.sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![A-Za-z0-9])(?:${escaped.join('|')})(?![A-Za-z0-9])`, 'g');
}
