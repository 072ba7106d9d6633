/**
 * Realistic Kubernetes objects for the benchmarks, built deterministically from an index:
 * Pods of about 4 KB of JSON (a third of it managedFields, as the API server writes them),
 * Secrets with 4 KB of data, and the Ingress / Service / EndpointSlice triples the example
 * haproxy.cfg template renders. Every string that differs between real objects (names,
 * uids, addresses, hashes) differs here too, so V8 cannot share them.
 */
import type { KubeObject } from '../../src/k8s.ts';
import { CERT_A } from '../../test/support/tls-fixtures.ts';

/** Sizes of the generated data set. */
export const SHAPE = Object.freeze({
  /** Namespaces objects are spread over: a mid-size multi-tenant cluster. */
  namespaces: 100,
  /** Nodes pods and endpoints are spread over. */
  nodes: 50,
  /** Ready endpoints per EndpointSlice (plus one not ready). */
  endpointsPerSlice: 3,
  /** Bytes of data in a benchmark Secret (base64 of 3 KB ≈ 4 KB of JSON). */
  secretBytes: 3072,
});

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const TIME = '2025-10-20T16:42:55Z';

/** The namespace of object `i`. */
export function namespaceOf(i: number): string {
  return `team-${String(i % SHAPE.namespaces).padStart(3, '0')}`;
}

/** A deterministic pseudo-uid for object `i` of `kind`. */
export function uidOf(kind: string, i: number): string {
  const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
  const h = hash(`${kind}/${i}`);
  return `${hex(h, 8)}-${hex(i, 4)}-4${hex(h >>> 4, 3)}-8${hex(h >>> 8, 3)}-${hex(h ^ i, 8)}${hex(i, 4)}`;
}

/** An IPv4 address in 10.0.0.0/8 for endpoint `i`. */
export function ipOf(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** A Pod as the API server returns it (spec, status, managedFields of three managers): ~4 KB of JSON. */
export function pod(i: number, generation = 0): KubeObject {
  const app = `app-${i % 997}`;
  const hashLabel = (hash(`${app}/${i >> 4}`) >>> 0).toString(36).slice(0, 10);
  const name = `${app}-${hashLabel}-${(i * 7919).toString(36).slice(-5)}`;
  const node = `node-${i % SHAPE.nodes}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${app}-${hashLabel}-`,
      namespace: namespaceOf(i),
      uid: uidOf('Pod', i),
      labels: { app, 'pod-template-hash': hashLabel, tier: i % 3 === 0 ? 'frontend' : 'backend', 'bench/generation': String(generation) },
      annotations: { 'kubectl.kubernetes.io/restartedAt': TIME, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hashLabel}`, uid: uidOf('ReplicaSet', i >> 4), controller: true, blockOwnerDeletion: true }],
      managedFields: podManagedFields(app),
    },
    spec: podSpec(app, node, i),
    status: podStatus(app, node, i),
  };
}

function podManagedFields(app: string): unknown[] {
  return [
    {
      manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: TIME, fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/restartedAt': {}, 'f:prometheus.io/port': {}, 'f:prometheus.io/scrape': {} },
          'f:generateName': {},
          'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {}, 'f:tier': {} },
          'f:ownerReferences': { '.': {}, 'k:{"uid":"0"}': {} },
        },
        'f:spec': {
          'f:containers': {
            [`k:{"name":"${app}"}`]: {
              '.': {}, 'f:env': { '.': {}, 'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {},
              'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
              'f:readinessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {} }, 'f:periodSeconds': {} },
              'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
              'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {},
            },
          },
          'f:dnsPolicy': {}, 'f:enableServiceLinks': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:securityContext': {}, 'f:terminationGracePeriodSeconds': {},
        },
      },
    },
    {
      manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: TIME, fieldsType: 'FieldsV1', subresource: 'status',
      fieldsV1: {
        'f:status': {
          'f:conditions': {
            'k:{"type":"ContainersReady"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
            'k:{"type":"Initialized"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
            'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
          },
          'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {},
          'f:podIPs': { '.': {}, 'k:{"ip":"0"}': { '.': {}, 'f:ip': {} } }, 'f:startTime': {},
        },
      },
    },
  ];
}

function podSpec(app: string, node: string, i: number): Record<string, unknown> {
  return {
    containers: [{
      name: app,
      image: `registry.example.com/team/${app}:1.${i % 40}.${i % 7}`,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
      env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
      resources: { limits: { memory: '512Mi' }, requests: { cpu: '100m', memory: '256Mi' } },
      readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    }],
    volumes: [{ name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    nodeName: node,
    securityContext: {},
    schedulerName: 'default-scheduler',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    priority: 0,
    enableServiceLinks: true,
  };
}

function podStatus(app: string, node: string, i: number): Record<string, unknown> {
  const ip = ipOf(i);
  const condition = (type: string): unknown => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: TIME });
  return {
    phase: 'Running',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP: `192.168.${i % SHAPE.nodes}.10`,
    podIP: ip,
    podIPs: [{ ip }],
    startTime: TIME,
    containerStatuses: [{
      name: app,
      state: { running: { startedAt: TIME } },
      lastState: {},
      ready: true,
      restartCount: i % 3,
      image: `registry.example.com/team/${app}:1.${i % 40}.${i % 7}`,
      imageID: `registry.example.com/team/${app}@sha256:${uidOf('image', i).replace(/-/g, '')}`,
      containerID: `containerd://${uidOf('container', i).replace(/-/g, '')}`,
      started: true,
    }],
    qosClass: 'Burstable',
  };
}

