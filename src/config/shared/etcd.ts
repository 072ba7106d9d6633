/**
 * The `etcd` shared-store backend's settings (`publish.etcd`, `source.shared.etcd`): the
 * cluster's client URLs, the dial timeout, TLS and user authentication.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { describeValue } from '../../text/describe-value.ts';
import { DEFAULTS } from '../defaults.ts';
import { durationField } from '../duration.ts';
import { mapping, text } from '../fields.ts';
import { defineSharedBackend } from './backend.ts';
import { checkTlsPair, tlsSettings, type TlsFiles } from './tls.ts';

/** An etcd client URL. */
const ENDPOINT = /^https?:\/\/[^/\s]+\/?$/;

function endpointsSchema() {
  const endpoint = z
    .string({ error: (issue) => `expected a URL such as http://127.0.0.1:2379, got ${describeValue(issue.input)}` })
    .regex(ENDPOINT, {
      error: (issue) => `invalid endpoint ${JSON.stringify(issue.input)}: use http://host:port or https://host:port`,
    });
  return z
    .array(endpoint, { error: (issue) => `expected a list of URLs such as [http://127.0.0.1:2379], got ${describeValue(issue.input)}` })
    .min(1, { error: 'needs at least one endpoint' })
    .meta({ description: 'etcd client URLs, e.g. [https://etcd-0:2379, https://etcd-1:2379].' });
}

/** The etcd settings as validated. */
interface RawEtcd {
  endpoints: string[];
  dial_timeout: number;
  tls?: TlsFiles;
  auth?: { username: string; password_file: string };
}

/** `etcd`: an etcd v3 cluster; watches are etcd's own, compaction is etcd's (auto-compaction). */
export const ETCD_BACKEND_CONFIG = defineSharedBackend({
  name: 'etcd',
  description: 'An etcd v3 cluster: records are keys, watches are etcd watches, history is kept until etcd compacts it.',
  example: 'etcd: {endpoints: [https://etcd-0:2379]}',
  needsSettings: true,
  settings: {
    endpoints: endpointsSchema(),
    dial_timeout: durationField('How long connecting to etcd may take', { positive: true }).prefault(DEFAULTS.etcdDialTimeout),
    tls: tlsSettings('etcd', 'TLS towards etcd (endpoints use https://).').optional(),
    auth: mapping(
      {
        username: text('etcd user name.'),
        password_file: text('File holding the password (first line), relative to the config file.'),
      },
      'etcd user authentication.',
    ).optional(),
  },
  check: (settings, ctx) => {
    checkTlsPair(settings['tls'], ctx);
    const endpoints = settings['endpoints'];
    if (settings['tls'] === undefined || !Array.isArray(endpoints)) return;
    endpoints.forEach((endpoint: unknown, i) => {
      if (typeof endpoint === 'string' && endpoint.startsWith('http://')) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', i], message: 'tls is set, so use https:// (this endpoint would not use TLS)' });
      }
    });
  },
  flags: [
    {
      flag: 'etcd-endpoints',
      key: 'endpoints',
      value: '<urls>',
      description: 'etcd client URLs, comma-separated (replaces etcd.endpoints of publish or source.shared)',
      parse: (value) => value.split(',').map((endpoint) => endpoint.trim()).filter((endpoint) => endpoint !== ''),
    },
  ],
  normalize: (settings, baseDir) => {
    const raw = settings as unknown as RawEtcd;
    return {
      endpoints: [...raw.endpoints],
      dialTimeoutMs: raw.dial_timeout,
      ...(raw.tls === undefined ? {} : { tls: resolveTls(raw.tls, baseDir) }),
      ...(raw.auth === undefined ? {} : { auth: { username: raw.auth.username, passwordFile: resolve(baseDir, raw.auth.password_file) } }),
    };
  },
});

/** TLS file paths resolved against `baseDir`. */
export function resolveTls(tls: TlsFiles, baseDir: string): { caFile?: string; certFile?: string; keyFile?: string } {
  return {
    ...(tls.ca_file === undefined ? {} : { caFile: resolve(baseDir, tls.ca_file) }),
    ...(tls.cert_file === undefined ? {} : { certFile: resolve(baseDir, tls.cert_file) }),
    ...(tls.key_file === undefined ? {} : { keyFile: resolve(baseDir, tls.key_file) }),
  };
}
