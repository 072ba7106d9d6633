/**
 * Reading a watch response: body chunks → lines → events, handed one by one to a callback
 * (which may throw to end the watch); and the buffer that collects a streaming list's
 * initial events until the `k8s.io/initial-events-end` bookmark.
 */
import { objectId, type KubeObject } from '../../k8s.ts';
import { LineSplitter, parseWatchEvent, type WatchEvent } from './lines.ts';

/** The annotation on the bookmark that ends a streaming list's initial events. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/**
 * Feeds `body` through a line splitter and calls `onEvent` for each event, in order;
 * `onChunk` is called for every chunk (a sign of life). Resolves with the number of events
 * when the body ends cleanly; rejects with InvalidWatchLineError on a malformed line, or
 * with whatever the body or `onEvent` threw.
 */
export async function readEvents(
  body: AsyncIterable<Uint8Array>,
  onEvent: (event: WatchEvent) => void,
  onChunk: () => void,
): Promise<number> {
  const splitter = new LineSplitter();
  let count = 0;
  for await (const chunk of body) {
    onChunk();
    for (const line of splitter.push(chunk)) {
      onEvent(parseWatchEvent(line));
      count++;
    }
  }
  for (const line of splitter.end()) {
    onEvent(parseWatchEvent(line));
    count++;
  }
  return count;
}

/** True for the bookmark that marks the end of a streaming list's initial events. */
export function isInitialEventsEnd(event: WatchEvent): boolean {
  return event.type === 'BOOKMARK' && event.object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true';
}

/**
 * The objects of a streaming list, collected until its end bookmark. Events before the
 * bookmark are applied to the buffer (ADDED/MODIFIED set, DELETED remove) instead of the
 * sink; the result replaces the sink's contents in one go.
 */
export class InitialEvents {
  readonly #objects = new Map<string, KubeObject>();
  #done = false;

  /** Whether the end bookmark has been seen. */
  get done(): boolean {
    return this.#done;
  }

  /** Takes one event before the end; returns true when it was the end bookmark. */
  take(event: WatchEvent): boolean {
    if (isInitialEventsEnd(event)) this.#done = true;
    else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#objects.set(objectId(event.object), event.object);
    else if (event.type === 'DELETED') this.#objects.delete(objectId(event.object));
    return this.#done;
  }

  /**
   * The collected objects; the buffer is emptied, so the caller alone holds them from then
   * on (the watch that carried them goes on for minutes and must not keep them alive).
   */
  drain(): KubeObject[] {
    const objects = [...this.#objects.values()];
    this.#objects.clear();
    return objects;
  }
}
