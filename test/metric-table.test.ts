import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerMetrics, type Samples } from '../src/metric-table.ts';

/** The metric lines of an exposition, without HELP and TYPE comments and blank lines. */
function samples(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('registerMetrics', () => {
  test('lists the metrics in table order, each with its help, type and labels', async () => {
    const registry = new Registry();
    registerMetrics(registry, {
      second: { type: 'gauge', name: 'z_second', help: 'Listed second.', labels: ['a'] },
      first: { type: 'counter', name: 'a_first_total', help: 'Listed first, whatever its name.' },
      third: { type: 'histogram', name: 'm_third_seconds', help: 'A histogram.', buckets: [1, 5] },
    });
    const text = await registry.metrics();
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE'));
    assert.deepEqual(types, ['# TYPE z_second gauge', '# TYPE a_first_total counter', '# TYPE m_third_seconds histogram']);
    assert.match(text, /# HELP a_first_total Listed first, whatever its name\./);
  });

  test('returns the recorded metrics under their keys, with their labels and buckets', async () => {
    const registry = new Registry();
    const metrics = registerMetrics(registry, {
      runs: { type: 'counter', name: 'runs_total', help: 'Runs.', labels: ['job'] },
      duration: { type: 'histogram', name: 'duration_seconds', help: 'Durations.', buckets: [1, 5] },
      last: { type: 'gauge', name: 'last_seconds', help: 'Last run.' },
    });
    metrics.runs.inc({ job: 'a' }, 2);
    metrics.duration.observe(3);
    metrics.last.set(7);
    assert.deepEqual(samples(await registry.metrics()), [
      'runs_total{job="a"} 2',
      'duration_seconds_bucket{le="1"} 0',
      'duration_seconds_bucket{le="5"} 1',
      'duration_seconds_bucket{le="+Inf"} 1',
      'duration_seconds_sum 3',
      'duration_seconds_count 1',
      'last_seconds 7',
    ]);
  });

  test('sets a metric with `read` from its samples at every scrape, dropping series that are gone', async () => {
    const registry = new Registry();
    let now: Samples = [[{ resource: 'a' }, 1], [{ resource: 'b' }, 2]];
    registerMetrics(registry, {
      objects: { type: 'gauge', name: 'objects', help: 'Objects.', labels: ['resource'], read: () => now },
      events: { type: 'counter', name: 'events_total', help: 'Events.', labels: ['resource'], read: () => now.map(([labels, n]) => [labels, n * 10]) },
      ready: { type: 'gauge', name: 'ready', help: 'Ready.', read: () => [[{}, now.length]] },
    });
    assert.deepEqual(samples(await registry.metrics()), [
      'objects{resource="a"} 1',
      'objects{resource="b"} 2',
      'events_total{resource="a"} 10',
      'events_total{resource="b"} 20',
      'ready 2',
    ]);
    now = [[{ resource: 'b' }, 3]];
    assert.deepEqual(samples(await registry.metrics()), ['objects{resource="b"} 3', 'events_total{resource="b"} 30', 'ready 1']);
  });
});
