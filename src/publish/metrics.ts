/**
 * The publisher's Prometheus metrics, in the controller's registry: objects written,
 * transactions, errors and the last success are recorded as they happen; whether this
 * replica publishes is read from the publication's state at scrape time.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PublisherMetrics, PublisherState } from './publisher.ts';

/** PublisherMetrics as Prometheus metrics (names start with informant_publish). */
export class PublisherPrometheusMetrics implements PublisherMetrics {
  readonly #objects: Counter<'resource'>;
  readonly #batches: Counter;
  readonly #errors: Counter<'code'>;
  readonly #rejected: Counter<'resource'>;
  readonly #lastSuccess: Gauge;
  readonly #now: () => number;

  /** `state` is read at every scrape (undefined: nothing to publish); `now` is wall-clock ms. */
  constructor(registry: Registry, state: () => PublisherState | undefined, now: () => number = Date.now) {
    const registers = [registry];
    this.#now = now;
    this.#objects = new Counter({
      name: 'informant_publish_objects_total',
      help: 'Objects written to etcd (puts and deletes) by the publisher, per watched resource.',
      labelNames: ['resource'],
      registers,
    });
    this.#batches = new Counter({ name: 'informant_publish_batches_total', help: 'Transactions the publisher committed to etcd.', registers });
    this.#errors = new Counter({
      name: 'informant_publish_errors_total',
      help: 'Publisher failures, by code (Unavailable, Invalid, ...); each one is retried after a backoff.',
      labelNames: ['code'],
      registers,
    });
    this.#rejected = new Counter({
      name: 'informant_publish_rejected_total',
      help: 'Objects etcd refuses for good (larger than --max-request-bytes, a name that cannot be a key), once per refused version; they are skipped until they change.',
      labelNames: ['resource'],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: 'informant_publish_last_success_timestamp_seconds',
      help: 'When the publisher last committed a transaction or finished a reconcile (Unix time).',
      registers,
    });
    new Gauge({
      name: 'informant_publisher_active',
      help: '1 while this replica publishes into etcd (leader, claimed, not deposed).',
      registers,
      collect() {
        const phase = state()?.phase;
        this.set(phase === 'reconciling' || phase === 'publishing' || phase === 'retrying' ? 1 : 0);
      },
    });
  }

  published(resource: string, objects: number): void {
    this.#objects.inc({ resource }, objects);
  }

  batch(): void {
    this.#batches.inc();
  }

  error(code: string): void {
    this.#errors.inc({ code });
  }

  rejected(resource: string): void {
    this.#rejected.inc({ resource });
  }

  succeeded(): void {
    this.#lastSuccess.set(this.#now() / 1000);
  }
}
