/**
 * Waiting for one's own echo. Redis hands a published message to every subscriber in the same pass
 * before it sleeps again, so once this instance's own subscription has delivered a write's message, the
 * same message has left for every other instance too: a write that resolves only then is, in practice,
 * visible to any request another instance receives afterwards (which `read` lets every message already
 * on the socket precede). The wait is bounded: past it the write (already recorded in Redis) resolves
 * anyway, and an instance whose subscription is that slow stops trusting its copy on its own.
 */

interface Pending {
  users: number;
  readonly heard: Set<string>;
  readonly waiting: Map<string, () => void>;
}

/** Echo bookkeeping of one channel. */
export interface Echoes {
  /** Feeds every message received on the channel, with the field it is about. */
  heard(field: string, message: string): void;
  /** Runs `publish`, then waits (at most `timeoutMs`) until the message it returns comes back. */
  around(field: string, publish: () => Promise<string>, timeoutMs: number): Promise<string>;
}

/**
 * Creates the echo bookkeeping.
 *
 * @example
 * ```ts
 * const echoes = createEchoes();
 * const stored = await echoes.around(field, () => mergeScript(field, value), 1000);
 * ```
 */
export function createEchoes(): Echoes {
  const pending = new Map<string, Pending>();
  return {
    heard(field, message) {
      const entry = pending.get(field);
      if (!entry) return;
      entry.heard.add(message);
      entry.waiting.get(message)?.();
    },
    async around(field, publish, timeoutMs) {
      let entry = pending.get(field);
      if (!entry) {
        entry = { users: 0, heard: new Set(), waiting: new Map() };
        pending.set(field, entry);
      }
      entry.users += 1;
      const own = entry;
      try {
        // Listening starts before publishing: the echo may overtake the script's reply.
        const message = await publish();
        if (!own.heard.has(message)) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            own.waiting.set(message, () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        return message;
      } finally {
        own.users -= 1;
        if (own.users === 0) pending.delete(field);
      }
    },
  };
}
