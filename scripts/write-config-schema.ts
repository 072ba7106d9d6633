/**
 * Writes docs/config.schema.json from the config schema (`npm run schema`). Editors pick
 * it up through a modeline at the top of config.yaml:
 *   # yaml-language-server: $schema=docs/config.schema.json
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.ts';

/** Where the generated schema lives. */
const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../docs/config.schema.json', import.meta.url));

await writeFile(CONFIG_SCHEMA_FILE, configJsonSchemaText());
process.stdout.write(`wrote ${CONFIG_SCHEMA_FILE}\n`);
