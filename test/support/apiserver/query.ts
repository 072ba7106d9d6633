/**
 * Query parameters shared by list and watch: selectors, resourceVersion, limit and
 * timeoutSeconds, validated with the real server's error codes.
 */
import { FieldSelectorError, parseFieldSelector } from './field-selector.ts';
import { LabelSelectorError, parseLabelSelector } from './label-selector.ts';
import { ApiError } from './status.ts';
import type { StoredObject } from './stored-object.ts';

/**
 * The filter for labelSelector and fieldSelector (and an object name, for watches on an
 * object path); undefined when nothing is filtered. ApiError 400 for a bad selector.
 */
export function selectorFilter(query: URLSearchParams, name?: string): ((obj: StoredObject) => boolean) | undefined {
  const labels = parseOrThrow(() => parseLabelSelector(query.get('labelSelector') ?? ''));
  const fields = parseOrThrow(() => parseFieldSelector(query.get('fieldSelector') ?? ''));
  if (labels.requirements.length === 0 && fields.terms.length === 0 && name === undefined) return undefined;
  return (obj) => (name === undefined || obj.name === name) && labels.matches(obj.labels) && fields.matches(obj);
}

function parseOrThrow<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof LabelSelectorError) {
      throw new ApiError(400, `unable to parse requirement: ${error.message}`, {}, { cause: error });
    }
    if (error instanceof FieldSelectorError) throw new ApiError(400, error.message, {}, { cause: error });
    throw error;
  }
}

/** A resourceVersion parameter as a number; ApiError 400 unless it is a non-negative integer. */
export function parseRv(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new ApiError(400, `resourceVersion: Invalid value: "${text}": must be a non-negative integer`);
  }
  return Number(text);
}

/** The 504 the real server answers for a resourceVersion it has not reached. */
export function tooLargeRv(rv: number, current: number): ApiError {
  return new ApiError(504, `Too large resource version: ${rv}, current: ${current}`, {
    reason: 'Timeout',
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] },
    retryAfterSeconds: 1,
  });
}

/** A non-negative integer parameter, or undefined when absent; ApiError 400 otherwise. */
export function parseCount(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new ApiError(400, `${name}: Invalid value: "${text}": must be a non-negative integer`);
  return Number(text);
}
