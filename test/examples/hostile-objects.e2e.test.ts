/**
 * Every shipped template, rendered with each row of the hostile table added to the example
 * manifests (support/hostile.ts):
 * - it renders (one tenant's object never fails the render);
 * - no line appears that the template does not write: every line of the benign rendering is
 *   still there, in order (every other tenant's routes unchanged), and every other line
 *   fits the grammar of the lines the template writes, with validated charsets, and holds
 *   none of the hostile markers;
 * - the templates that must catch the row name a left-out mallory object, and no template
 *   names anyone else's;
 * - `haproxy -c` accepts the HAProxy outputs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/k8s.ts';
import { checkConfig, haproxySkipReason } from '../support/haproxy.ts';
import { HOSTILE_ROWS, MALLORY_BACKEND, MARKERS, TENANT } from './support/hostile.ts';
import { exampleManifests, renderShipped, runnableConfig, type ShippedTemplate, shippedTemplates } from './support/shipped.ts';

const ID = '[A-Za-z0-9.:-]+';
const BACKEND = `${ID}(?:_${ID})*`;
const HOST = '[a-z0-9.-]+';
const PATH = '/[A-Za-z0-9._~/-]*';
const IP_PORT = '(?:\\[[0-9a-f:]+\\]|[0-9.]+):\\d+';
const COMMENT = '\\s*#.*';

/** Every line each template writes, as a pattern over validated charsets. */
const GRAMMAR: Readonly<Record<string, readonly string[]>> = {
  'haproxy.cfg': [
    '',
    COMMENT,
    `    acl (?:host_${HOST}|host_wildcard_${HOST}|tls_host) var\\(txn\\.host\\) -m (?:str ${HOST}|reg '\\^\\[\\^\\.\\]\\+(?:\\\\\\.[a-z0-9-]+)+\\$')`,
    `    use_backend ${BACKEND}(?: if (?:host_${HOST}|host_wildcard_${HOST}|\\{ path(?:_beg)? ${PATH} \\}|\\|\\|)(?: (?:host_${HOST}|host_wildcard_${HOST}|\\{ path(?:_beg)? ${PATH} \\}|\\|\\|))*)?  # (?:Exact|Prefix|ImplementationSpecific) ${PATH} from .*`,
    `backend ${BACKEND}`,
    `    server ${ID} ${IP_PORT} check`,
    `    default_backend ${BACKEND}`,
    // The HTTPS frontend and the redirect, written only when a host has a certificate.
    'frontend https',
    '    bind :443 ssl crt-list crt-list\\.txt alpn h2,http/1\\.1',
    '    http-request set-var\\(txn\\.host\\) req\\.hdr\\(host\\),field\\(1,:\\),lower',
    '    http-request set-header X-Forwarded-Proto https',
    '    http-request redirect scheme https code 308 if tls_host',
  ],
  'crt-list.txt': ['', COMMENT, `certs/${HOST}_${HOST}\\.pem \\*?${HOST}`],
  hosts: ['', COMMENT, `[0-9a-fA-F.:]+\\t${HOST}(?: ${HOST})*`],
  'deploy haproxy.cfg': [
    '',
    COMMENT,
    `    use_backend ${BACKEND} if \\{ (?:path_beg ${PATH}|var\\(txn\\.host\\) -m (?:str|end) \\.?${HOST}) \\}(?: \\{ path_beg ${PATH} \\})?`,
    `backend ${BACKEND}`,
    '    balance roundrobin',
    `    server ${ID}-\\d+ ${IP_PORT} check`,
  ],
};

/** Counts in header lines ("from 9 Ingress(es)") change with every object: compared as "N". */
function normalized(output: string): string[] {
  return output.split('\n').map((line) => (line.startsWith('# Rendered by informant') ? line.replace(/\d+/g, 'N') : line));
}

/** The lines of `hostile` that are not the lines of `benign` (matched in order); fails if a line of `benign` is missing. */
function addedLines(benign: string, hostile: string, id: string): string[] {
  const expected = normalized(benign);
  const added: string[] = [];
  let next = 0;
  for (const line of normalized(hostile)) {
    if (next < expected.length && line === expected[next]) next++;
    else added.push(line);
  }
  assert.equal(next, expected.length, `${id}: the benign line ${JSON.stringify(expected[next])} is missing or out of order`);
  return added;
}

