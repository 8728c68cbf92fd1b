/**
 * A pub/sub subscription an instance may trust: on a connection of its own (`client.duplicate()`),
 * re-synchronised after every (re)connection before it counts as live (messages published while it was
 * away are lost by Redis pub/sub), and proven every heartbeat. The proof is a beat: a message on a channel
 * of this instance's own, published by a script on the same node as the data (the `{prefix}` slot) and
 * through the same subscription. Redis delivers one node's messages to one connection in order (and a
 * Cluster forwards one node's messages over one link), so when a beat sent at time T comes back, every
 * message published before T has arrived. A channel whose last returned beat was sent more than
 * `staleAfterMs` ago — a hung server, a silent partition, a broken link between Cluster nodes — is not
 * trusted, and neither is one that is reconnecting or re-synchronising.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './client.js';
import { errorName, type StoreState } from './health.js';

/** What {@link openLiveChannel} needs. */
export interface LiveChannelSettings {
  readonly client: RedisClient;
  readonly channel: string;
  /** Interval of the beat (and of the owner's upkeep), in milliseconds. */
  readonly heartbeatMs: number;
  /** How long ago the last returned beat may have been sent for the channel to be trusted, in milliseconds. */
  readonly staleAfterMs: number;
  /** Publishes `message` on `channel` from the node that holds the data. */
  beat(channel: string, message: string): Promise<unknown>;
  /** Receives every message of the channel, live or not. */
  onMessage(message: string): void;
  /** Loads what messages may have been missed; runs after each (re)subscription, before going live. */
  resync(): Promise<void>;
  /** Periodic upkeep while live (every heartbeat). */
  onBeat?(): void;
}

/** A subscription and whether it can be trusted now. */
export interface LiveChannel {
  /** Live, and a beat sent within `staleAfterMs` came back: every message published before it was received. */
  isLive(now?: number): boolean;
  state(): StoreState;
  /** When the state last changed. */
  since(): number;
  lastError(): string | undefined;
  /** Unsubscribes and closes the connection. */
  close(): Promise<void>;
}

/** Beats sent and not yet back, kept at most (older ones are forgotten, as lost). */
const MAX_PENDING_BEATS = 64;

/**
 * Subscribes to `settings.channel` and keeps the subscription's trust up to date.
 *
 * @example
 * ```ts
 * const live = openLiveChannel({ client, channel, heartbeatMs: 250, staleAfterMs: 1000, beat, onMessage, resync });
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
  let proven = 0;
  const beatChannel = `${channel}:beat:${randomUUID()}`;
  const sentAt = new Map<string, number>();
  let beats = 0;
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
      await subscriber.subscribe(channel, beatChannel);
      const loadedFrom = Date.now();
      await settings.resync();
      if (mine === generation && subscriber.status === 'ready') {
        proven = loadedFrom;
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
    if (from !== beatChannel) return;
    const sent = sentAt.get(message);
    if (sent === undefined) return;
    sentAt.delete(message);
    proven = Math.max(proven, sent);
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
    beats += 1;
    const message = String(beats);
    sentAt.set(message, Date.now());
    if (sentAt.size > MAX_PENDING_BEATS) sentAt.delete(sentAt.keys().next().value as string);
    settings.beat(beatChannel, message).catch(note);
    settings.onBeat?.();
  }, heartbeatMs);
  heartbeat.unref();

  return {
    isLive: (now = Date.now()) => state === 'live' && now - proven <= staleAfterMs,
    state: () => (state === 'live' && Date.now() - proven > staleAfterMs ? 'down' : state),
    since: () => since,
    lastError: () => lastError,
    async close() {
      closed = true;
      clearInterval(heartbeat);
      subscriber.disconnect();
    },
  };
}