/**
 * A TLS Secret with SHAPE.secretBytes of (base64) data and managedFields: ~4 KB of JSON. Its
 * tls.crt and tls.key hold a real certificate and its key (one test pair for all: the
 * templates check that they belong together), each followed by lines of filler that differ
 * per Secret (PEM readers skip text outside the blocks) up to the size.
 */
export function secret(i: number): KubeObject {
  const crtBytes = Math.floor(SHAPE.secretBytes * 0.75);
  const crt = padded(CERT_A.cert, crtBytes, i);
  const key = padded(CERT_A.key, SHAPE.secretBytes - crtBytes, i);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `tls-${i}`,
      namespace: namespaceOf(i),
      uid: uidOf('Secret', i),
      labels: { 'app.kubernetes.io/managed-by': 'cert-manager' },
      annotations: { 'cert-manager.io/certificate-name': `cert-${i}` },
      managedFields: [{ manager: 'cert-manager', operation: 'Update', apiVersion: 'v1', time: TIME, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:tls.crt': {}, 'f:tls.key': {} }, 'f:type': {} } }],
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') },
  };
}

/** `pem` followed by filler lines that depend on `i`, `bytes` long in all. */
function padded(pem: string, bytes: number, i: number): string {
  let text = pem;
  for (let line = 0; text.length < bytes; line++) text += `# filler ${(hash(`${i}`) + line * 31).toString(16).padStart(8, '0')}\n`;
  return text.slice(0, bytes);
}

/** Ingress `i` of class haproxy: one host, two paths, TLS; routes to Service `i` (named and numbered ports). */
export function ingress(i: number): KubeObject {
  const name = `site-${i}`;
  const host = `${name}.${namespaceOf(i)}.example.com`;
  const backend = (port: Record<string, unknown>): unknown => ({ service: { name, port } });
  const spec = {
    ingressClassName: 'haproxy',
    rules: [{ host, http: { paths: [
      { path: '/', pathType: 'Prefix', backend: backend({ name: 'http' }) },
      { path: '/api', pathType: 'Prefix', backend: backend({ number: 9090 }) },
    ] } }],
    tls: [{ hosts: [host], secretName: `tls-${i}` }],
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name, namespace: namespaceOf(i), uid: uidOf('Ingress', i), generation: 1,
      labels: { 'app.kubernetes.io/name': name },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: namespaceOf(i) }, spec }) },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'networking.k8s.io/v1', time: TIME, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} }, 'f:labels': { '.': {}, 'f:app.kubernetes.io/name': {} } }, 'f:spec': { 'f:ingressClassName': {}, 'f:rules': {}, 'f:tls': {} } } }],
    },
    spec,
    status: { loadBalancer: {} },
  };
}

/** Service `i`: ports http (80 → http) and metrics (9090). */
export function service(i: number): KubeObject {
  const name = `site-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name, namespace: namespaceOf(i), uid: uidOf('Service', i),
      labels: { 'app.kubernetes.io/name': name },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: TIME, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:targetPort': {} }, 'k:{"port":9090,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:selector': {}, 'f:type': {} } } }],
    },
    spec: {
      type: 'ClusterIP', clusterIP: `172.20.${(i >> 8) & 255}.${i & 255}`, selector: { 'app.kubernetes.io/name': name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }, { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 }],
    },
  };
}

/**
 * The EndpointSlice of Service `i`: SHAPE.endpointsPerSlice ready endpoints and one not
 * ready. `version` shifts the addresses, so a new version renders differently.
 */
export function endpointSlice(i: number, version = 0): KubeObject {
  const name = `site-${i}`;
  const endpoints = [];
  for (let e = 0; e <= SHAPE.endpointsPerSlice; e++) {
    const n = i * 8 + e;
    endpoints.push({
      addresses: [ipOf(n + version * 1_000_003)],
      conditions: { ready: e < SHAPE.endpointsPerSlice, serving: true, terminating: false },
      nodeName: `node-${n % SHAPE.nodes}`,
      zone: ZONES[n % ZONES.length],
      targetRef: { kind: 'Pod', namespace: namespaceOf(i), name: `${name}-${(n * 7919).toString(36)}`, uid: uidOf('Pod', n) },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-${(i * 104729).toString(36).slice(-5)}`, namespace: namespaceOf(i), uid: uidOf('EndpointSlice', i),
      generateName: `${name}-`,
      labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'discovery.k8s.io/v1', time: TIME, fieldsType: 'FieldsV1', fieldsV1: { 'f:addressType': {}, 'f:endpoints': {}, 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:endpointslice.kubernetes.io/managed-by': {}, 'f:kubernetes.io/service-name': {} } }, 'f:ports': {} } }],
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }],
  };
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
