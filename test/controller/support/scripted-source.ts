import type { KubeObject } from '../../../src/k8s.ts';
import { emptyWatchStats, type ResourceWatchStatus, type WatchProblem, type WatchStats } from '../../../src/watcher/index.ts';
import { FakeSource } from '../../support/fake-source.ts';

/**
 * A FakeSource whose resources can report a problem (as a reflector does after a 403 or a
 * missing CRD) and, optionally, watch counters (as the Kubernetes source does).
 */
export class ScriptedSource extends FakeSource {
  readonly problems = new Map<string, WatchProblem>();
  stats: (() => WatchStats[]) | undefined;

  constructor(initial: Record<string, KubeObject[]> = {}, options: { holdSync?: string[] } = {}) {
    super(initial, options);
  }

  override status(): ResourceWatchStatus[] {
    return super.status().map((status) => {
      const problem = this.problems.get(status.resource);
      return problem ? { ...status, lastProblem: problem } : status;
    });
  }
}

/** Watch counters of a watch that has been running a while. */
export function watchStats(resource: string, overrides: Partial<WatchStats> = {}): WatchStats {
  return {
    ...emptyWatchStats(resource, false),
    events: { ADDED: 3, MODIFIED: 2, DELETED: 1, BOOKMARK: 4, ERROR: 0 },
    lists: 2,
    relists: 1,
    watchRestarts: 5,
    errors: { '410': 1 },
    lastEventAt: 0,
    resourceVersion: '42',
    objects: 1,
    synced: true,
    watching: true,
    ...overrides,
  };
}

/** A service object for tests. */
export function service(namespace: string, name: string, port: number, rv = '1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name, uid: `uid-${namespace}-${name}`, resourceVersion: rv },
    spec: { ports: [{ port }] },
  };
}
