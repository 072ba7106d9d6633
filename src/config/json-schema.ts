/**
 * The JSON Schema of config.yaml, for editors (yaml-language-server) and documentation.
 * docs/config.schema.json is generated from it by `npm run schema`.
 */
import { z } from 'zod';
import { configSchema } from './schema.ts';

/** The JSON Schema (draft 2020-12) describing what users may write in config.yaml. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** configJsonSchema() as the exact text of docs/config.schema.json. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
