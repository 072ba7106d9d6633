/**
 * How informant connects to etcd: the connection settings (EtcdConnectionOptions, plain
 * values the config stage hands down) translated into `etcd3` client options, with the
 * TLS and password files read at connect time.
 */
import { readFileSync } from 'node:fs';
import type { IOptions } from 'etcd3';
import { KvError } from '../types.ts';

/** How to reach etcd; file paths are absolute. */
export interface EtcdConnectionOptions {
  /** Client URLs, e.g. `http://127.0.0.1:23790` (`https://` with TLS). */
  readonly endpoints: readonly string[];
  /** How long to wait for a connection (and a watch to be established), in ms. */
  readonly dialTimeoutMs: number;
  /** Client TLS: the CA that signed etcd's certificate, and a client certificate and key. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** etcd user authentication; the password is read from a file (a mounted Secret). */
  readonly auth?: { readonly username: string; readonly passwordFile: string };
}

/**
 * Client defaults. Keepalive pings detect a dead connection that TCP alone would notice
 * only after minutes (etcd refuses pings more often than every 5 s, and pings without an
 * open stream, so they are sent only while calls are active).
 */
export const CONNECTION_DEFAULTS = Object.freeze({
  /** Deadline of every request, in ms: a list of many objects must fit. */
  callTimeoutMs: 30_000,
  /** Ping interval of an open connection, in ms. */
  keepaliveTimeMs: 30_000,
  /** How long a ping may go unanswered before the connection counts as dead, in ms. */
  keepaliveTimeoutMs: 10_000,
  /** Reconnect backoff of the gRPC channel, first and longest delay, in ms. */
  reconnectBackoffMs: 250,
  maxReconnectBackoffMs: 5_000,
});

/** The `etcd3` client options for `config`; an Invalid KvError naming a file that cannot be read. */
export function etcdClientOptions(config: EtcdConnectionOptions): IOptions {
  const options: IOptions = {
    hosts: [...config.endpoints],
    dialTimeout: config.dialTimeoutMs,
    grpcOptions: {
      'grpc.keepalive_time_ms': CONNECTION_DEFAULTS.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': CONNECTION_DEFAULTS.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 0,
      'grpc.initial_reconnect_backoff_ms': CONNECTION_DEFAULTS.reconnectBackoffMs,
      'grpc.max_reconnect_backoff_ms': CONNECTION_DEFAULTS.maxReconnectBackoffMs,
      'grpc.max_receive_message_length': -1,
    },
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + CONNECTION_DEFAULTS.callTimeoutMs },
  };
  if (config.tls) options.credentials = tlsCredentials(config.tls);
  if (config.auth) {
    const password = readSetting(config.auth.passwordFile, 'auth password file').toString('utf8').replace(/\r?\n$/, '');
    options.auth = { username: config.auth.username, password };
  }
  return options;
}

function tlsCredentials(tls: NonNullable<EtcdConnectionOptions['tls']>): NonNullable<IOptions['credentials']> {
  return {
    // Without a CA file gRPC verifies against the system's roots.
    rootCertificate: tls.caFile ? readSetting(tls.caFile, 'TLS CA file') : (undefined as unknown as Buffer),
    ...(tls.certFile ? { certChain: readSetting(tls.certFile, 'TLS certificate file') } : {}),
    ...(tls.keyFile ? { privateKey: readSetting(tls.keyFile, 'TLS key file') } : {}),
  };
}

function readSetting(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KvError('Invalid', `cannot read the etcd ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}
