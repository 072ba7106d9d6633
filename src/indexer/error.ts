/**
 * IndexerError: an indexer that cannot be built for a watched resource.
 */

/**
 * Thrown by the Indexer constructor when a watched resource's index_by or remove_fields
 * cannot be compiled, or its store does not match index_by. Names the resource and the
 * expression; the PathError (or other problem) is the cause. Config validation refuses
 * such configs first, so this signals a wiring bug rather than a user mistake.
 */
export class IndexerError extends Error {
  override readonly name = 'IndexerError';
  /** The watched resource concerned. */
  readonly resource: string;
  constructor(message: string, options: { resource: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.resource = options.resource;
  }
}
