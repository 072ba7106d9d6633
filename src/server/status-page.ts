/**
 * GET /debug/ui: a status page for people, plain HTML rendered on the server from the same
 * data as the JSON endpoints (/debug/stores, /debug/outputs, /debug/sync): watched
 * resources with their sync state and counts, outputs with their last result and a diff
 * of their last change, recent render cycles. No script, no external asset, no build
 * step; every value is escaped (html.ts), since object names and error messages come from
 * tenants, and a Content-Security-Policy that allows no script at all backs that up.
 * Outputs are shown under the rules of /debug/outputs/<template>: withheld for templates
 * that read Secrets, Secret values masked elsewhere.
 */
import { maskSecretValues } from './redact.ts';
import { html, type Html } from './html.ts';
import { withIsoTimes } from './timestamps.ts';
import type { DebugAnswer } from './debug.ts';
import type { DebugBackend } from './types.ts';
import { splitLines, unifiedDiff } from '../text/diff.ts';

/** Defaults of the status page. */
export const DEFAULTS = Object.freeze({
  /** Outputs larger than this (bytes, either version) get no diff: a page, not a job for the server. */
  maxDiffBytes: 1024 * 1024,
});

/** What the page reads of /debug/stores (see server-backend.ts), times as ISO 8601. */
interface StoreView {
  resource: string;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  store: string;
  synced: boolean;
  stuck?: { reason: string; message: string };
  problem?: { message: string };
  size: number;
  missingKeys: { total: number; current: unknown[] };
}

/** What the page reads of /debug/outputs. */
interface OutputView {
  template: string;
  output: string;
  last?: { status: string; stage?: string; error?: string; at: string };
  lastOutputAt?: string;
  checksum?: string;
  onChangePending: boolean;
  leftOut?: unknown[];
  warnings?: unknown[];
}

/** What the page reads of /debug/sync. */
interface SyncView {
  synced: boolean;
  renders: { count: number; inProgressSince?: string; recent?: Array<{ at: string; templates: Array<{ template: string; status: string; stage?: string; error?: string }> }> };
  reload: { pending: boolean; lastError?: string };
  leaderElection: { enabled?: boolean; leading?: boolean; holder?: string; identity?: string };
  publisher: { publishing: boolean; reason?: string };
  exec?: { command: string; running: boolean; pid?: number; starts: number; reloads: { sent: number; failed: number }; lastExit?: { code: number | null; signal: string | null; at: string } };
}

