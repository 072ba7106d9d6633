/**
 * The publisher's Prometheus metrics, in the controller's registry, declared as one table
 * (see metric-table.ts): objects written, transactions, errors and the last success are
 * recorded as they happen; whether this replica publishes is read from the publication's
 * state at scrape time.
 */
import type { Registry } from 'prom-client';
import { registerMetrics, type MetricOf, type MetricRow } from '../metric-table.ts';
import type { PublisherMetrics, PublisherState } from './publisher.ts';

/** The metrics recorded as things happen; /metrics lists them first, then informant_publisher_active. */
const RECORDED = {
  objects: {
    type: 'counter',
    name: 'informant_publish_objects_total',
    help: 'Objects written to the shared store (puts and deletes) by the publisher, per watched resource.',
    labels: ['resource'],
  },
  batches: { type: 'counter', name: 'informant_publish_batches_total', help: 'Transactions the publisher committed to the shared store.' },
  errors: {
    type: 'counter',
    name: 'informant_publish_errors_total',
    help: 'Publisher failures, by code (Unavailable, Invalid, ...); each one is retried after a backoff.',
    labels: ['code'],
  },
  rejected: {
    type: 'counter',
    name: 'informant_publish_rejected_total',
    help: 'Objects the shared store refuses for good (larger than 1.5 MiB, a name that cannot be a key), once per refused version; they are skipped until they change.',
    labels: ['resource'],
  },
  lastSuccess: {
    type: 'gauge',
    name: 'informant_publish_last_success_timestamp_seconds',
    help: 'When the publisher last committed a transaction or finished a reconcile (Unix time).',
  },
} as const satisfies Record<string, MetricRow>;

type Recorded = { [K in keyof typeof RECORDED]: MetricOf<(typeof RECORDED)[K]> };

/** PublisherMetrics as Prometheus metrics (names start with informant_publish). */
export class PublisherPrometheusMetrics implements PublisherMetrics {
  readonly #recorded: Recorded;
  readonly #now: () => number;

  /** `state` is read at every scrape (undefined: nothing to publish); `now` is wall-clock ms. */
  constructor(registry: Registry, state: () => PublisherState | undefined, now: () => number = Date.now) {
    this.#now = now;
    this.#recorded = registerMetrics(registry, {
      ...RECORDED,
      active: {
        type: 'gauge',
        name: 'informant_publisher_active',
        help: '1 while this replica publishes into the shared store (leader, claimed, not deposed).',
        read: () => [[{}, isActive(state()) ? 1 : 0]],
      },
    });
  }

  published(resource: string, objects: number): void {
    this.#recorded.objects.inc({ resource }, objects);
  }

  batch(): void {
    this.#recorded.batches.inc();
  }

  error(code: string): void {
    this.#recorded.errors.inc({ code });
  }

  rejected(resource: string): void {
    this.#recorded.rejected.inc({ resource });
  }

  succeeded(): void {
    this.#recorded.lastSuccess.set(this.#now() / 1000);
  }
}

/** The publisher is at work: reconciling, publishing or retrying (not waiting for sync, claiming, deposed or stopped). */
function isActive(state: PublisherState | undefined): boolean {
  const phase = state?.phase;
  return phase === 'reconciling' || phase === 'publishing' || phase === 'retrying';
}
