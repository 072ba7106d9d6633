/**
 * PerObjectOutput: the files of a `for_each` template, one per element, in one folder.
 * Each batch (one render of the template) replaces the files whose content changed, each
 * atomically as a single output is replaced (candidate, validate, rename), and removes the
 * files of elements that are gone: only files the folder's manifest lists (manifest.ts),
 * never anything else. Then on_change is owed once for the batch.
 *
 * - validate runs once per new or changed file, on its candidate (`{{ file }}`); a file it
 *   rejects keeps its previous version (or is not created), the others go ahead.
 * - An element whose render failed keeps its previous file; an element that is gone, or
 *   left out (fail_object), has its file removed.
 * - The set of files is not replaced atomically as a whole: a reader may see some new files
 *   before others. on_change runs when all are in place.
 * - `{{ file }}` in on_change (and INFORMANT_OUTPUT) is the folder.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import { checksum, fileChecksum, replaceFile, writeTemporary } from './atomic-file.ts';
import { FileAttributes } from './file-attributes.ts';
import { fileNameProblem } from '../text/file-name.ts';
import { Manifest } from './manifest.ts';
import { PendingOnChange, runOnChanges } from './on-change.ts';
import { OutputCommands, OutputError, type OutputStage } from './output-commands.ts';
import { sameAttributes, type TemplateOutputSettings } from './template-output.ts';
import type { FileChanges, Output, OutputState, RenderedSecrets, WriteResult } from './types.ts';

/** Failures named in a batch's error message at most (the count is always given). */
const NAMED_FAILURES = 3;

/** What the elements of a for_each template rendered to, by file name. */
export interface FileBatch {
  /** Content per file name, for each element that rendered. */
  files: ReadonlyMap<string, string>;
  /** Elements whose render failed, by their file name: those files (if any) stay as they are. */
  failed: ReadonlyMap<string, Error>;
}

/** Owns the files of one for_each template (see the module comment). Batches are serialized by the controller. */
export class PerObjectOutput implements Output {
  readonly template: TemplateOutputSettings['template'];
  readonly onChange: PendingOnChange;
  /** The folder the files are written into. */
  readonly dir: string;
  readonly #settings: TemplateOutputSettings;
  readonly #log: Logger;
  readonly #commands: OutputCommands;
  readonly #attributes: FileAttributes;
  readonly #manifest: Manifest;
  /** sha256 of each file on disk as this process knows it (read from disk once). */
  #checksums = new Map<string, string | undefined>();
  /** Files whose mode and owner were checked under this config version. */
  #attributesChecked = new Set<string>();
  /** The last content validate rejected, per file. */
  #rejected = new Map<string, { checksum: string; error: Error }>();
  #lastWrittenAt: number | undefined;
  /** The listing (currentContent) before the last change. */
  #previousListing: string | undefined;
  /** A rendering of it read Secret data (once true, it stays). */
  #readsSecrets = false;

