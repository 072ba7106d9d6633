/**
 * The child's Prometheus metrics, registered only in exec mode (see metric-table.ts), all
 * read from the supervisor's state at scrape time.
 */
import type { Registry } from 'prom-client';
import { registerMetrics } from '../metric-table.ts';
import type { ChildState } from './supervisor.ts';

/** Registers the child's metrics in `registry`, reading `state` at every scrape. */
export function registerChildMetrics(registry: Registry, state: () => ChildState): void {
  registerMetrics(registry, {
    running: { type: 'gauge', name: 'informant_child_running', help: '1 while the child process of exec mode runs.', read: () => [[{}, state().running ? 1 : 0]] },
    starts: { type: 'counter', name: 'informant_child_starts_total', help: 'Times the child process was started (restarts included).', read: () => [[{}, state().starts]] },
    reloads: {
      type: 'counter',
      name: 'informant_child_reloads_total',
      help: 'Reloads of the child after an output changed (reload_signal or reload_command).',
      read: () => [[{}, state().reloads.sent]],
    },
    reloadFailures: {
      type: 'counter',
      name: 'informant_child_reload_failures_total',
      help: 'Reloads that failed: the signal could not be sent, or reload_command failed.',
      read: () => [[{}, state().reloads.failed]],
    },
  });
}
