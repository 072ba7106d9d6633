/**
 * The `etcd3` client package, loaded on first use: it pulls in gRPC and protobuf (about
 * 0.3 s), which commands that never talk to etcd (render and test over manifests,
 * check-config, a Kubernetes-only controller) should not pay. Types are imported with
 * `import type` everywhere; values come from here.
 */
import { createRequire } from 'node:module';

type Etcd3Module = typeof import('etcd3');

let loaded: Etcd3Module | undefined;

/** The etcd3 module (loaded synchronously the first time). */
export function etcd3(): Etcd3Module {
  loaded ??= createRequire(import.meta.url)('etcd3') as Etcd3Module;
  return loaded;
}
