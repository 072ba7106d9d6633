/** The etcd backend: EtcdRepository over the `etcd3` client (repository.ts), connected with EtcdConnectionOptions. */
import type { KvBackend } from '../backend.ts';
import type { EtcdConnectionOptions } from './connection.ts';
import { connectEtcd } from './repository.ts';

export { connectEtcd, EtcdRepository } from './repository.ts';
export type { EtcdConnectionOptions } from './connection.ts';

/** The `etcd` kv backend. */
export const etcdKvBackend: KvBackend<EtcdConnectionOptions> = Object.freeze<KvBackend<EtcdConnectionOptions>>({
  name: 'etcd',
  connect: (settings, logger) => connectEtcd(settings, logger),
});
