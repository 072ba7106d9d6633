/**
 * Prometheus metrics declared as a table: each row gives a metric's type, name, help,
 * labels and (for histograms) buckets, and /metrics lists them in table order. A row
 * without `read` is recorded as things happen, through the prom-client object
 * registerMetrics returns under the row's key; a row with `read` is set from the samples
 * `read` returns, at every scrape.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Label values of one sample. */
export type Labels = Record<string, string>;

/** A metric's values at a scrape: label values and the number. */
export type Samples = Array<[Labels, number]>;

interface Row<Type extends string> {
  type: Type;
  name: string;
  help: string;
  labels?: readonly string[];
}

/** One metric of a table (see the module comment). */
export type MetricRow =
  | (Row<'counter'> & { read?: () => Samples })
  | (Row<'gauge'> & { read?: () => Samples })
  | (Row<'histogram'> & { buckets: readonly number[] });

type LabelsOf<R> = R extends { labels: readonly (infer L extends string)[] } ? L : never;

/** The prom-client metric a row becomes, typed by its labels. */
export type MetricOf<R extends MetricRow> = R['type'] extends 'counter'
  ? Counter<LabelsOf<R>>
  : R['type'] extends 'gauge'
    ? Gauge<LabelsOf<R>>
    : Histogram<LabelsOf<R>>;

/** Registers the metrics of `table` in `registry`, in table order; returns them by the table's keys. */
export function registerMetrics<const T extends Record<string, MetricRow>>(registry: Registry, table: T): { [K in keyof T]: MetricOf<T[K]> } {
  const metrics: Record<string, Counter | Gauge | Histogram> = {};
  for (const [key, row] of Object.entries(table)) metrics[key] = metricOf(row, registry);
  return metrics as { [K in keyof T]: MetricOf<T[K]> };
}

function metricOf(row: MetricRow, registry: Registry): Counter | Gauge | Histogram {
  const common = { name: row.name, help: row.help, labelNames: row.labels ?? [], registers: [registry] };
  if (row.type === 'histogram') return new Histogram({ ...common, buckets: [...row.buckets] });
  const config = { ...common, ...(row.read && { collect: collectFrom(row.read) }) };
  return row.type === 'gauge' ? new Gauge(config) : new Counter(config);
}

/** A collect() that replaces the metric's values with the samples `read` returns. */
function collectFrom(read: () => Samples) {
  return function (this: Gauge | Counter): void {
    this.reset();
    for (const [labels, value] of read()) {
      if (this instanceof Gauge) this.set(labels, value);
      else this.inc(labels, value);
    }
  };
}
