/**
 * The /debug/ JSON shows clock times as ISO 8601 strings. The status snapshots keep them
 * as numbers (ms since the Unix epoch) under names that say so: `at`, `…At` (lastOutputAt,
 * lastEventAt) and `…Since` (inProgressSince, failingSince); durations end in `Ms` and
 * stay numbers.
 */
import { isoTime } from '../time/iso.ts';

/** A name of a field that holds a clock time. */
const TIME_FIELD = /^(at|.+At|.+Since)$/;

/** `value` with every clock-time field (see the module comment) as ISO 8601, at any depth; a copy. */
export function withIsoTimes(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(withIsoTimes);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = typeof field === 'number' && Number.isFinite(field) && TIME_FIELD.test(key) ? isoTime(field) : withIsoTimes(field);
  }
  return copy;
}
