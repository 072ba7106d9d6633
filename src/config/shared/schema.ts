/**
 * `publish` (where a publisher writes) and `source.shared` (where a renderer reads): the
 * backend's name, the backend-neutral keys (the key prefix; the cluster published as, or
 * the clusters read), and one settings mapping per backend, of which only the chosen
 * backend's may be written.
 */
import { z } from 'zod';
import { describeValue } from '../../text/describe-value.ts';
import { DEFAULTS } from '../defaults.ts';
import { mapping, oneOf, text } from '../fields.ts';
import type { SharedBackendConfig } from './backend.ts';

/** A cluster name: one key segment (no "/"), starting with a letter or digit. */
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A key prefix: one or more non-empty segments, with optional leading and trailing "/". */
const PREFIX = /^\/?[^/\s]+(\/[^/\s]+)*\/?$/;

/** Refinements run whenever the value is a mapping, even if some of its fields are wrong. */
const ON_MAPPINGS = {
  when: (payload: { value: unknown }) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value),
};

/** A cluster name in a shared store: one key segment (publish.cluster, source.shared.clusters); see fields.ts clusterName for watched clusters. */
export function sharedClusterName(description: string) {
  return text(description)
    .regex(CLUSTER_NAME, {
      error: (issue) =>
        `invalid cluster name ${JSON.stringify(issue.input)}: use letters, digits, ., _ and -, starting with a letter or digit (it is a key segment)`,
    })
    .meta({ description });
}

function prefixField() {
  return text('Key prefix every key lives under, e.g. informant or /prod/informant.')
    .regex(PREFIX, { error: (issue) => `invalid prefix ${JSON.stringify(issue.input)}: use segments separated by "/", e.g. informant or /prod/informant` })
    .default(DEFAULTS.sharedPrefix);
}

/** The keys every shared-store section has: the backend, the prefix, and each backend's settings. */
function sharedShape(backends: readonly SharedBackendConfig[]) {
  const names = backends.map((backend) => backend.name);
  const [first, ...rest] = names;
  if (first === undefined) throw new Error('buildConfigSchema: at least one shared-store backend is needed');
  const settings: Record<string, z.ZodType> = {};
  for (const backend of backends) {
    const schema = mapping(backend.settings, `Settings of the ${backend.name} backend: ${backend.description}`);
    settings[backend.name] = (backend.check ? schema.superRefine((value, ctx) => backend.check!(value, ctx), ON_MAPPINGS) : schema).optional();
  }
  const description = `The shared-store backend: ${backends.map((b) => b.name).join(', ')}; its settings go under the key of its name.`;
  return { backend: oneOf([first, ...rest], 'shared store backend', description), prefix: prefixField(), ...settings };
}

/** Only the chosen backend's settings may be written, and it must be when the backend needs settings. */
function checkSettings(backends: readonly SharedBackendConfig[]) {
  return (section: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const chosen = backends.find((backend) => backend.name === section['backend']);
    if (chosen === undefined) return;
    if (chosen.needsSettings && section[chosen.name] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['backend'], message: `backend ${chosen.name} needs its settings: ${chosen.example}`, params: { at: 'key' } });
    }
    for (const other of backends) {
      if (other === chosen || section[other.name] === undefined) continue;
      const message = `${other.name} settings are written, but the backend is ${chosen.name} (set backend: ${other.name}, or remove these)`;
      ctx.addIssue({ code: 'custom', path: [other.name], message, params: { at: 'key' } });
    }
  };
}

/** `publish`: a backend and the cluster this informant publishes as. */
export function publishSchema(backends: readonly SharedBackendConfig[]) {
  return mapping(
    {
      ...sharedShape(backends),
      cluster: sharedClusterName('The cluster this informant publishes as: objects go under /<prefix>/<group>/<resource>/<cluster>/.'),
    },
    'Publish the watched resources with store: published into a shared store, for renderers with source.shared.',
  ).superRefine(checkSettings(backends), ON_MAPPINGS);
}

/** `source.shared`: a backend and the clusters to read. */
export function sharedSourceSchema(backends: readonly SharedBackendConfig[]) {
  const names = z
    .array(sharedClusterName('A cluster name.'), {
      error: (issue) => `expected all or a list of cluster names, got ${describeValue(issue.input)}`,
    })
    .min(1, { error: 'needs at least one cluster (or write all)' });
  return mapping(
    {
      ...sharedShape(backends),
      clusters: z
        .union([z.literal('all'), names], {
          error: (issue) => `expected all or a list of cluster names, got ${describeValue(issue.input)}`,
        })
        .default(DEFAULTS.sharedClusters)
        .meta({ description: 'The clusters whose published objects are read: all, or a list of names.' }),
    },
    'Read the objects informant publishers wrote into a shared store instead of watching a cluster.',
  ).superRefine(checkSettings(backends), ON_MAPPINGS);
}
