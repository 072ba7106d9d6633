/**
 * publish.etcd and source.etcd as validated (snake_case, paths as written) become the
 * EtcdPublishConfig and EtcdSourceConfig the publisher and the etcd source read: camelCase,
 * the dial timeout in ms, file paths resolved against the config's folder.
 */
import { resolve } from 'node:path';
import type { EtcdConnectionConfig, EtcdPublishConfig, EtcdSourceConfig } from './types.ts';

/** A connection as the schema validates it. */
interface RawConnection {
  endpoints: string[];
  prefix: string;
  dial_timeout: number;
  tls?: { ca_file?: string | undefined; cert_file?: string | undefined; key_file?: string | undefined } | undefined;
  auth?: { username: string; password_file: string } | undefined;
}

/** The normalized connection; relative file paths are resolved against `baseDir`. */
export function etcdConnection(raw: RawConnection, baseDir: string): EtcdConnectionConfig {
  const connection: EtcdConnectionConfig = { endpoints: [...raw.endpoints], prefix: raw.prefix, dialTimeoutMs: raw.dial_timeout };
  if (raw.tls !== undefined) {
    const tls: NonNullable<EtcdConnectionConfig['tls']> = {};
    if (raw.tls.ca_file !== undefined) tls.caFile = resolve(baseDir, raw.tls.ca_file);
    if (raw.tls.cert_file !== undefined) tls.certFile = resolve(baseDir, raw.tls.cert_file);
    if (raw.tls.key_file !== undefined) tls.keyFile = resolve(baseDir, raw.tls.key_file);
    connection.tls = tls;
  }
  if (raw.auth !== undefined) connection.auth = { username: raw.auth.username, passwordFile: resolve(baseDir, raw.auth.password_file) };
  return connection;
}

/** publish.etcd, normalized. */
export function etcdPublish(raw: RawConnection & { cluster: string }, baseDir: string): EtcdPublishConfig {
  return { ...etcdConnection(raw, baseDir), cluster: raw.cluster };
}

/** source.etcd, normalized. */
export function etcdSource(raw: RawConnection & { clusters: 'all' | string[] }, baseDir: string): EtcdSourceConfig {
  return { ...etcdConnection(raw, baseDir), clusters: raw.clusters === 'all' ? 'all' : [...raw.clusters] };
}