function assertGrammar(id: string, lines: readonly string[]): void {
  const patterns = GRAMMAR[id]!.map((p) => new RegExp(`^(?:${p})$`));
  for (const line of lines) {
    assert.ok(patterns.some((p) => p.test(line)), `${id}: a line the template does not write: ${JSON.stringify(line.slice(0, 300))}`);
    for (const marker of MARKERS) assert.ok(!line.includes(marker), `${id}: "${marker}" reached the output: ${JSON.stringify(line.slice(0, 300))}`);
  }
}

/** Lines naming what a template left out (or left without TLS) because of an object. */
function reportLines(output: string): string[] {
  return output.split('\n').filter((line) => /^# (?:Left out|Without TLS): |^# \S+: left out: /.test(line));
}

describe('the hostile table through every shipped template', () => {
  let templates: ShippedTemplate[];
  let cleanup: () => Promise<void>;
  let manifests: KubeObject[];
  let benign: Map<string, string>;
  /** The lines each template writes whatever the objects: its rendering from none. */
  let fixed: Map<string, Set<string>>;
  const dirs: string[] = [];
  const rendered = new Map<string, Promise<Map<string, string>>>();
  /** The outputs with `objects` added to the example manifests, rendered once per key. */
  const withObjects = (key: string, objects: readonly KubeObject[]) => {
    if (!rendered.has(key)) rendered.set(key, renderShipped(templates, [...manifests, ...MALLORY_BACKEND, ...objects]));
    return rendered.get(key)!;
  };
  before(async () => {
    ({ templates, cleanup } = await shippedTemplates());
    manifests = await exampleManifests();
    benign = await withObjects('benign', []);
    const empty = await renderShipped(templates, []);
    fixed = new Map([...empty].map(([id, output]) => [id, new Set(normalized(output))]));
  });
  after(async () => {
    await cleanup();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('the benign rendering fits the grammar of each template and names nothing left out', () => {
    for (const [id, output] of benign) {
      assertGrammar(id, normalized(output).filter((line) => !fixed.get(id)!.has(line)));
      assert.deepEqual(reportLines(output), [], id);
    }
  });

  for (const row of HOSTILE_ROWS) {
    test(`${row.title}: left out, no line the template did not write, every other route unchanged`, async () => {
      const outputs = await withObjects(row.title, row.objects);
      for (const [id, output] of outputs) {
        const added = addedLines(benign.get(id)!, output, id);
        assertGrammar(id, added);
        const reports = reportLines(output);
        if (row.caughtBy.includes(id)) assert.ok(reports.length > 0, `${id} names what it left out`);
        for (const report of reports) assert.match(report, new RegExp(`[ (]${TENANT}/`), `${id}: only mallory's objects are left out`);
      }
    });
  }

  describe('haproxy -c', { skip: haproxySkipReason() }, () => {
    /** Runs haproxy -c on the example's and the deploy template's outputs (at once). */
    async function assertValid(outputs: Map<string, string>): Promise<void> {
      const example = await mkdtemp(join(tmpdir(), 'informant-example-'));
      const deploy = await mkdtemp(join(tmpdir(), 'informant-deploy-'));
      dirs.push(example, deploy);
      const checks = [
        { what: 'the example', file: await runnableConfig(example, outputs.get('haproxy.cfg')!, outputs.get('crt-list.txt')!) },
        { what: 'the deploy template', file: await runnableConfig(deploy, outputs.get('deploy haproxy.cfg')!, undefined) },
      ];
      const results = await Promise.all(checks.map((check) => checkConfig(check.file)));
      results.forEach((result, i) => assert.ok(result.ok, `haproxy -c refuses ${checks[i]!.what}'s output:\n${result.output}`));
    }

    test('accepts the benign rendering', async () => {
      await assertValid(benign);
    });

    test('accepts the rendering with every row of the table at once', async () => {
      await assertValid(await withObjects('every row', HOSTILE_ROWS.flatMap((row) => row.objects)));
    });

    for (const row of HOSTILE_ROWS) {
      test(`accepts the rendering with ${row.title}`, async () => {
        await assertValid(await withObjects(row.title, row.objects));
      });
    }
  });
});
