/**
 * The hostile table: objects a tenant ("mallory") can create, each trying to turn a field
 * of its own objects into a proxy directive, a line of someone else's, or a config HAProxy
 * refuses. Every row is added to the example manifests; the tests render every shipped
 * template with it (hostile-objects.e2e.test.ts) and route real requests through HAProxy with
 * all of them at once (haproxy-live.e2e.test.ts).
 */
import type { KubeObject } from '../../../src/k8s.ts';

export const TENANT = 'mallory';

/** One way in: the objects, and the shipped templates that must say they left one out. */
export interface HostileRow {
  readonly title: string;
  readonly objects: readonly KubeObject[];
  /** Templates whose output must name a left-out (or TLS-less) mallory object. */
  readonly caughtBy: readonly string[];
}

/** Text that must never reach an output: each hostile value carries one. */
export const MARKERS = Object.freeze(['pwned', 'always_true', 'listen', 'steal', '{{', '49', 'evil.internal', '9999']);

const HAPROXY_TEMPLATES = ['haproxy.cfg', 'crt-list.txt', 'deploy haproxy.cfg'];
const EXAMPLE_MODEL = ['haproxy.cfg', 'crt-list.txt'];

const LONG = 'x'.repeat(100_000);
/** A 253-character host: the longest a DNS name may be, so it ranks first where rules go longest host first. */
export const LONG_HOST = `a${'a'.repeat(62)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;

interface PathSpec {
  path?: string;
  pathType?: string;
  backend?: Record<string, unknown>;
}

/** An Ingress of class haproxy in mallory's namespace, routing `paths` of `host` to Service web:80. */
export function ingress(name: string, host: string, paths: PathSpec[] = [{}], spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: TENANT },
    spec: {
      ingressClassName: 'haproxy',
      rules: [
        {
          host,
          http: {
            paths: paths.map((p) => ({
              path: p.path ?? '/',
              pathType: p.pathType ?? 'Prefix',
              backend: p.backend ?? { service: { name: 'web', port: { number: 80 } } },
            })),
          },
        },
      ],
      ...spec,
    },
  };
}

/** mallory's Service (ClusterIP unless `spec` says otherwise). */
export function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: TENANT },
    spec: { type: 'ClusterIP', clusterIP: '10.96.99.9', clusterIPs: ['10.96.99.9'], ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
  };
}

/** An EndpointSlice of mallory's Service `serviceName`, port "http". */
export function endpointSlice(name: string, serviceName: string, endpoints: unknown[], ports: unknown[] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: TENANT, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

/** A TLS Secret of mallory's. */
export function tlsSecret(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: TENANT }, data };
}

/** An endpoint at `ip` for Pod `pod`. */
export function endpoint(ip: string, pod: string, extra: Record<string, unknown> = {}): unknown {
  return { addresses: [ip], conditions: { ready: true }, targetRef: { kind: 'Pod', name: pod, namespace: TENANT }, ...extra };
}

/** mallory's well-formed Service and endpoints, which the rows route to. */
export const MALLORY_BACKEND: readonly KubeObject[] = Object.freeze([
  service('web'),
  endpointSlice('web-1', 'web', [endpoint('10.244.99.9', 'web-0')]),
]);

const path = (p: string, pathType = 'Prefix'): PathSpec[] => [{ path: p, pathType }];

/** The rows; see the module comment. */
export const HOSTILE_ROWS: readonly HostileRow[] = Object.freeze([
  {
    title: 'a path with a line break and a directive (ImplementationSpecific)',
    objects: [ingress('nl', 'nl.mallory.example', path('/x\n    http-request return status 200 content-type text/plain string pwned\n#', 'ImplementationSpecific'))],
    caughtBy: HAPROXY_TEMPLATES,
  },
  { title: 'a path with a carriage return', objects: [ingress('cr', 'cr.mallory.example', path('/x\rlisten pwned'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a path with a NUL character', objects: [ingress('nul', 'nul.mallory.example', path('/x\u0000pwned'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a path with U+2028', objects: [ingress('ls', 'ls.mallory.example', path('/x\u2028listen pwned'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a path with U+2029', objects: [ingress('ps', 'ps.mallory.example', path('/x\u2029listen pwned'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a path with U+0085', objects: [ingress('nel', 'nel.mallory.example', path('/x\u0085listen pwned'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a path with "#", which would start a comment', objects: [ingress('hash', 'hash.mallory.example', path('/x#pwned'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a path with quotes', objects: [ingress('quotes', 'quotes.mallory.example', path(`/x'" pwned"'`))], caughtBy: HAPROXY_TEMPLATES },
  {
    title: 'a path that closes the ACL ("} || { always_true") under a 253-character host that ranks first',
    objects: [ingress('greedy', LONG_HOST, path('/zzz } || { always_true'))],
    caughtBy: HAPROXY_TEMPLATES,
  },
  { title: 'a path with template syntax', objects: [ingress('braces', 'braces.mallory.example', path('/{{ 7 * 7 }}'))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a 100 KB path', objects: [ingress('big-path', 'big.mallory.example', path(`/${LONG}`))], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a host with a line break', objects: [ingress('host-nl', 'a.mallory.example\nlisten pwned')], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a host with spaces and braces', objects: [ingress('host-brace', 'a.mallory.example } || { always_true')], caughtBy: HAPROXY_TEMPLATES },
  { title: 'a 100 KB host', objects: [ingress('big-host', `${LONG}.example`)], caughtBy: HAPROXY_TEMPLATES },
  {
    title: 'a resource backend with a line break in its path',
    objects: [
      ingress('bucket', 'files.mallory.example', [
        { path: '/x\nlisten steal\n    bind :9999\n    http-request return status 200 file /var/run/secrets/kubernetes.io/serviceaccount/token', backend: { resource: { apiGroup: 'storage.example.com', kind: 'Bucket', name: 'b' } } },
      ]),
    ],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a backend Service name with a line break',
    objects: [ingress('svc-name', 'svc.mallory.example', [{ backend: { service: { name: 'web\nlisten pwned', port: { number: 80 } } } }])],
    caughtBy: HAPROXY_TEMPLATES,
  },
  {
    title: 'a backend port name with "||"',
    objects: [ingress('port-name', 'port.mallory.example', [{ backend: { service: { name: 'web', port: { name: 'http || always_true' } } } }])],
    caughtBy: HAPROXY_TEMPLATES,
  },
  {
    title: 'an Ingress class with a line break',
    objects: [{ ...ingress('klass', 'class.mallory.example'), spec: { ingressClassName: 'nginx\nlisten pwned', rules: [] } }],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a TLS Secret name that walks out of the certificate folder',
    objects: [ingress('tls-walk', 'walk.mallory.example', [{}], { tls: [{ hosts: ['walk.mallory.example'], secretName: '../../../etc/passwd' }] })],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a namespace that walks out of the certificate folder (a manifest; the API server would refuse it)',
    objects: [
      {
        ...ingress('tls-ns', 'ns.mallory.example', [{}], { tls: [{ hosts: ['ns.mallory.example'], secretName: 'web-tls' }] }),
        metadata: { name: 'tls-ns', namespace: `${TENANT}/../../../etc` },
      },
    ],
    caughtBy: HAPROXY_TEMPLATES,
  },
  {
    title: 'a TLS host with a line break',
    objects: [ingress('tls-host', 'tls.mallory.example', [{}], { tls: [{ hosts: ['tls.mallory.example\nlisten pwned'], secretName: 'web-tls' }] })],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a default backend Service name with spaces',
    objects: [ingress('default', 'default.mallory.example', [{}], { defaultBackend: { service: { name: 'web always_true', port: { number: 80 } } } })],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a Service port name with a line break',
    objects: [ingress('svc-port', 'svc-port.mallory.example'), service('web', { ports: [{ name: 'http\nlisten pwned', port: 80 }] })],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a Service cluster IP that is not an address',
    objects: [service('dns', { clusterIP: '10.0.0.1 evil.internal', clusterIPs: ['10.0.0.1 evil.internal\n10.0.0.2 evil.internal'] })],
    caughtBy: ['hosts'],
  },
  {
    title: 'an ExternalName with a line break',
    objects: [service('ext', { type: 'ExternalName', clusterIP: undefined, clusterIPs: undefined, externalName: 'db.example.com\n10.0.0.1 evil.internal' })],
    caughtBy: ['hosts'],
  },
  {
    title: 'an endpoint targetRef name that adds a section',
    objects: [ingress('ep-name', 'ep.mallory.example'), endpointSlice('web-evil', 'web', [endpoint('10.244.99.10', 'x 10.1.2.3:80\n\nlisten pwned\n    bind :9999')])],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'an endpoint address that is not an IP',
    objects: [ingress('ep-addr', 'ep-addr.mallory.example'), endpointSlice('web-addr', 'web', [endpoint('10.1.2.3:80\nlisten pwned', 'web-9')])],
    caughtBy: [...EXAMPLE_MODEL, 'deploy haproxy.cfg'],
  },
  {
    title: 'an EndpointSlice port that is text',
    objects: [ingress('ep-port', 'ep-port.mallory.example'), endpointSlice('web-port', 'web', [endpoint('10.244.99.11', 'web-8')], [{ name: 'http', port: '80 backup\nlisten pwned' }])],
    caughtBy: HAPROXY_TEMPLATES,
  },
  {
    title: 'a headless Service endpoint hostname with a line break',
    objects: [
      service('db', { clusterIP: 'None', clusterIPs: ['None'] }),
      endpointSlice('db-1', 'db', [endpoint('10.244.99.12', 'db-0', { hostname: 'db-0\n10.0.0.1 evil.internal' })]),
    ],
    caughtBy: ['hosts'],
  },
  {
    title: 'a TLS Secret with line breaks in its data',
    objects: [ingress('tls-data', 'tls-data.mallory.example', [{}], { tls: [{ hosts: ['tls-data.mallory.example'], secretName: 'data-tls' }] }), tlsSecret('data-tls', { 'tls.crt': 'a\nlisten pwned', 'tls.key': 'b\nlisten pwned' })],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'a TLS Secret without a key',
    objects: [ingress('tls-nokey', 'nokey.mallory.example', [{}], { tls: [{ hosts: ['nokey.mallory.example'], secretName: 'nokey-tls' }] }), tlsSecret('nokey-tls', { 'tls.crt': 'Y2VydA==' })],
    caughtBy: EXAMPLE_MODEL,
  },
  {
    title: 'annotations with line breaks, which no template prints',
    objects: [{ ...ingress('annotated', 'annotated.mallory.example'), metadata: { name: 'annotated', namespace: TENANT, annotations: { 'haproxy.example/snippet': 'listen pwned\n    bind :9999' } } }],
    caughtBy: [],
  },
]);
