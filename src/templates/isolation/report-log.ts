/**
 * ReportLog: logs what renders left out and warned about, once per distinct finding: an
 * object left out (or warned about) for the same reason at the same version in the
 * template's previous render is logged at debug, everything new at warn. Log entries name
 * the template, the resource, the object and the reason; never a value of the object.
 */
import type { Logger } from '../../log.ts';
import type { ObjectReport, RenderReport } from './index.ts';

/** A render's report, with the findings its previous render of the same template did not have. */
export interface TemplateReport extends RenderReport {
  readonly template: string;
  readonly newlyLeftOut: readonly ObjectReport[];
  readonly newWarnings: readonly ObjectReport[];
}

/** Per template, the findings of its last render (see the module comment). */
export class ReportLog {
  readonly #log: Logger;
  readonly #last = new Map<string, ReadonlySet<string>>();

  constructor(logger: Logger) {
    this.#log = logger;
  }

  /** Logs `report` of a render of `template` and says which findings are new. */
  record(template: string, report: RenderReport): TemplateReport {
    const previous = this.#last.get(template) ?? new Set<string>();
    const seen = new Set<string>();
    const fresh = (kind: string, entries: readonly ObjectReport[]): ObjectReport[] =>
      entries.filter((entry) => {
        const key = `${kind}\0${entry.resource}\0${entry.cluster ?? ''}\0${entry.namespace}\0${entry.name}\0${entry.resourceVersion ?? ''}\0${entry.reason}`;
        seen.add(key);
        return !previous.has(key);
      });
    const newlyLeftOut = fresh('left out', report.leftOut);
    const newWarnings = fresh('warning', report.warnings);
    this.#last.set(template, seen);
    const isNew = new Set([...newlyLeftOut, ...newWarnings]);
    for (const entry of report.leftOut) this.#write(template, entry, isNew.has(entry), 'left out');
    for (const entry of report.warnings) this.#write(template, entry, isNew.has(entry), 'warning about');
    return { template, ...report, newlyLeftOut, newWarnings };
  }

  #write(template: string, entry: ObjectReport, isNew: boolean, what: string): void {
    const { resource, kind, cluster, namespace, name, reason } = entry;
    const id = namespace === '' ? name : `${namespace}/${name}`;
    const fields = { template, resource, ...(kind ? { kind } : {}), ...(cluster ? { cluster } : {}), namespace, name, reason };
    const message = `template "${template}": ${what} ${kind ?? resource} ${cluster ? `${cluster}|` : ''}${id}: ${reason}`;
    if (isNew) this.#log.warn(fields, message);
    else this.#log.debug(fields, message);
  }
}
