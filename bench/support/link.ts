/**
 * The child's side of the IPC channel to the benchmark runner (see child.ts in this
 * folder for the parent's side): report progress, wait for the runner's go-ahead.
 */
import type { Message } from './child.ts';

/** What a contender task gets to talk to the runner. */
export interface Link {
  /** Sends a message to the runner. */
  send(message: Message): void;
  /** The next message of `type` from the runner. */
  next(type: string): Promise<Message>;
}

/** The Link over process.send / process.on('message'). */
export function parentLink(): Link {
  const inbox: Message[] = [];
  const waiters: Array<{ type: string; resolve: (m: Message) => void }> = [];
  process.on('message', (message: Message) => {
    const index = waiters.findIndex((w) => w.type === message.type);
    if (index === -1) inbox.push(message);
    else waiters.splice(index, 1)[0]!.resolve(message);
  });
  return {
    send(message) {
      process.send!(message);
    },
    next(type) {
      const index = inbox.findIndex((m) => m.type === type);
      if (index !== -1) return Promise.resolve(inbox.splice(index, 1)[0]!);
      return new Promise((resolve) => waiters.push({ type, resolve }));
    },
  };
}
