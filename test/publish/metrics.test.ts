import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { PublisherPrometheusMetrics } from '../../src/publish/metrics.ts';

describe('PublisherPrometheusMetrics', () => {
  test('registers nothing until a config publishes, then counts from zero for each published resource', async () => {
    const registry = new Registry();
    const metrics = new PublisherPrometheusMetrics(registry, () => undefined);
    assert.equal((await registry.metrics()).trim(), '');
    metrics.declare(['services', 'ingresses']);
    metrics.declare(['services']); // a reload: registering twice would throw
    const text = await registry.metrics();
    for (const resource of ['services', 'ingresses']) {
      assert.match(text, new RegExp(`^informant_publish_objects_total\\{resource="${resource}"\\} 0$`, 'm'));
      assert.match(text, new RegExp(`^informant_publish_rejected_total\\{resource="${resource}"\\} 0$`, 'm'));
    }
    assert.match(text, /^informant_publish_errors_total\{code="Unavailable"\} 0$/m);
    assert.match(text, /^informant_publisher_active 0$/m);
    metrics.error('Unavailable');
    assert.match(await registry.metrics(), /^informant_publish_errors_total\{code="Unavailable"\} 1$/m);
  });
});
