/**
 * The `memory` shared-store backend's settings: a repository in this process's memory,
 * shared by name among every publisher and source of the process. For one process (a
 * publisher and renderers started together, as tests do) and for trying things out: it
 * keeps nothing across a restart and no other process sees it.
 */
import { DEFAULTS } from '../defaults.ts';
import { text } from '../fields.ts';
import { defineSharedBackend } from './backend.ts';

/** `memory`: in-process, shared by name. */
export const MEMORY_BACKEND_CONFIG = defineSharedBackend({
  name: 'memory',
  description: 'A repository in this process\'s memory, shared by name within the process; nothing survives a restart.',
  example: 'memory: {name: default}',
  needsSettings: false,
  settings: {
    name: text('Publishers and sources of one process with the same name share one repository.').default(DEFAULTS.memoryName),
  },
  flags: [],
  normalize: (settings) => ({ name: (settings['name'] as string | undefined) ?? DEFAULTS.memoryName }),
});
