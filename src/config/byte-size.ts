/**
 * Sizes as users write them: a number of bytes, or a number with a unit, Kubernetes-style
 * binary (`512Ki`, `4Mi`, `1Gi`, also `KiB`/`MiB`/`GiB`) or decimal (`500K`, `4M`, `1G`,
 * also `KB`/`MB`/`GB`).
 */
import { z } from 'zod';

/** The accepted syntax, also stated in the JSON Schema. */
export const BYTE_SIZE_PATTERN = '^\\d+(?:\\.\\d+)?(?:[KMG]i?B?)?$';

const BYTE_SIZE = /^(\d+(?:\.\d+)?)([KMG])?(i)?B?$/;
const POWERS = Object.freeze({ K: 1, M: 2, G: 3 });

/** Bytes of a size text (or a number of bytes), or undefined when it is not a size. */
export function parseByteSize(input: string | number): number | undefined {
  const match = BYTE_SIZE.exec(String(input));
  if (match === null) return undefined;
  const [, number, unit, binary] = match;
  const base = binary ? 1024 : 1000;
  const factor = unit ? base ** POWERS[unit as keyof typeof POWERS] : 1;
  return Math.round(Number(number) * factor);
}

/** A size as messages show it: "4 MiB", "1.5 KiB", "900 bytes". */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

function sizeMessage(input: unknown): string {
  const shown = ['string', 'number'].includes(typeof input) ? JSON.stringify(String(input)) : `(${input === null ? 'null' : typeof input})`;
  return `invalid size ${shown}: use a number of bytes, or a number followed by Ki, Mi, Gi (or K, M, G)`;
}

/** A size field: a string or a number in, bytes out; at least 1 byte. */
export function byteSizeField(description: string) {
  const text = z.string().regex(new RegExp(BYTE_SIZE_PATTERN), { error: (issue) => sizeMessage(issue.input) });
  const number = z.number().int({ error: (issue) => sizeMessage(issue.input) });
  return z
    .union([text, number], { error: (issue) => sizeMessage(issue.input) })
    .transform((input, ctx) => {
      const bytes = parseByteSize(input);
      if (bytes === undefined || bytes < 1) {
        ctx.addIssue({ code: 'custom', message: sizeMessage(input) });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: `${description} (bytes, or a size such as 512Ki, 4Mi or 1Gi)` });
}
