/**
 * A bounded client loop on loopback: a few workers send requests one after another (a new
 * connection each), with a short pause between two, until at least `minimum` requests are
 * done and the test says it may stop, or `maximum` are done. Every answer is checked; each
 * one that is not accepted (an error, a refused connection, an unexpected status or body)
 * is a failure, kept with its reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { get, type Answer } from './requests.ts';

/** One kind of request the loop sends, and which answers are right. */
export interface TrafficTarget {
  port: number;
  host: string;
  path: string;
  tls?: boolean;
  accept: (answer: Answer) => boolean;
}

/** How the loop runs. */
export interface TrafficOptions {
  /** Requests per worker per target run one after another; workers = targets × this. */
  workersPerTarget: number;
  /** Requests at least (all targets together). */
  minimum: number;
  /** Requests at most: the bound that ends the loop whatever happens. */
  maximum: number;
  /** Pause between two requests of a worker, in ms: spreads the requests over the changes. */
  pauseMs: number;
}

/** What the loop saw. */
export interface TrafficResult {
  requests: number;
  failures: string[];
  /** How often each body was answered. */
  bodies: Map<string, number>;
}

/** A running loop: `stop()` lets it end once `minimum` requests are done, and resolves with what it saw. */
export interface Traffic {
  readonly requests: number;
  stop(): Promise<TrafficResult>;
}

/** Starts the loop over `targets` (see the module comment). */
export function startTraffic(targets: readonly TrafficTarget[], options: TrafficOptions): Traffic {
  const result: TrafficResult = { requests: 0, failures: [], bodies: new Map() };
  let stopping = false;
  const more = (): boolean => result.requests < options.maximum && (!stopping || result.requests < options.minimum);
  const worker = async (target: TrafficTarget): Promise<void> => {
    while (more()) {
      result.requests++;
      try {
        const answer = await get(target.port, target.host, target.path, target.tls);
        result.bodies.set(answer.body, (result.bodies.get(answer.body) ?? 0) + 1);
        if (!target.accept(answer)) result.failures.push(`${target.host}${target.path}: ${JSON.stringify(answer)}`);
      } catch (err) {
        result.failures.push(`${target.host}${target.path}: ${(err as Error).message}`);
      }
      await sleep(options.pauseMs);
    }
  };
  const workers = targets.flatMap((target) => Array.from({ length: options.workersPerTarget }, () => worker(target)));
  return {
    get requests() {
      return result.requests;
    },
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
      return result;
    },
  };
}
