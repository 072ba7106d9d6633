import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/index.ts';

const SCHEMA_FILE = new URL('../../docs/config.schema.json', import.meta.url);

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
