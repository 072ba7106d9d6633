import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/index.ts';
import { configReferenceMarkdown } from '../../src/config/reference.ts';

const SCHEMA_FILE = new URL('../../docs/config.schema.json', import.meta.url);
const REFERENCE_FILE = new URL('../../docs/config.md', import.meta.url);

test('docs/config.schema.json is what the config schema generates', async () => {
  const committed = await readFile(SCHEMA_FILE, 'utf8');
  assert.ok(committed === configJsonSchemaText(), 'docs/config.schema.json is out of date: run `npm run schema`');
});

test('the JSON Schema refuses unknown keys and publishes defaults', () => {
  const schema = configJsonSchema() as {
    additionalProperties: unknown;
    properties: { render: { properties: { debounce: { default: unknown; pattern: string } } } };
  };
  assert.equal(schema.additionalProperties, false);
  assert.equal(schema.properties.render.properties.debounce.default, '200ms');
  assert.ok(new RegExp(schema.properties.render.properties.debounce.pattern).test('1m30s'));
});

test('docs/config.md is what the config schema generates, and lists every key with its default', async () => {
  const committed = await readFile(REFERENCE_FILE, 'utf8');
  assert.ok(committed === configReferenceMarkdown(), 'docs/config.md is out of date: run `npm run schema`');
  assert.match(committed, /^\| `render\.timeout` \| duration \| `"10s"` \| Stop a render /m);
  assert.match(committed, /^\| `watched_resources\.<name>\.api_version` \| text \| required \| /m);
  assert.match(committed, /^\| `server\.auth` \| auto \\\| kubernetes \\\| none \| `"auto"` \| /m);
  assert.match(committed, /^\| `source\.kubernetes\.clusters\[\]\.name` \| text \| required \| /m);
});

test('config.yaml points to docs that exist', async () => {
  const config = await readFile(new URL('../../config.yaml', import.meta.url), 'utf8');
  for (const [, doc] of config.matchAll(/\b(docs\/[\w.-]+)/g)) await readFile(new URL(`../../${doc}`, import.meta.url));
});
