/**
 * The mode and owner of output files.
 *
 * - Mode: `templates.<name>.mode` (default 0644), set on the candidate before it replaces
 *   the output, so the file never exists with another mode. A file whose content holds a
 *   PEM private key is never written readable by others: the "other" bits are cleared
 *   (0644 becomes 0640), with a warning.
 * - Owner: `templates.<name>.owner`, set on the candidate too. Names are looked up in
 *   /etc/passwd and /etc/group (the files the C library reads first; directory services are
 *   not consulted), so numeric ids work everywhere and names where those files list them;
 *   a name they do not list fails the write. Changing the owner needs the privilege to
 *   chown (root, or CAP_CHOWN; an unprivileged process may only set a group it belongs to):
 *   when the process lacks it, the file is written with the process's own owner (the mode
 *   still applies, so it is never readable by more people than configured) and a warning
 *   says so, once per template.
 * - A file whose content is unchanged is not rewritten, but its mode and owner are
 *   corrected the first time a config version sees it.
 */
import { chmod, chown, readFile, stat } from 'node:fs/promises';
import type { OwnerConfig, TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';

/** A PEM private key of any type (RSA, EC, PKCS#8, encrypted). */
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** The permission bits of others. */
const OTHER_BITS = 0o007;

/** Where user and group names are looked up. */
export interface AccountFiles {
  passwd: string;
  group: string;
}

/** The system's account files. */
export const SYSTEM_ACCOUNT_FILES: AccountFiles = Object.freeze({ passwd: '/etc/passwd', group: '/etc/group' });

/** Side effects FileAttributes uses; tests hand in their own. */
export interface FileAttributeDeps {
  /** chown(2); default node:fs's. */
  chown?: (path: string, uid: number, gid: number) => Promise<void>;
  /** Default the system's /etc/passwd and /etc/group. */
  accounts?: AccountFiles;
}

/** A user or group name the account files do not list. */
export class OwnerError extends Error {
  override readonly name = 'OwnerError';
}

/** Whether `content` holds a PEM private key. */
export function holdsPrivateKey(content: string): boolean {
  return PRIVATE_KEY.test(content);
}

/** The mode a file with `content` is written with: `mode`, without the "other" bits when it holds a private key. */
export function modeFor(mode: number, content: string): number {
  return holdsPrivateKey(content) ? mode & ~OTHER_BITS : mode;
}

/** The uid and gid `owner` names (-1: leave as it is), names looked up in `files`. Throws OwnerError for unknown names. */
export async function resolveOwner(owner: OwnerConfig, files: AccountFiles = SYSTEM_ACCOUNT_FILES): Promise<{ uid: number; gid: number }> {
  const uid = typeof owner.user === 'string' ? await lookUp(files.passwd, owner.user, 'user') : (owner.user ?? -1);
  const gid = typeof owner.group === 'string' ? await lookUp(files.group, owner.group, 'group') : (owner.group ?? -1);
  return { uid, gid };
}

/** The id of `name` in an account file (`name:password:id:...` lines). */
async function lookUp(file: string, name: string, what: 'user' | 'group'): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new OwnerError(`cannot look up ${what} "${name}": ${(err as Error).message} (use a numeric id instead)`);
  }
  for (const line of text.split('\n')) {
    const [entry, , id] = line.split(':');
    if (entry === name && id !== undefined && /^[0-9]+$/.test(id)) return Number(id);
  }
  throw new OwnerError(`no ${what} named "${name}" in ${file} (use a numeric id, or a name that file lists)`);
}

/** Sets the mode and owner of one template's output files (see the module comment). */
export class FileAttributes {
  readonly #template: TemplateConfig;
  readonly #log: Logger;
  readonly #chown: (path: string, uid: number, gid: number) => Promise<void>;
  readonly #accounts: AccountFiles;
  #ids: Promise<{ uid: number; gid: number }> | undefined;
  #warnedMode = false;
  #warnedOwner = false;

  constructor(template: TemplateConfig, logger: Logger, deps: FileAttributeDeps = {}) {
    this.#template = template;
    this.#log = logger;
    this.#chown = deps.chown ?? chown;
    this.#accounts = deps.accounts ?? SYSTEM_ACCOUNT_FILES;
  }

  /** The mode to write `content` with (`file` names it in the warning when a private key narrows it). */
  mode(content: string, file: string): number {
    const mode = modeFor(this.#template.mode, content);
    if (mode !== this.#template.mode && !this.#warnedMode) {
      this.#warnedMode = true;
      const configured = this.#template.mode.toString(8).padStart(4, '0');
      const used = mode.toString(8).padStart(4, '0');
      this.#log.warn({ file, mode: configured, used }, `${file} holds a private key: written with mode ${used} instead of ${configured}, so that others cannot read it`);
    }
    return mode;
  }

  /** Sets the configured owner on `path` (nothing without one). Throws OwnerError for a name the account files do not list. */
  async own(path: string): Promise<void> {
    if (this.#template.owner === undefined) return;
    this.#ids ??= resolveOwner(this.#template.owner, this.#accounts);
    let ids: { uid: number; gid: number };
    try {
      ids = await this.#ids;
    } catch (err) {
      this.#ids = undefined; // the account files may list it later
      throw err;
    }
    try {
      await this.#chown(path, ids.uid, ids.gid);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EACCES') throw err;
      this.#warnOwner(path, ids);
    }
  }

  /** Corrects the mode and owner of an existing file with `content` that is not rewritten. */
  async correct(path: string, content: string): Promise<void> {
    const mode = this.mode(content, path);
    const found = await stat(path);
    if ((found.mode & 0o777) !== mode) await chmod(path, mode);
    if (this.#template.owner !== undefined) await this.own(path);
  }

  #warnOwner(path: string, ids: { uid: number; gid: number }): void {
    if (this.#warnedOwner) return;
    this.#warnedOwner = true;
    const process = `uid ${globalThis.process.getuid?.() ?? '?'}, gid ${globalThis.process.getgid?.() ?? '?'}`;
    this.#log.warn(
      { file: path, uid: ids.uid, gid: ids.gid },
      `cannot give ${path} the owner ${formatOwner(this.#template.owner!)}: not permitted (this process runs as ${process}, and changing a file's owner needs root or CAP_CHOWN); the file keeps the process's owner, with mode ${this.#template.mode.toString(8).padStart(4, '0')}`,
    );
  }
}

/** An owner as written in the config: user:group. */
export function formatOwner(owner: OwnerConfig): string {
  return `${owner.user ?? ''}${owner.group === undefined ? '' : `:${owner.group}`}`;
}
