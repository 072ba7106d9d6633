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

/** The error codes counted from the start at 0: KvError codes a publisher meets. */
const ERROR_CODES = Object.freeze(['Unavailable', 'Conflict', 'Compacted', 'Invalid']);

/**
 * PublisherMetrics as Prometheus metrics (names start with informant_publish), registered
 * in the registry only once a config publishes something (declare): a replica that
 * publishes nothing exports none of them.
 */
export class PublisherPrometheusMetrics implements PublisherMetrics {
  readonly #registry: Registry;
  readonly #state: () => PublisherState | undefined;
  readonly #now: () => number;
  #recorded: Recorded | undefined;

  /** `state` is read at every scrape (undefined: nothing to publish); `now` is wall-clock ms. */
  constructor(registry: Registry, state: () => PublisherState | undefined, now: () => number = Date.now) {
    this.#registry = registry;
    this.#state = state;
    this.#now = now;
  }

  declare(resources: readonly string[]): void {
    const recorded = this.#metrics();
    for (const code of ERROR_CODES) recorded.errors.inc({ code }, 0);
    for (const resource of resources) {
      recorded.objects.inc({ resource }, 0);
      recorded.rejected.inc({ resource }, 0);
    }
  }

  published(resource: string, objects: number): void {
    this.#metrics().objects.inc({ resource }, objects);
  }

  batch(): void {
    this.#metrics().batches.inc();
  }

  error(code: string): void {
    this.#metrics().errors.inc({ code });
  }

  rejected(resource: string): void {
    this.#metrics().rejected.inc({ resource });
  }

  succeeded(): void {
    this.#metrics().lastSuccess.set(this.#now() / 1000);
  }

  /** The metrics, registered on first use. */
  #metrics(): Recorded {
    this.#recorded ??= registerMetrics(this.#registry, {
      ...RECORDED,
      active: {
        type: 'gauge',
        name: 'informant_publisher_active',
        help: '1 while this replica publishes into the shared store (leader, claimed, not deposed).',
        read: () => [[{}, isActive(this.#state()) ? 1 : 0]],
      },
    });
    return this.#recorded;
  }
}

/** The publisher is at work: reconciling, publishing or retrying (not waiting for sync, claiming, deposed or stopped). */
function isActive(state: PublisherState | undefined): boolean {
  const phase = state?.phase;
  return phase === 'reconciling' || phase === 'publishing' || phase === 'retrying';
}
