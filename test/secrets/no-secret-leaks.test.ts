/**
 * No byte of a Secret leaves through an endpoint or the log: informant runs templates
 * that print Secret data, fail on it (a filter, fail(), a validate command that echoes the
 * candidate), and a Service a tenant pasted a token into; then every endpoint and every
 * log line (at trace level) is searched for every value in every encoding it may take.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { captureLogger } from '../support/log-capture.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { eventually } from '../support/waiters.ts';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWd3b7kq0aQ4cT1\nZ2FyYmFnZS1ub3QtYS1yZWFsLWNlcnQ\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\nc3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbA\n-----END PRIVATE KEY-----\n';
const PASSWORD = 'Zq9!xw'; // short: a whole password, as the issue found it quoted in errors
const TOKEN = 'tok-9f8e7d6c5b4a';
const b64 = (text: string) => Buffer.from(text).toString('base64');

const MANIFESTS = `
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {namespace: shop, name: web-tls}
data: {tls.crt: ${b64(CERT)}, tls.key: ${b64(KEY)}}
---
apiVersion: v1
kind: Secret
type: Opaque
metadata: {namespace: shop, name: db}
data: {password: ${b64(PASSWORD)}, token: ${b64(TOKEN)}}
---
apiVersion: v1
kind: Service
metadata: {namespace: shop, name: web, annotations: {pasted: "${TOKEN}"}}
spec: {ports: [{port: 80}]}
`;

const DB = 'resources.opaque.GetSingle(\\"shop\\", \\"db\\")';
const CONFIG = `
watched_resources:
  tls: {api_version: v1, kind: Secret, field_selector: type=kubernetes.io/tls, store: on-demand}
  opaque: {api_version: v1, kind: Secret, field_selector: type=Opaque}
  services: {api_version: v1, kind: Service}
source: {files: {path: manifests, watch: false}}
templates:
  crt:
    inline: "{% for s in resources.tls.Fetch(\\"shop\\") %}{{ s.data['tls.crt'] | b64decode | safe }}{{ s.data['tls.key'] | b64decode | safe }}{{ s.data['tls.key'] }}{% endfor %}"
    output: out/crt.pem
  db:
    inline: "password {{ ${DB}.data.password | b64decode }}\\ntoken {{ ${DB}.data.token | b64decode }}\\n"
    output: out/db.conf
    validate: ["sh", "-c", "cat \\"$1\\"; cat \\"$1\\" >&2; exit 1", "sh", "{{ file }}"]
  decoded-twice:
    inline: "{{ ${DB}.data.password | b64decode | b64decode }}"
    output: out/twice.txt
  failing:
    inline: "{{ fail('the token is ' ~ (${DB}.data.token | b64decode)) }}"
    output: out/failing.txt
  pems:
    inline: "{{ object.data['tls.crt'] | b64decode | safe }}{{ object.data['tls.key'] | b64decode | safe }}"
    for_each: tls
    output: "out/pems/{{ object.metadata.name }}.pem"
    mode: "0600"
    validate: ["sh", "-c", "cat \\"$1\\" >&2; exit 1", "sh", "{{ file }}"]
  per-secret:
    inline: "{{ fail('the token is ' ~ (${DB}.data.token | b64decode)) if object.metadata.name == 'db' else 'ok' }}"
    for_each: opaque
    output: "out/per-secret/{{ object.metadata.name }}.txt"
  services:
    inline: "{% for s in resources.services %}{{ s.metadata.name }} {{ s.metadata.annotations.pasted }}\\n{% endfor %}"
    output: out/services.txt
render: {debounce: 10ms, max_wait: 100ms}
server: {listen: "127.0.0.1:0", auth: none, debug: true, debug_listen: "127.0.0.1:0"}
`;

/** Every form the values may take on their way out: as stored, decoded, each line of them, JSON-escaped. */
function needles(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    out.add(b64(value));
    out.add(value);
    out.add(JSON.stringify(value).slice(1, -1));
    for (const line of value.split('\n')) if (line.length >= 6 && !line.startsWith('-----')) out.add(line);
  }
  return [...out];
}

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('Secret data', () => {
  test('never appears in any endpoint or log line, in any encoding', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-secrets-'));
    dirs.push(dir);
    await mkdir(join(dir, 'manifests'));
    await writeFile(join(dir, 'manifests', 'objects.yaml'), MANIFESTS);
    await writeFile(join(dir, 'config.yaml'), CONFIG);
    const { logger, records } = captureLogger('trace');
    const clock = new FakeClock();
    const load = () => loadConfig(join(dir, 'config.yaml'));
    const daemon = new Daemon({ config: await load(), logger, loadConfig: load, clock, watchConfig: false, processMetrics: false });
    await daemon.start();
    await eventually(async () => {
      clock.advance(100);
      await daemon.controller.idle();
      return daemon.controller.lastOutcomes.length === 7;
    }, 'every template rendered once');
    clock.advance(1_000); // the retry of the failed templates, validate included
    await daemon.controller.idle();

    const paths = [
      '/', '/healthz', '/readyz', '/metrics', '/debug/', '/debug/stores', '/debug/outputs', '/debug/config', '/debug/sync', '/debug/ui',
      ...['tls', 'opaque', 'services'].flatMap((store) => [
        `/debug/stores/${store}`,
        `/debug/stores/${store}?jsonpath=${encodeURIComponent('$..*')}`,
        `/debug/stores/${store}?jsonpath=${encodeURIComponent("data['tls.key']")}`,
        `/debug/stores/${store}?jsonpath=data.password`,
      ]),
      ...['crt', 'db', 'decoded-twice', 'failing', 'pems', 'per-secret', 'services'].flatMap((t) => [`/debug/outputs/${t}`, `/debug/outputs/${t}?rejected=1`]),
    ];
    const answers = new Map<string, string>();
    for (const path of paths) answers.set(path, await (await fetch(`${daemon.debugUrl}${path}`)).text());
    await daemon.stop();

    // The test is only worth something if the secrets were really read and the failures really happened.
    const readyz = JSON.parse(answers.get('/readyz')!) as { reasons: string[] };
    assert.ok(readyz.reasons.some((r) => /template "db": validate failed: .*password \[redacted\]/.test(r)), readyz.reasons.join('\n'));
    assert.ok(readyz.reasons.some((r) => /template "decoded-twice": render failed: .*b64decode: not valid base64 \(a string of 6 characters\)/.test(r)));
    assert.ok(readyz.reasons.some((r) => /template "failing": render failed: .*the token is \[redacted\]/.test(r)));
    assert.ok(readyz.reasons.some((r) => /template "pems": .*web-tls\.pem.*validate/.test(r)), readyz.reasons.join('\n'));
    assert.ok(readyz.reasons.some((r) => /template "per-secret": .*the token is \[redacted\]/.test(r)), readyz.reasons.join('\n'));
    assert.equal(JSON.parse(answers.get('/debug/outputs/pems')!).error, 'template "pems" reads Secret data, so its output is not shown (server.allow_secrets: true shows it)');
    assert.match(answers.get('/debug/outputs/services')!, /^web \[redacted\]\n$/, 'a value pasted outside a Secret is masked too');
    assert.equal(JSON.parse(answers.get('/debug/outputs/crt')!).error, 'template "crt" reads Secret data, so its output is not shown (server.allow_secrets: true shows it)');

    const log = records.map((record) => JSON.stringify(record)).join('\n');
    for (const needle of needles([CERT, KEY, PASSWORD, TOKEN])) {
      for (const [path, text] of answers) {
        // The Service itself holds the token as its tenant pasted it: that copy is the Service's, not the Secret's.
        if (path.startsWith('/debug/stores/services') && needles([TOKEN]).includes(needle)) continue;
        assert.ok(!text.includes(needle), `${path} shows ${JSON.stringify(needle)}`);
      }
      assert.ok(!log.includes(needle), `the log shows ${JSON.stringify(needle)}`);
    }
  });
});
