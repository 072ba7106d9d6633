/**
 * The controller as the HTTP server sees it: probes, metrics and the debug views, all read
 * from the controller's status snapshot and its running config (so turning debug off or
 * allowing Secrets takes effect with a reload, without restarting the server).
 */
import type { WatchedResourceConfig } from '../config/types.ts';
import type { DebugBackend, DebugStore, ServerBackend } from '../server/index.ts';
import type { Controller } from '../controller/controller.ts';
import { readiness, type HealthCheck } from '../controller/health.ts';
import type { ElectionState } from '../election/leader-election.ts';
import { holdsSecrets } from '../secrets/index.ts';
import type { ChildState } from '../exec/index.ts';
import { isMultiValued } from '../path/index.ts';

/** What the backend reads besides the controller. */
export interface ServerBackendDeps {
  health: HealthCheck;
  /** The leader election's state; undefined when it is off. */
  election: () => ElectionState | undefined;
  /** The child of exec mode; undefined without exec. */
  child?: () => ChildState | undefined;
}

/** A ServerBackend over `controller`. */
export function controllerBackend(controller: Controller, deps: ServerBackendDeps): ServerBackend {
  const debug = debugBackend(controller, deps);
  return {
    health: () => {
      const health = deps.health.check(controller.status());
      return { ok: health.healthy, reasons: health.problems };
    },
    readiness: () => {
      const ready = readiness(controller.status());
      return { ok: ready.ready, reasons: ready.reasons, warnings: ready.warnings, ...(ready.notes ? { notes: ready.notes } : {}) };
    },
    metrics: () => controller.metrics.scrape(),
    debug: () => (controller.config.server.debug ? debug : undefined),
  };
}

function debugBackend(controller: Controller, deps: ServerBackendDeps): DebugBackend {
  const storeOf = (resource: WatchedResourceConfig): DebugStore | undefined => {
    const store = controller.stores.get(resource.name);
    return store && { name: resource.name, type: resource.store, store, indexBy: resource.indexBy, secret: holdsSecrets(resource) };
  };
  return {
    get allowSecrets() {
      return controller.config.server.allowSecrets;
    },
    storeSummaries: () => {
      const byName = new Map(controller.config.watchedResources.map((r) => [r.name, r]));
      return controller.status().resources.map(({ watch: _watch, watchByCluster: _byCluster, ...state }) => {
        const resource = byName.get(state.resource);
        const indexBy = resource?.indexBy;
        const multiValued = indexBy?.filter(isMultiValued);
        return { ...state, apiVersion: resource?.apiVersion, kind: resource?.kind, namespace: resource?.namespace, indexBy, multiValued };
      });
    },
    store: (name) => {
      const resource = controller.config.watchedResources.find((r) => r.name === name);
      return resource && storeOf(resource);
    },
    stores: () => controller.config.watchedResources.flatMap((resource) => storeOf(resource) ?? []),
    secrets: function* () {
      for (const resource of controller.config.watchedResources) {
        const store = controller.stores.get(resource.name);
        if (store && holdsSecrets(resource)) yield* store.list();
      }
      yield* controller.secretsRead();
    },
    outputSummaries: () => controller.status().templates,
    output: (template) => controller.outputContent(template),
    config: () => controller.config,
    sync: () => {
      const status = controller.status();
      return {
        synced: status.synced,
        resources: status.resources.map(({ resource, synced, optional, stuck, problem, watch, clusters, watchByCluster, sharedWith }) => ({
          resource,
          synced,
          ...(optional ? { optional } : {}),
          stuck,
          problem,
          watch,
          ...(clusters ? { clusters } : {}),
          ...(watchByCluster ? { watchByCluster } : {}),
          ...(sharedWith ? { sharedWith } : {}),
        })),
        renders: status.renders,
        reload: status.reload,
        runsOnChange: status.runsOnChange,
        leaderElection: deps.election() ?? { enabled: false },
        publisher: status.publication ?? { publishing: false },
        ...(deps.child?.() ? { exec: deps.child() } : {}),
      };
    },
  };
}
