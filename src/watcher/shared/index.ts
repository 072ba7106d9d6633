/** The shared source: watched resources read from what informant publishers wrote into a shared store. */
export { DEFAULTS, SharedSource, type SharedSourceOptions } from './shared-source.ts';
