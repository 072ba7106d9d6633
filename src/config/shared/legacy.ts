/**
 * The old, etcd-only spelling of the shared store (`publish.etcd` with the cluster and the
 * prefix inside, `source.etcd`): refused with one problem each that shows the same
 * settings in the new spelling, ready to paste. Problems validation finds inside such a
 * section are left out (they would name keys of the new spelling the file does not have).
 */
import { stringify } from 'yaml';

/** A section written in the old spelling, and what to write instead. */
export interface LegacySection {
  /** Where it is: ['publish', 'etcd'] or ['source', 'etcd']. */
  readonly path: readonly string[];
  /** The section whose validation problems are left out. */
  readonly root: readonly string[];
  readonly message: string;
}

function mappingOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The sections of `data` (the config file as plain values) written in the old spelling. */
export function legacySections(data: unknown): LegacySection[] {
  const sections: LegacySection[] = [];
  const publish = mappingOf(mappingOf(data)?.['publish']);
  const oldPublish = mappingOf(publish?.['etcd']);
  if (publish && oldPublish && publish['backend'] === undefined) {
    const { cluster, prefix, ...connection } = oldPublish;
    const rewritten = { publish: { backend: 'etcd', cluster, ...(prefix === undefined ? {} : { prefix }), etcd: connection } };
    sections.push({ path: ['publish', 'etcd'], root: ['publish'], message: rewrite('publish names its backend now', rewritten) });
  }
  const source = mappingOf(mappingOf(data)?.['source']);
  const oldSource = mappingOf(source?.['etcd']);
  if (source && oldSource) {
    const { clusters, prefix, ...connection } = oldSource;
    const shared = { backend: 'etcd', ...(prefix === undefined ? {} : { prefix }), ...(clusters === undefined ? {} : { clusters }), etcd: connection };
    sections.push({ path: ['source', 'etcd'], root: ['source'], message: rewrite('a renderer reads source.shared now', { source: { shared } }) });
  }
  return sections;
}

/** True when `path` lies in one of the sections. */
export function inLegacySection(path: readonly PropertyKey[], sections: readonly LegacySection[]): boolean {
  return sections.some((section) => section.root.every((segment, i) => path[i] === segment));
}

function rewrite(why: string, replacement: unknown): string {
  const text = stringify(replacement, { flowCollectionPadding: false }).trimEnd();
  return `the old spelling: ${why} (etcd, postgres or memory). Write instead:\n${text.replace(/^/gm, '    ')}`;
}
