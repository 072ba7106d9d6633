import { z } from 'zod';

/** A positive whole number field, as a backend outside the config stage would declare one. */
export function positiveIntForTests(description: string) {
  return z.number().int().min(1, { error: 'must be at least 1' }).optional().meta({ description });
}