  /** `dir` replaces the configured folder (`render --out DIR`). */
  constructor(settings: TemplateOutputSettings, dir?: string) {
    const { template } = settings;
    if (template.forEach === undefined) throw new Error(`template "${template.name}" has no for_each`);
    this.#settings = settings;
    this.template = template;
    this.dir = dir ?? template.forEach.dir;
    this.#log = settings.logger.child({ component: 'output', template: template.name });
    this.#commands = new OutputCommands(template, { ...settings, logger: this.#log });
    this.#attributes = new FileAttributes(template, this.#log, settings.attributes);
    this.#manifest = new Manifest(this.dir, template.name, this.#log);
    this.onChange = new PendingOnChange(template, this.dir, this.#commands, settings.runCommands);
  }

  /** Takes over what `previous` (the same template and folder under the config before a reload) knew. */
  adopt(previous: Output): void {
    if (!(previous instanceof PerObjectOutput) || previous.dir !== this.dir || previous.template.name !== this.template.name) return;
    this.#manifest.adopt(previous.#manifest);
    this.#checksums = previous.#checksums;
    this.#lastWrittenAt = previous.#lastWrittenAt;
    this.#previousListing = previous.#previousListing;
    if (sameAttributes(previous.template, this.template)) this.#attributesChecked = previous.#attributesChecked;
    this.onChange.adopt(previous.onChange);
    this.#readsSecrets = previous.#readsSecrets;
    this.#commands.mask = previous.#commands.mask;
  }

  /** Whether a rendering of it read Secret data: not even its listing is shown then. */
  get readsSecrets(): boolean {
    return this.#readsSecrets;
  }

  get onChangePending(): boolean {
    return this.onChange.pending;
  }

  /** The files in place with their checksums, one per line: names and checksums only, never content (private keys). */
  get currentContent(): string | undefined {
    const known = [...this.#checksums].filter((entry): entry is [string, string] => entry[1] !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return known.length === 0 && this.#lastWrittenAt === undefined ? undefined : known.map(([name, sum]) => `${name} sha256:${sum}\n`).join('');
  }

  /** The listing before the last change (for the diff of the last change in /debug/ui). */
  get previousContent(): string | undefined {
    return this.#previousListing;
  }

  get rejectedCandidate(): undefined {
    return undefined;
  }

  state(): OutputState {
    const listing = this.currentContent;
    return {
      template: this.template.name,
      output: this.dir,
      checksum: listing === undefined ? undefined : checksum(listing),
      lastWrittenAt: this.#lastWrittenAt,
      onChangePending: this.onChangePending,
      files: [...this.#checksums.values()].filter((sum) => sum !== undefined).length,
    };
  }

  /**
   * Writes a batch (see the module comment); on_change is then owed when a file changed.
   * Never throws. `secrets`: what Secret data the rendering read (masks command output).
   */
  async write(batch: FileBatch, secrets?: RenderedSecrets): Promise<WriteResult> {
    if (secrets) {
      this.#readsSecrets ||= secrets.read;
      this.#commands.mask = secrets.mask;
    }
    let listed: ReadonlySet<string>;
    try {
      listed = await this.#manifest.files();
    } catch (err) {
      return this.#failed('write', `cannot read the manifest ${this.#manifest.path}: ${(err as Error).message}`, err);
    }
    const changes: FileChanges = { written: [], removed: [], unchanged: 0, failed: [] };
    const before = this.currentContent;
    for (const [file, error] of batch.failed) changes.failed.push({ file, stage: 'render', message: error.message });
    const pending = await this.#compare(batch, changes);
    const stale = [...listed].filter((name) => !batch.files.has(name) && !batch.failed.has(name)).sort();
    if (pending.length > 0 || stale.length > 0) await this.#apply(batch, pending, stale, listed, changes);
    else await this.#saveManifest([...listed, ...inPlace(batch, changes)], changes);
    if (changes.written.length > 0 || changes.removed.length > 0) {
      this.onChange.changed();
      this.#previousListing = before;
      this.#lastWrittenAt = this.#settings.clock.now();
    }
    return this.#result(changes);
  }

  /** Runs a pending on_change (after a leadership change or an earlier failure). */
  async runPendingOnChange(mayRunOnChange: boolean): Promise<WriteResult> {
    const errors = await runOnChanges([this.onChange], mayRunOnChange, this.#log);
    const error = errors.get(this.template.name);
    return error ? { status: 'unchanged', stage: 'on_change', error } : { status: 'unchanged' };
  }

  /** The files of the batch that need writing (unchanged ones counted, and their mode and owner corrected once). */
  async #compare(batch: FileBatch, changes: FileChanges): Promise<Array<{ name: string; content: string; sum: string }>> {
    const pending: Array<{ name: string; content: string; sum: string }> = [];
    for (const name of [...batch.files.keys()].sort()) {
      const content = batch.files.get(name)!;
      const sum = checksum(content);
      try {
        assertFileName(name);
        if (sum === (await this.#checksumOf(name))) {
          await this.#correct(name, content);
          changes.unchanged++;
          continue;
        }
      } catch (err) {
        changes.failed.push({ file: name, stage: 'write', message: (err as Error).message });
        continue;
      }
      const rejected = this.#rejected.get(name);
      if (rejected?.checksum === sum) changes.failed.push({ file: name, stage: 'validate', message: rejected.error.message });
      else pending.push({ name, content, sum });
    }
    return pending;
  }

  /** Lists new files in the manifest, writes them, removes the stale ones, and saves the manifest of what is in place. */
  async #apply(
    batch: FileBatch,
    pending: Array<{ name: string; content: string; sum: string }>,
    stale: string[],
    listed: ReadonlySet<string>,
    changes: FileChanges,
  ): Promise<void> {
    const added = pending.map((p) => p.name).filter((name) => !listed.has(name));
    if (added.length > 0 && !(await this.#saveManifest([...listed, ...added], changes))) return;
    for (const { name, content, sum } of pending) {
      const failure = await this.#writeOne(name, content, sum);
      if (failure === undefined) changes.written.push(name);
      else changes.failed.push({ file: name, stage: failure.stage, message: failure.message });
    }
    for (const name of stale) {
      try {
        assertFileName(name);
        await rm(join(this.dir, name), { force: true });
        this.#checksums.delete(name);
        this.#rejected.delete(name);
        changes.removed.push(name);
      } catch (err) {
        changes.failed.push({ file: name, stage: 'write', message: `cannot remove it: ${(err as Error).message}` });
      }
    }
    const removed = new Set(changes.removed);
    await this.#saveManifest([...listed, ...inPlace(batch, changes)].filter((name) => !removed.has(name)), changes);
  }

  /** One file: candidate with mode and owner, validate, rename. The failure, if any. */
  async #writeOne(name: string, content: string, sum: string): Promise<{ stage: OutputStage; message: string } | undefined> {
    const file = join(this.dir, name);
    let candidate: string;
    try {
      candidate = await writeTemporary(file, content, this.#attributes.mode(content, file), 'candidate');
    } catch (err) {
      return { stage: 'write', message: `cannot write the candidate: ${(err as Error).message}` };
    }
    try {
      await this.#attributes.own(candidate);
    } catch (err) {
      await rm(candidate, { force: true }).catch(() => undefined);
      return { stage: 'write', message: `cannot set the owner of the candidate: ${(err as Error).message}` };
    }
    const rejected = this.#settings.runCommands ? await this.#commands.validate(candidate, `file ${name}`) : undefined;
    if (rejected) {
      await rm(candidate, { force: true }).catch(() => undefined);
      this.#rejected.set(name, { checksum: sum, error: rejected });
      return { stage: 'validate', message: rejected.message };
    }
    try {
      await replaceFile(candidate, file);
    } catch (err) {
      await rm(candidate, { force: true }).catch(() => undefined);
      return { stage: 'write', message: `cannot replace it: ${(err as Error).message}` };
    }
    this.#checksums.set(name, sum);
    this.#rejected.delete(name);
    this.#attributesChecked.add(name);
    return undefined;
  }

  async #checksumOf(name: string): Promise<string | undefined> {
    if (!this.#checksums.has(name)) this.#checksums.set(name, await fileChecksum(join(this.dir, name)));
    return this.#checksums.get(name);
  }

  async #correct(name: string, content: string): Promise<void> {
    if (this.#attributesChecked.has(name)) return;
    await this.#attributes.correct(join(this.dir, name), content);
    this.#attributesChecked.add(name);
  }

  /** Saves the manifest; a failure is recorded (nothing else may happen then) and false returned. */
  async #saveManifest(files: Iterable<string>, changes: FileChanges): Promise<boolean> {
    try {
      await this.#manifest.save(files);
      return true;
    } catch (err) {
      changes.failed.push({ file: this.#manifest.path, stage: 'write', message: `cannot write the manifest: ${(err as Error).message}` });
      return false;
    }
  }

  #result(changes: FileChanges): WriteResult {
    const changed = changes.written.length > 0 || changes.removed.length > 0;
    const status = changed ? 'written' : changes.failed.length > 0 ? 'failed' : 'unchanged';
    if (changes.failed.length === 0) return { status, files: changes };
    const [first] = changes.failed;
    const named = changes.failed.slice(0, NAMED_FAILURES).map((f) => `${f.file}: ${f.stage} failed: ${f.message}`);
    const more = changes.failed.length > NAMED_FAILURES ? `; and ${changes.failed.length - NAMED_FAILURES} more` : '';
    const kept = 'each keeps its previous version';
    const message = `template "${this.template.name}": ${changes.failed.length} file(s) not replaced (${kept}): ${named.join('; ')}${more}`;
    return { status, stage: first!.stage, error: new OutputError(message, { template: this.template.name, stage: first!.stage }), files: changes };
  }

  #failed(stage: OutputStage, message: string, cause: unknown): WriteResult {
    const error = new OutputError(`template "${this.template.name}": ${message}`, { template: this.template.name, stage, cause });
    return { status: 'failed', stage, error };
  }
}

/** The files of a batch that are in place after it: rendered ones that did not fail. */
function inPlace(batch: FileBatch, changes: FileChanges): string[] {
  const failed = new Set(changes.failed.map((f) => f.file));
  return [...batch.files.keys()].filter((name) => !failed.has(name));
}

/** Defense in depth: the renderer checks names already; nothing outside the folder is ever touched. */
function assertFileName(name: string): void {
  const problem = fileNameProblem(name);
  if (problem !== undefined) throw new Error(`refused a file name: ${problem}`);
}
