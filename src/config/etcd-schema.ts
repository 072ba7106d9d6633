/**
 * The etcd keys of config.yaml: one connection schema shared by `publish.etcd` (where a
 * publisher writes) and `source.etcd` (where a renderer subscribes), plus what each adds
 * (the cluster published under, the clusters subscribed to).
 */
import { z } from 'zod';
import { describeValue } from '../text/describe-value.ts';
import { DEFAULTS } from './defaults.ts';
import { durationField } from './duration.ts';
import { mapping, text } from './fields.ts';

/** A cluster name: one key segment (no "/"), starting with a letter or digit. */
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** An etcd client URL. */
const ENDPOINT = /^https?:\/\/[^/\s]+\/?$/;
/** A key prefix: one or more non-empty segments, with optional leading and trailing "/". */
const PREFIX = /^\/?[^/\s]+(\/[^/\s]+)*\/?$/;

/** A cluster name in etcd: one key segment (publish.etcd.cluster, source.etcd.clusters); see fields.ts clusterName for watched clusters. */
export function etcdClusterName(description: string) {
  return text(description)
    .regex(CLUSTER_NAME, {
      error: (issue) =>
        `invalid cluster name ${JSON.stringify(issue.input)}: use letters, digits, ., _ and -, starting with a letter or digit (it is a key segment)`,
    })
    .meta({ description });
}

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

/** The keys every etcd connection has. */
export function etcdConnectionShape() {
  return {
    endpoints: endpointsSchema(),
    prefix: text('Key prefix every key lives under, e.g. informant or /prod/informant.')
      .regex(PREFIX, { error: (issue) => `invalid prefix ${JSON.stringify(issue.input)}: use segments separated by "/", e.g. informant or /prod/informant` })
      .default(DEFAULTS.etcdPrefix),
    dial_timeout: durationField('How long connecting to etcd may take', { positive: true }).prefault(DEFAULTS.etcdDialTimeout),
    tls: mapping(
      {
        ca_file: text('CA bundle that signed the etcd server certificates, relative to the config file.').optional(),
        cert_file: text('Client certificate, relative to the config file; needs key_file.').optional(),
        key_file: text('Private key of the client certificate, relative to the config file; needs cert_file.').optional(),
      },
      'TLS towards etcd (endpoints use https://).',
    ).optional(),
    auth: mapping(
      {
        username: text('etcd user name.'),
        password_file: text('File holding the password (first line), relative to the config file.'),
      },
      'etcd user authentication.',
    ).optional(),
  };
}

/** Marks an issue that belongs at a key. */
const AT_KEY = { at: 'key' } as const;

type RawConnection = { endpoints?: unknown; tls?: { cert_file?: unknown; key_file?: unknown } };

/** Cross-field checks of a connection: a certificate needs its key, TLS needs https endpoints. */
function checkConnection(connection: RawConnection, ctx: z.RefinementCtx): void {
  const tls = connection.tls;
  if (tls !== undefined && tls !== null && typeof tls === 'object') {
    if (tls.cert_file !== undefined && tls.key_file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'cert_file'], message: 'needs key_file (the private key of this certificate)', params: AT_KEY });
    }
    if (tls.key_file !== undefined && tls.cert_file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'key_file'], message: 'needs cert_file (the certificate of this key)', params: AT_KEY });
    }
  }
  if (tls === undefined || !Array.isArray(connection.endpoints)) return;
  connection.endpoints.forEach((endpoint, i) => {
    if (typeof endpoint === 'string' && endpoint.startsWith('http://')) {
      ctx.addIssue({ code: 'custom', path: ['endpoints', i], message: 'tls is set, so use https:// (this endpoint would not use TLS)' });
    }
  });
}

const ON_MAPPINGS = {
  when: (payload: { value: unknown }) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value),
};

/** `publish.etcd`: a connection and the cluster this informant publishes as. */
export function etcdPublishSchema() {
  return mapping(
    {
      ...etcdConnectionShape(),
      cluster: etcdClusterName('The cluster this informant publishes as: objects go under /<prefix>/<group>/<resource>/<cluster>/.'),
    },
    'Publish the watched resources with store: etcd into etcd, for renderers with source: etcd.',
  ).superRefine(checkConnection, ON_MAPPINGS);
}

/** `source.etcd`: a connection and the clusters to read. */
export function etcdSourceSchema() {
  const names = z
    .array(etcdClusterName('A cluster name.'), {
      error: (issue) => `expected all or a list of cluster names, got ${describeValue(issue.input)}`,
    })
    .min(1, { error: 'needs at least one cluster (or write all)' });
  return mapping(
    {
      ...etcdConnectionShape(),
      clusters: z
        .union([z.literal('all'), names], {
          error: (issue) => `expected all or a list of cluster names, got ${describeValue(issue.input)}`,
        })
        .default(DEFAULTS.etcdClusters)
        .meta({ description: 'The clusters whose published objects are read: all, or a list of names.' }),
    },
    'Read objects that informant publishers wrote into etcd instead of watching a cluster.',
  ).superRefine(checkConnection, ON_MAPPINGS);
}
