/**
 * The templates stage's vocabulary: what the controller and the CLI use to render
 * configured templates from the stores.
 *
 * Templates are nunjucks 3.2.4 (pinned) with autoescape off, `throwOnUndefined`, and
 * trim/lstrip blocks. They see `vars` (the config's template variables), `object` in a
 * for_each template (for-each.ts), and `resources`: per watched resource `x`,
 * `resources.x` is the array of its objects sorted by namespace then name, with the
 * methods `List()`, `Get(...keys)`, `Fetch(...keys)` and `GetSingle(...keys)` (see
 * resources.ts); informant's filters and the `fail(msg)` function are in filters.ts, the
 * TLS Secret checks in tls.ts. `{% memo keys %}...{% endmemo %}` blocks are reused while
 * what they read is unchanged (memo/, nunjucks/memo-tag.ts: incremental rendering).
 *
 * Templates are code. nunjucks is not a sandbox: whoever can edit a template can run
 * arbitrary JavaScript with the controller's permissions (which include reading Secrets),
 * e.g. through `"".constructor.constructor(...)`. Load templates only from operator-owned
 * sources, never from tenant data. With autoescape off, values are written as they are:
 * a tenant-controlled annotation containing a newline can inject configuration lines, so
 * validate such values before using them. `escape: line` (the default) refuses line breaks
 * and control characters in printed values, leaving out the objects that hold them, and
 * validators.ts and isolation/ give templates the means to leave a bad object out
 * themselves.
 */
export type { Renderer, RendererOptions, RenderTrace, TemplateCheckOptions } from './types.ts';
export type { EachResult } from './for-each.ts';
export { createRenderer, checkTemplates } from './renderer.ts';
export { RenderError, ResourceError, FilterError, TemplateFailure } from './errors.ts';
export type { ResourceView, ResourceMethods, Resources } from './resources.ts';
export { UnresolvedFetchError, DEFAULTS as TWO_PASS_DEFAULTS } from './two-pass.ts';
export type { ObjectReport, RenderReport } from './isolation/index.ts';
export type { TemplateReport } from './isolation/report-log.ts';
export type { MemoOptions, MemoStats } from './memo/index.ts';
