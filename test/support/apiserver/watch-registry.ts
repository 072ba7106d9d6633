/**
 * The open watches of a server, grouped by resource, so that a change reaches exactly the
 * watches of its resource and faults can reach every watch.
 */
import type { ChangeEvent } from './event-log.ts';
import type { ServedResource } from './resources.ts';
import type { WatchStream } from './watch-stream.ts';

/** Open watch streams by resource id. */
export class WatchRegistry {
  readonly #byResource = new Map<string, Set<WatchStream>>();

  /** Tracks a stream until it closes (the stream's onClose must call remove). */
  add(stream: WatchStream): void {
    const set = this.#byResource.get(stream.resource.id) ?? new Set<WatchStream>();
    set.add(stream);
    this.#byResource.set(stream.resource.id, set);
  }

  remove(stream: WatchStream): void {
    this.#byResource.get(stream.resource.id)?.delete(stream);
  }

  /** Hands a change to every open watch of its resource. */
  deliver(resource: ServedResource, event: ChangeEvent): void {
    const streams = this.#byResource.get(resource.id);
    if (streams !== undefined) for (const stream of streams) stream.deliver(event);
  }

  /** The open watches of one resource, or of all. A copy: safe to close while iterating. */
  list(resource?: ServedResource): WatchStream[] {
    if (resource !== undefined) return [...(this.#byResource.get(resource.id) ?? [])];
    return [...this.#byResource.values()].flatMap((set) => [...set]);
  }
}
