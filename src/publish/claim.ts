/**
 * Fencing of publishers: before it writes anything, a publisher claims its cluster's
 * publisher key (`layout.publisherKey(cluster)`) with its identity and an epoch (the
 * wall-clock ms at which it became leader, or its start time without leader election). A claim succeeds only
 * when the stored epoch is lower (or the key is absent, or it is this very publisher's
 * own claim); the key's new mod revision then guards every batch the publisher commits,
 * so a publisher that another one has since replaced cannot write a single key more.
 */
import { isKvError, type KvRecord, type Repository, type Revision } from '../kv/index.ts';

/** Digits of an epoch in the publisher key: byte order of the padded text is numeric order. */
const EPOCH_DIGITS = 20;
/** How often a claim is tried again when another writer changed the key between read and write. */
const CLAIM_RACES = 5;

/** Who claims: the publisher's identity and its epoch (a non-negative whole number). */
export interface PublisherClaim {
  readonly identity: string;
  readonly epoch: bigint;
}

/** This publisher may not (or may no longer) publish: another one holds the key with a newer claim. */
export class PublisherFencedError extends Error {
  override readonly name = 'PublisherFencedError';
  /** The other publisher's claim, when it could be read. */
  readonly holder: PublisherClaim | undefined;
  constructor(message: string, options: { holder?: PublisherClaim | undefined; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.holder = options.holder;
  }
}

/** The stored value of a claim: JSON with the epoch zero-padded to 20 digits. */
export function encodeClaim(claim: PublisherClaim): string {
  if (claim.epoch < 0n) throw new RangeError(`epoch ${claim.epoch} is negative`);
  return JSON.stringify({ identity: claim.identity, epoch: claim.epoch.toString().padStart(EPOCH_DIGITS, '0') });
}

/** The claim a stored value holds, or undefined when it is not one. */
export function decodeClaim(value: string): PublisherClaim | undefined {
  try {
    const parsed = JSON.parse(value) as { identity?: unknown; epoch?: unknown };
    if (typeof parsed.identity !== 'string' || typeof parsed.epoch !== 'string' || !/^\d+$/.test(parsed.epoch)) return undefined;
    return { identity: parsed.identity, epoch: BigInt(parsed.epoch) };
  } catch {
    return undefined;
  }
}

/** Whether `mine` may replace the claim stored in `record`. */
function mayReplace(record: KvRecord, mine: PublisherClaim): boolean {
  const stored = decodeClaim(record.value);
  if (stored === undefined) return true;
  return stored.epoch < mine.epoch || (stored.epoch === mine.epoch && stored.identity === mine.identity);
}

/**
 * Claims `key` for `claim` (see the module comment). Resolves to the key's new mod
 * revision, the guard of every later batch; rejects with PublisherFencedError when a newer
 * claim is stored, and with the repository's KvError when it is unreachable.
 */
export async function claimPublisherKey(repository: Repository, key: string, claim: PublisherClaim): Promise<Revision> {
  const value = encodeClaim(claim);
  for (let race = 0; race < CLAIM_RACES; race++) {
    const record = await repository.get(key);
    if (record !== undefined && !mayReplace(record, claim)) {
      const holder = decodeClaim(record.value);
      throw new PublisherFencedError(`${describeHolder(holder)} holds ${key} with a newer claim`, { holder });
    }
    try {
      return await repository.commit({
        guards: [{ key, modRevision: record?.modRevision ?? 0n }],
        operations: [{ type: 'put', key, value }],
      });
    } catch (err) {
      if (!isKvError(err, 'Conflict')) throw err;
    }
  }
  throw new PublisherFencedError(`${key} kept changing while it was being claimed: another publisher is claiming it`);
}

/** Who holds the key, for messages. */
export function describeHolder(holder: PublisherClaim | undefined): string {
  return holder === undefined ? 'another publisher' : `publisher "${holder.identity}" (epoch ${holder.epoch})`;
}

/** The current holder of `key`, when it can be read (for the message of a rejected batch). */
export async function readHolder(repository: Repository, key: string): Promise<PublisherClaim | undefined> {
  try {
    const record = await repository.get(key);
    return record === undefined ? undefined : decodeClaim(record.value);
  } catch {
    return undefined;
  }
}
