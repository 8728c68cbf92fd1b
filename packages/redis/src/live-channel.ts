/**
 * A pub/sub subscription an instance may trust: on a connection of its own (`client.duplicate()`), re-
 * synchronised after every (re)connection before it counts as live (messages published while it was away
 * are lost by Redis pub/sub), and pinged on that same connection every heartbeat. A reply to a ping
 * proves that everything published before it was delivered, since Redis answers one connection in order;
 * so a channel whose last reply is older than `staleAfterMs` — a hung server, a silent network partition —
 * is not trusted, and neither is one that is reconnecting or re-synchronising.
 */
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './client.js';
import { errorName, type StoreState } from './health.js';

/** What {@link openLiveChannel} needs. */
export interface LiveChannelSettings {
  readonly client: RedisClient;
  readonly channel: string;
  /** Interval of the ping (and of the owner's upkeep), in milliseconds. */
  readonly heartbeatMs: number;
  /** How old the last ping reply may be for the channel to be trusted, in milliseconds. */
  readonly staleAfterMs: number;
  /** Receives every message of the channel, live or not. */
  onMessage(message: string): void;
  /** Loads what messages may have been missed; runs after each (re)subscription, before going live. */
  resync(): Promise<void>;
  /** Periodic upkeep while live (every heartbeat). */
  onBeat?(): void;
}

/** A subscription and whether it can be trusted now. */
export interface LiveChannel {
  /** Live, and a ping answered within `staleAfterMs`: every message published before `now - staleAfterMs` has been received. */
  isLive(now?: number): boolean;
  state(): StoreState;
  /** When the state last changed. */
  since(): number;
  lastError(): string | undefined;
  /** Unsubscribes and closes the connection. */
  close(): Promise<void>;
}

/**
 * Subscribes to `settings.channel` and keeps the subscription's trust up to date.
 *
 * @example
 * ```ts
 * const live = openLiveChannel({ client, channel, heartbeatMs: 250, staleAfterMs: 1000, onMessage, resync });
 * if (!live.isLive()) throw new Error('view not current');
 * ```
 */
export function openLiveChannel(settings: LiveChannelSettings): LiveChannel {
  const { channel, heartbeatMs, staleAfterMs } = settings;
  const { client } = settings;
  const subscriber: RedisClient = client.isCluster
    ? (client as Cluster).duplicate()
    : (client as Redis).duplicate();
  let state: StoreState = 'syncing';
  let since = Date.now();
  let lastError: string | undefined;
  let lastPong = 0;
  let generation = 0;
  let syncing = false;
  let closed = false;
  const enter = (next: StoreState) => {
    if (state === next) return;
    state = next;
    since = Date.now();
  };
  const note = (error: unknown) => {
    lastError = errorName(error);
  };
  const lost = () => {
    generation += 1;
    enter('down');
  };

  async function sync(): Promise<void> {
    if (syncing || closed) return;
    syncing = true;
    generation += 1;
    const mine = generation;
    enter('syncing');
    try {
      // Subscribed first: anything published from here on arrives, so the snapshot taken next misses nothing.
      await subscriber.subscribe(channel);
      await settings.resync();
      if (mine === generation && subscriber.status === 'ready') {
        lastPong = Date.now();
        enter('live');
      }
    } catch (error) {
      note(error);
    } finally {
      syncing = false;
    }
  }

  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) settings.onMessage(message);
  });
  subscriber.on('error', note);
  subscriber.on('close', lost);
  subscriber.on('reconnecting', lost);
  subscriber.on('end', lost);
  subscriber.on('ready', () => void sync());
  if (subscriber.status === 'wait') subscriber.connect().catch(note);

  const heartbeat = setInterval(() => {
    if (state !== 'live') {
      // A sync cut short by a reconnection is retried here once the connection is ready again.
      if (subscriber.status === 'ready') void sync();
      return;
    }
    subscriber.ping().then(() => {
      lastPong = Date.now();
    }, note);
    settings.onBeat?.();
  }, heartbeatMs);
  heartbeat.unref();

  return {
    isLive: (now = Date.now()) => state === 'live' && now - lastPong <= staleAfterMs,
    state: () => (state === 'live' && Date.now() - lastPong > staleAfterMs ? 'down' : state),
    since: () => since,
    lastError: () => lastError,
    async close() {
      closed = true;
      clearInterval(heartbeat);
      subscriber.disconnect();
    },
  };
}
