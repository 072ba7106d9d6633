/**
 * Where a render cycle writes: the configured outputs, another folder (see
 * directory-target.ts), or a callback (`file` names each file of a for_each template).
 * A type of its own, so that the library's public types do not pull in the render path.
 */
import type { TemplateConfig } from '../config/types.ts';

export type OutputTarget =
  | { kind: 'configured' }
  | { kind: 'directory'; dir: string }
  | { kind: 'callback'; write: (template: TemplateConfig, content: string, file?: string) => void };
