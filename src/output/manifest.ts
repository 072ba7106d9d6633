/**
 * The manifest of a per-object output: a hidden JSON file in its folder,
 * `.informant-<template>.manifest`, listing the files that template wrote there. Only files
 * it lists are ever removed, so files others put in the folder are safe, and a restart
 * still removes the files of objects that went away while informant was down. It is
 * replaced atomically, and written before new files appear (listing them already), so a
 * crash at any point leaves no file of ours unlisted.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { fileNameProblem } from '../text/file-name.ts';

/** The manifest's mode: it lists names only (they are visible in the folder anyway). */
const MANIFEST_MODE = 0o644;

/** The hidden file, in a per-object output's folder, that lists the files its template wrote. */
export function manifestName(template: string): string {
  return `.informant-${template}.manifest`;
}

/** What the file holds. */
interface ManifestFile {
  /** What this file is, for whoever finds it. */
  informant: string;
  template: string;
  /** File names in the folder, sorted. */
  files: string[];
}

/** The manifest of one template in one folder. */
export class Manifest {
  readonly path: string;
  readonly #template: string;
  readonly #log: Logger;
  /** What the file on disk lists, as this process knows it; undefined until read. */
  #saved: ReadonlySet<string> | undefined;

  constructor(dir: string, template: string, logger: Logger) {
    this.path = join(dir, manifestName(template));
    this.#template = template;
    this.#log = logger;
  }

  /** Takes over what `previous` (the same file) knew. */
  adopt(previous: Manifest): void {
    if (previous.path === this.path) this.#saved = previous.#saved;
  }

  /**
   * The files listed (read from disk the first time). A missing file lists nothing; an
   * unreadable or malformed one lists nothing either (so nothing is removed) and is
   * reported; entries that are not plain file names are ignored and reported.
   */
  async files(): Promise<ReadonlySet<string>> {
    this.#saved ??= await this.#read();
    return this.#saved;
  }

  /** Replaces the file with `files` (nothing happens when it lists exactly those already). */
  async save(files: Iterable<string>): Promise<void> {
    const sorted = [...new Set(files)].sort();
    const saved = await this.files();
    if (saved.size === sorted.length && sorted.every((name) => saved.has(name))) return;
    const body: ManifestFile = {
      informant: 'the files this template wrote into this folder; informant removes them when their objects are gone',
      template: this.#template,
      files: sorted,
    };
    await writeFileAtomic(this.path, `${JSON.stringify(body, null, 2)}\n`, MANIFEST_MODE);
    this.#saved = new Set(sorted);
  }

  async #read(): Promise<ReadonlySet<string>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw err;
    }
    let files: unknown;
    try {
      files = (JSON.parse(text) as Partial<ManifestFile>).files;
    } catch (err) {
      this.#log.warn({ manifest: this.path }, `the manifest does not parse (${(err as Error).message}): files it listed are not removed; they are listed again as they are written`);
      return new Set();
    }
    if (!Array.isArray(files)) return new Set();
    const valid = files.filter((name): name is string => typeof name === 'string' && fileNameProblem(name) === undefined);
    if (valid.length < files.length) {
      this.#log.warn({ manifest: this.path, ignored: files.length - valid.length }, 'the manifest lists entries that are not plain file names of this folder: ignored, never removed');
    }
    return new Set(valid);
  }
}
