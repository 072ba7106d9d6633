/**
 * The vocabulary of the output stage: what writing an output did (WriteResult, FileChanges)
 * and what the controller drives (Output: a template's single file, or its per-object files).
 */
import type { TemplateConfig } from '../config/types.ts';
import type { SecretMask } from '../secrets/index.ts';
import type { PendingOnChange } from './on-change.ts';
import type { OutputStage } from './output-commands.ts';

export type { OutputStage } from './output-commands.ts';

/** What writing one rendering (or one batch of per-object files) did. `error` is set whenever a step failed. */
export interface WriteResult {
  /**
   * failed: nothing was replaced. written or unchanged with an error: on_change failed
   * afterwards, or (per-object outputs) some files failed while the others are in place.
   */
  status: 'written' | 'unchanged' | 'failed';
  stage?: OutputStage;
  error?: Error;
  /** Per-object outputs: what happened to each file. */
  files?: FileChanges;
}

/** What one batch of a per-object output did to its files (names within its folder). */
export interface FileChanges {
  /** Files created or replaced, sorted. */
  written: string[];
  /** Files removed because no element renders to them any more, sorted. */
  removed: string[];
  /** Files whose content was already right. */
  unchanged: number;
  /** Files that kept their previous version (or were not created) because a step failed for them. */
  failed: Array<{ file: string; stage: OutputStage; message: string }>;
}

/** The Secret data a rendering holds: whether it read any, and the mask for messages about it. */
export interface RenderedSecrets {
  readonly read: boolean;
  readonly mask: SecretMask;
}

/** A snapshot for the debug endpoint and readiness. */
export interface OutputState {
  template: string;
  output: string;
  /** sha256 of the output on disk as this process knows it (per-object: of its file list and checksums); undefined when there is none. */
  checksum: string | undefined;
  /** Clock time of the last replace by this process. */
  lastWrittenAt: number | undefined;
  /** on_change has not run for the current output yet (not the leader, or it failed). */
  onChangePending: boolean;
  /** Per-object outputs: how many files are in place. */
  files?: number;
}

/** The output of one template, as the controller drives it: one file, or one file per object. */
export interface Output {
  readonly template: TemplateConfig;
  /** Its on_change: owed or not (the controller runs the commands of a cycle together, see on-change.ts). */
  readonly onChange: PendingOnChange;
  readonly onChangePending: boolean;
  /** The content as last written, for /debug/outputs (per-object outputs: a listing of their files, never their content). */
  readonly currentContent: string | undefined;
  /** What currentContent was before the last change this process made, when it knew it (the diff in /debug/ui). */
  readonly previousContent: string | undefined;
  /** The last rendering validate or the write rejected, for debugging (single files only). */
  readonly rejectedCandidate: string | undefined;
  /** A rendering of it read Secret data: its content and candidates are not to be shown. */
  readonly readsSecrets: boolean;
  state(): OutputState;
  /** Takes over what the output of the same template and place knew under the previous config version. */
  adopt(previous: Output): void;
}
