/**
 * deploy/monitoring/: every PromQL expression of the Grafana dashboard and of the
 * PrometheusRule parses, and names only metrics informant exports, as a running daemon
 * lists them on /metrics (publishing on, process metrics on). The alerts cover what an
 * operator must hear about.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/log.ts';
import { eventually } from '../support/waiters.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MONITORING = join(ROOT, 'deploy', 'monitoring');

/** The series names a metric of each exposition type has. */
const SERIES_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/** Every series name informant's /metrics lists (from its `# TYPE` lines). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    for (const suffix of SERIES_SUFFIXES[type!] ?? ['']) names.add(name! + suffix);
  }
  return names;
}

/**
 * The metric names an expression selects; throws when it does not parse or selects
 * series without naming a metric. Grafana's interval variables ($__rate_interval, ...)
 * stand in range brackets and are read as a duration.
 */
function metricNames(expr: string): string[] {
  const promql = expr.replaceAll(/\$__\w+/g, '5m');
  const names: string[] = [];
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`does not parse at ${node.from}: ${JSON.stringify(promql.slice(node.from, node.from + 20))}`);
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier === null) throw new Error(`${promql.slice(node.from, node.to)} names no metric`);
      names.push(promql.slice(identifier.from, identifier.to));
    },
  });
  return names;
}

type Dashboard = { panels: Panel[]; templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> } };
type Panel = { title: string; type: string; panels?: Panel[]; targets?: Array<{ expr: string }> };

/** Every expression of the dashboard, with where it is: panel targets, and the selectors of label_values() variables. */
function dashboardExpressions(dashboard: Dashboard): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) found.push([`panel "${panel.title}"`, target.expr]);
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query!.query;
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(query)?.[1] ?? assert.fail(`variable ${variable.name}: a label_values(selector, label) query`);
    found.push([`variable ${variable.name}`, selector]);
  }
  return found;
}

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

async function alertRules(): Promise<Rule[]> {
  const [rule] = parseAllDocuments(await readFile(join(MONITORING, 'prometheusrule.yaml'), 'utf8')).map((d) => d.toJS());
  assert.equal(rule.kind, 'PrometheusRule');
  return rule.spec.groups.flatMap((group: { rules: Rule[] }) => group.rules);
}

describe('deploy/monitoring/', () => {
  let exported: Set<string>;
  const dirs: string[] = [];
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-metrics-'));
    dirs.push(dir);
    // Every kind of store (published, watched, on demand), a template with on_change, the server.
    const text = `
watched_resources:
  services: {api_version: v1, kind: Service, store: published}
  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress}
  secrets: {api_version: v1, kind: Secret, store: on-demand}
source:
  files: {path: ${JSON.stringify(join(ROOT, 'examples', 'manifests'))}, watch: false}
publish: {backend: memory, cluster: east, memory: {name: dashboard}}
templates:
  list: {inline: "{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}", output: out/list.txt, on_change: ["true"]}
render: {debounce: 10ms, max_wait: 50ms}
server: {listen: "127.0.0.1:0", auth: none}
`;
    const config = parseConfig(text, join(dir, 'config.yaml'));
    const daemon = new Daemon({ config, logger: silentLogger(), loadConfig: async () => config, watchConfig: false });
    try {
      await daemon.start();
      await eventually(() => daemon.publisherState()?.phase === 'publishing', 'publishing');
      const response = await fetch(`${daemon.serverUrl}/metrics`);
      assert.equal(response.status, 200);
      exported = exportedNames(await response.text());
    } finally {
      await daemon.stop();
    }
  });
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('the metric names are read from PromQL, and what does not parse is refused', () => {
    assert.deepEqual(metricNames('sum by (le) (rate(a_bucket{x="y"}[$__rate_interval])) / on (pod) b unless c offset 5m'), ['a_bucket', 'b', 'c']);
    assert.throws(() => metricNames('sum(rate(a[5m])'), /does not parse/);
    assert.throws(() => metricNames('{__name__=~"informant_.*"}'), /names no metric/);
    for (const name of ['informant_renders_total', 'informant_render_duration_seconds_bucket', 'informant_publish_errors_total', 'process_resident_memory_bytes']) {
      assert.ok(exported.has(name), `/metrics lists ${name}`);
    }
    assert.ok(!exported.has('informant_render_duration_seconds'), 'a histogram is queried through its series');
  });

  test('every expression of the Grafana dashboard parses and names metrics informant exports', async () => {
    const dashboard = JSON.parse(await readFile(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
    const expressions = dashboardExpressions(dashboard);
    assert.ok(expressions.length >= 20, `${expressions.length} expressions`);
    const used = new Set<string>();
    for (const [where, expr] of expressions) {
      const names = metricNames(expr);
      assert.ok(names.length > 0, `${where}: ${expr} names a metric`);
      for (const name of names) {
        assert.ok(exported.has(name), `${where}: ${name} is not a metric informant exports`);
        used.add(name);
      }
    }
    for (const prefix of ['informant_resource_', 'informant_watch_', 'informant_render', 'informant_command_', 'informant_leader', 'informant_publish', 'process_']) {
      assert.ok([...used].some((name) => name.startsWith(prefix)), `the dashboard shows ${prefix}* metrics`);
    }
  });

  test('every alert parses, names metrics informant exports, and says what is wrong and where', async () => {
    const rules = await alertRules();
    for (const rule of rules) {
      const names = metricNames(rule.expr);
      assert.ok(names.length > 0, `${rule.alert}: names a metric`);
      for (const name of names) assert.ok(exported.has(name), `${rule.alert}: ${name} is not a metric informant exports`);
      assert.match(rule.alert ?? '', /^Informant[A-Z]\w+$/);
      assert.ok(['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
      assert.ok(rule.annotations?.summary && rule.annotations.description, `${rule.alert}: summary and description`);
    }
  });

  test('the alerts cover sync, failing renders, stale outputs, a lost leader and a failing publisher', async () => {
    const byName = new Map((await alertRules()).map((rule) => [rule.alert, rule]));
    const covers = (alert: string, metric: string) => {
      const rule = byName.get(alert) ?? assert.fail(`an alert ${alert}`);
      assert.ok(metricNames(rule.expr).includes(metric), `${alert} reads ${metric}`);
      assert.ok(rule.for !== undefined, `${alert} waits before it fires`);
    };
    covers('InformantResourceNotSynced', 'informant_resource_synced');
    covers('InformantRenderFailing', 'informant_render_errors_total');
    covers('InformantOutputStale', 'informant_render_last_success_timestamp_seconds');
    covers('InformantLeaderLost', 'informant_leader');
    covers('InformantPublisherFailing', 'informant_publish_errors_total');
  });
});
