/**
 * Command-line flags of shared-store backends (`--postgres-url`, `--etcd-endpoints`, …):
 * each sets one key of its backend's settings in `publish` and `source.shared`, wherever
 * the config uses that backend, before the config is validated (defaults → file → flags →
 * validate). A flag value is checked on its own first, so its problem names the flag.
 */
import { resolve } from 'node:path';
import type { SharedBackendConfig, SharedBackendFlag } from './backend.ts';

/** Flag values as given, by flag name without dashes (`postgres-url` → text). */
export type SharedFlagValues = Readonly<Record<string, string>>;

/** A problem with a flag: the flag and what is wrong. */
export interface FlagProblem {
  readonly flag: string;
  readonly message: string;
}

function mappingOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `data` with every flag value set where its backend is used, or the problems of the flags. */
export function applySharedFlags(
  data: unknown,
  values: SharedFlagValues,
  backends: readonly SharedBackendConfig[],
): { data: unknown; problems: FlagProblem[] } {
  let result = data;
  const problems: FlagProblem[] = [];
  for (const [flag, text] of Object.entries(values)) {
    const owner = backends.find((backend) => backend.flags.some((f) => f.flag === flag));
    const definition = owner?.flags.find((f) => f.flag === flag);
    if (owner === undefined || definition === undefined) {
      problems.push({ flag, message: 'no shared-store backend has this flag' });
      continue;
    }
    const value = flagValue(definition, text);
    const checked = owner.settings[definition.key]?.safeParse(value);
    if (checked && !checked.success) {
      problems.push({ flag, message: checked.error.issues[0]?.message ?? 'invalid value' });
      continue;
    }
    const applied = withSetting(result, owner.name, definition.key, value);
    if (applied === undefined) problems.push({ flag, message: `neither publish nor source.shared uses the ${owner.name} backend` });
    else result = applied;
  }
  return { data: result, problems };
}

function flagValue(flag: SharedBackendFlag, text: string): unknown {
  const value = flag.parse ? flag.parse(text) : text;
  return flag.path && typeof value === 'string' ? resolve(value) : value;
}

/** A copy of `data` with `<backend>.<key>` set in each section that uses `backend`; undefined when none does. */
function withSetting(data: unknown, backend: string, key: string, value: unknown): unknown {
  const root = mappingOf(data);
  if (root === undefined) return undefined;
  let changed = false;
  const set = (section: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
    if (section?.['backend'] !== backend) return section;
    changed = true;
    return { ...section, [backend]: { ...mappingOf(section[backend]), [key]: value } };
  };
  const publish = set(mappingOf(root['publish']));
  const source = mappingOf(root['source']);
  const shared = set(mappingOf(source?.['shared']));
  if (!changed) return undefined;
  return {
    ...root,
    ...(publish === undefined ? {} : { publish }),
    ...(shared === undefined ? {} : { source: { ...source, shared } }),
  };
}
