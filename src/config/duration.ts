/**
 * Durations as users write them: `200ms`, `10s`, `10m`, `1h`, or combinations in that
 * order such as `1m30s`; each part may have a fraction (`1.5s`).
 */
import { z } from 'zod';

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;

/** The accepted syntax, also stated in the JSON Schema. */
export const DURATION_PATTERN = `^(?=\\d)(?:${NUMBER}h)?(?:${NUMBER}m(?!s))?(?:${NUMBER}s)?(?:${NUMBER}ms)?$`;

const DURATION = new RegExp(DURATION_PATTERN);
const UNIT_MS = [3_600_000, 60_000, 1_000, 1] as const;

/** Milliseconds of a duration text, or undefined when it is not a valid duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  let ms = 0;
  UNIT_MS.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * unit;
  });
  return Math.round(ms);
}

/** The message for anything that is not a duration. */
export function durationMessage(input: unknown): string {
  const shown = ['string', 'number', 'boolean'].includes(typeof input) ? JSON.stringify(String(input)) : `(${input === null ? 'null' : typeof input})`;
  return `invalid duration ${shown}: use a number followed by ms, s, m or h`;
}

/** A duration field: a string in, milliseconds out; `positive` refuses zero. */
export function durationField(description: string, options: { positive?: boolean } = {}) {
  return z
    .string({ error: (issue) => durationMessage(issue.input) })
    .regex(DURATION, { error: (issue) => durationMessage(issue.input) })
    .transform((text) => parseDuration(text) as number)
    .refine((ms) => !options.positive || ms > 0, { error: 'must be longer than 0' })
    .meta({ description: `${description} (a duration such as 200ms, 10s, 1m30s or 1h)` });
}
