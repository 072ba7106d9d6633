/**
 * Writes docs/config.schema.json and docs/config.md from the config schema (`npm run
 * schema`). Editors pick the schema up through a modeline at the top of config.yaml:
 *   # yaml-language-server: $schema=docs/config.schema.json
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.ts';
import { configReferenceMarkdown } from '../src/config/reference.ts';

/** Where the generated files live. */
const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../docs/config.schema.json', import.meta.url));
const CONFIG_REFERENCE_FILE = fileURLToPath(new URL('../docs/config.md', import.meta.url));

await writeFile(CONFIG_SCHEMA_FILE, configJsonSchemaText());
await writeFile(CONFIG_REFERENCE_FILE, configReferenceMarkdown());
process.stdout.write(`wrote ${CONFIG_SCHEMA_FILE} and ${CONFIG_REFERENCE_FILE}\n`);
