/**
 * Time in templates:
 * - `now()`: when the render started, as a Date (one instant for the whole render, every
 *   pass included);
 * - `format_time(format = "iso")`: a Date, epoch milliseconds or an ISO 8601 text, in UTC:
 *   `iso` (2026-12-06T18:30:00.000Z), `unix` (seconds), `unix_ms`, `http` (RFC 7231:
 *   Sun, 06 Dec 2026 18:30:00 GMT), or a pattern of %Y %m %d %H %M %S %L (milliseconds)
 *   %j (day of the year) %s (Unix seconds) %z (+0000) %Z (UTC) and %%.
 * An output holding the time changes at every render, so it is written (and on_change
 * runs) every time: print the time only where that is wanted.
 */
import { FilterError } from '../errors.ts';
import { activeScope } from './scope.ts';

/** The render's start as a Date. */
export function now(): Date {
  return new Date(activeScope('now').startedAtMs);
}

const NAMED: Readonly<Record<string, (date: Date) => string>> = Object.freeze({
  iso: (date) => date.toISOString(),
  unix: (date) => String(Math.floor(date.getTime() / 1000)),
  unix_ms: (date) => String(date.getTime()),
  http: (date) => date.toUTCString(),
});

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const TOKENS: Readonly<Record<string, (date: Date) => string>> = Object.freeze({
  Y: (d) => String(d.getUTCFullYear()),
  m: (d) => pad(d.getUTCMonth() + 1),
  d: (d) => pad(d.getUTCDate()),
  H: (d) => pad(d.getUTCHours()),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  L: (d) => pad(d.getUTCMilliseconds(), 3),
  j: (d) => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  z: () => '+0000',
  Z: () => 'UTC',
  '%': () => '%',
});

/** `value` formatted in UTC as `format` says (see the module comment). */
export function formatTime(value: unknown, format: unknown = 'iso'): string {
  const date = toDate(value);
  if (typeof format !== 'string') throw new FilterError('format_time', 'format must be a string');
  const named = NAMED[format];
  if (named) return named(date);
  return format.replace(/%(.)?/g, (_, token: string | undefined) => {
    const write = token === undefined ? undefined : TOKENS[token];
    if (!write) throw new FilterError('format_time', `unknown format directive %${token ?? ''} (use iso, unix, unix_ms, http, or %Y %m %d %H %M %S %L %j %s %z %Z %%)`);
    return write(date);
  });
}

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new FilterError('format_time', 'expected a date (now()), epoch milliseconds or an ISO 8601 text');
  }
  return date;
}