/** The page's answer: HTML with a policy that runs no script and loads nothing. */
export function statusPage(backend: DebugBackend): DebugAnswer {
  const sync = withIsoTimes(backend.sync()) as SyncView;
  const stores = withIsoTimes(backend.storeSummaries()) as StoreView[];
  const outputs = withIsoTimes(backend.outputSummaries()) as OutputView[];
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>informant status</title><style>${STYLE}</style></head>
<body><header><h1>informant</h1><p class="muted">as of ${new Date().toISOString()} · <a href="ui">refresh</a> · <a href="./">JSON endpoints</a></p></header>
${summary(sync)}
<h2>Watched resources</h2>${resourcesTable(stores)}
<h2>Outputs</h2>${outputsTable(outputs)}${outputs.map((output) => lastChange(backend, output))}
<h2>Recent renders</h2>${recentRenders(sync)}
</body></html>
`;
  return {
    status: 200,
    text: page.text,
    contentType: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" },
  };
}

function summary(sync: SyncView): Html {
  const election = sync.leaderElection;
  const exec = sync.exec;
  return html`<section class="summary">
<div>${badge(sync.synced, 'synced', 'not synced')}</div>
<div>Renders: <b>${sync.renders.count}</b>${sync.renders.inProgressSince ? html` (one in progress since ${sync.renders.inProgressSince})` : ''}</div>
<div>Config reload: ${sync.reload.pending ? 'waiting for new watches to sync' : 'none pending'}${sync.reload.lastError ? html` · <span class="bad">last failed: ${sync.reload.lastError}</span>` : ''}</div>
<div>Leader election: ${election.enabled === false ? 'off' : html`${election.leading ? 'leading' : 'following'} (holder ${election.holder || '(none)'})`}</div>
<div>Publisher: ${sync.publisher.publishing ? 'publishing' : 'not publishing'}${sync.publisher.reason ? html` · ${sync.publisher.reason}` : ''}</div>
${exec ? html`<div>Child (exec): <code>${exec.command}</code> ${badge(exec.running, `running, pid ${exec.pid ?? '?'}`, 'not running')} · started ${exec.starts}× · reloads ${exec.reloads.sent} (${exec.reloads.failed} failed)${exec.lastExit ? html` · last exit ${exec.lastExit.code ?? exec.lastExit.signal} at ${exec.lastExit.at}` : ''}</div>` : ''}
</section>`;
}

function resourcesTable(stores: readonly StoreView[]): Html {
  if (stores.length === 0) return html`<p class="muted">No watched resources.</p>`;
  const rows = stores.map(
    (s) => html`<tr><td><a href="stores/${encodeURIComponent(s.resource)}">${s.resource}</a></td><td>${s.apiVersion}/${s.kind}</td><td>${s.namespace || 'all'}</td><td>${s.store}</td>
<td>${badge(s.synced, 'synced', s.stuck ? `stuck: ${s.stuck.reason}` : 'syncing')}</td><td class="num">${s.size}</td>
<td class="num">${s.missingKeys.current.length} (${s.missingKeys.total} so far)</td><td>${s.stuck?.message ?? s.problem?.message ?? ''}</td></tr>`,
  );
  return html`<table><thead><tr><th>resource</th><th>kind</th><th>namespace</th><th>store</th><th>state</th><th>objects</th><th>missing index key</th><th>problem</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function outputsTable(outputs: readonly OutputView[]): Html {
  if (outputs.length === 0) return html`<p class="muted">No templates.</p>`;
  const rows = outputs.map((o) => {
    const last = o.last;
    const result = last ? html`${badge(!last.error, last.status, `${last.status}${last.stage ? ` (${last.stage})` : ''}`)}` : html`<span class="muted">not rendered yet</span>`;
    return html`<tr><td><a href="outputs/${encodeURIComponent(o.template)}">${o.template}</a></td><td><code>${o.output}</code></td><td>${result}</td><td>${last?.at}</td>
<td>${o.lastOutputAt ?? html`<span class="bad">none yet</span>`}</td><td><code>${o.checksum?.slice(0, 12)}</code></td><td>${o.onChangePending ? 'pending' : ''}</td>
<td class="num">${o.leftOut?.length ?? 0} / ${o.warnings?.length ?? 0}</td><td class="error">${last?.error}</td></tr>`;
  });
  return html`<table><thead><tr><th>template</th><th>output</th><th>last result</th><th>at</th><th>last good output</th><th>checksum</th><th>on_change</th><th>left out / warned</th><th>error</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The diff of an output's last change, under the rules of /debug/outputs/<template>. */
function lastChange(backend: DebugBackend, output: OutputView): Html {
  const content = backend.output(output.template);
  const body = (): Html => {
    if (content === undefined || content.current === undefined) return html`<p class="muted">Nothing written by this process yet.</p>`;
    if (content.readsSecrets && !backend.allowSecrets) return html`<p class="muted">Not shown: this template reads Secret data (server.allow_secrets shows it).</p>`;
    if (content.previous === undefined) return html`<p class="muted">No earlier version seen by this process.</p>`;
    if (Math.max(Buffer.byteLength(content.previous), Buffer.byteLength(content.current)) > DEFAULTS.maxDiffBytes) {
      return html`<p class="muted">Too large for a diff here (over ${DEFAULTS.maxDiffBytes / 1024} KiB).</p>`;
    }
    const diff = lastDiff(backend, output.template, content.previous, content.current);
    const line = (text: string): Html => html`<span class="${diffClass(text)}">${text.replace(/\n$/, '')}</span>`;
    return html`<pre class="diff">${splitLines(diff).map(line)}</pre>`;
  };
  return html`<details><summary>Last change of <b>${output.template}</b></summary>${body()}</details>`;
}

/**
 * Per backend and template, the last diff and the texts it is of: a diff of a large output
 * takes a while (hundreds of ms for 1 MiB), so it is made once per change, not per page
 * view (the texts are the same strings until a change). Secret values are masked in the
 * diff at every view, with the Secrets known then.
 */
const DIFFS = new WeakMap<DebugBackend, Map<string, { previous: string; current: string; diff: string }>>();

function lastDiff(backend: DebugBackend, template: string, previous: string, current: string): string {
  const byTemplate = DIFFS.get(backend) ?? new Map<string, { previous: string; current: string; diff: string }>();
  DIFFS.set(backend, byTemplate);
  let cached = byTemplate.get(template);
  if (cached === undefined || cached.previous !== previous || cached.current !== current) {
    cached = { previous, current, diff: unifiedDiff(previous, current, { fromLabel: 'previous', toLabel: 'current' }) };
    byTemplate.set(template, cached);
  }
  return backend.allowSecrets ? cached.diff : maskSecretValues(cached.diff, backend.secrets());
}

function recentRenders(sync: SyncView): Html {
  const recent = sync.renders.recent ?? [];
  if (recent.length === 0) return html`<p class="muted">No render cycle yet.</p>`;
  const rows = recent.map(
    (cycle) => html`<tr><td>${cycle.at}</td><td>${cycle.templates.map(
      (t) => html`<span class="item">${t.template}: ${badge(!t.error, t.status, `${t.status}${t.stage ? ` (${t.stage})` : ''}`)}</span>`,
    )}</td></tr>`,
  );
  return html`<table><thead><tr><th>finished</th><th>templates</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function badge(good: boolean, goodText: string, badText: string): Html {
  return good ? html`<span class="badge good">${goodText}</span>` : html`<span class="badge bad">${badText}</span>`;
}

/** How a line of a unified diff is coloured: its headers, hunk headers, added, removed and unchanged lines. */
function diffClass(line: string): string {
  if (line.startsWith('--- ') || line.startsWith('+++ ')) return 'file';
  return { '+': 'add', '-': 'del', '@': 'hunk' }[line[0] ?? ''] ?? 'same';
}

const STYLE = html`
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
h1 { margin: 0; font-size: 1.5rem; } h2 { margin-top: 1.8rem; font-size: 1.15rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f4f4f6; font-weight: 600; } td.num { text-align: right; } td.error { color: #a1261d; max-width: 30rem; overflow-wrap: anywhere; }
.muted { color: #6e6e73; } .bad { color: #a1261d; } .summary div { margin: .2rem 0; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: 12px; }
.badge.good { background: #e3f4e6; color: #1e6b2c; } .badge.bad { background: #fbe5e3; color: #a1261d; }
.item { margin-right: .8rem; white-space: nowrap; }
pre.diff { background: #f8f8fa; padding: .6rem; overflow-x: auto; font-size: 12px; } pre.diff span { display: block; min-height: 1.2em; }
pre.diff .add { color: #1e6b2c; background: #e9f7ec; } pre.diff .del { color: #a1261d; background: #fcecea; }
pre.diff .hunk { color: #5a4fcf; } pre.diff .file { font-weight: 600; } details { margin: .4rem 0; }
`;
