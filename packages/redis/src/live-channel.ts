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
  // Sharded pub/sub (Redis 7): the channels share the data's hash tag, so on a Cluster every instance
  // subscribes on the node that publishes, which hands a message to all of them in one pass.
  const subscriber: RedisClient = client.isCluster
    ? (client as Cluster).duplicate([], { shardedSubscribers: true })
    : (client as Redis).duplicate();
  let state: StoreState = 'syncing';
  let since = Date.now();
  let lastError: string | undefined;
  let proven = 0;
  const beatChannel = `${channel}:beat:${randomUUID()}`;
  const sentAt = new Map<string, number>();
  const awaited = new Map<string, () => void>();
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
  const sendBeat = () => {
    beats += 1;
    const message = String(beats);
    const sent = Date.now();
    sentAt.set(message, sent);
    if (sentAt.size > MAX_PENDING_BEATS) sentAt.delete(sentAt.keys().next().value as string);
    settings.beat(beatChannel, message).catch(note);
    return { message, sent };
  };
  /** Resolves with the send time of a beat once it is back; rejects after `staleAfterMs`. */
  const beatBack = () =>
    new Promise<number>((resolve, reject) => {
      const { message, sent } = sendBeat();
      const timer = setTimeout(() => {
        awaited.delete(message);
        reject(new Error('beat timed out'));
      }, staleAfterMs);
      awaited.set(message, () => {
        clearTimeout(timer);
        resolve(sent);
      });
    });

  async function sync(): Promise<void> {
    if (syncing || closed) return;
    syncing = true;
    generation += 1;
    const mine = generation;
    enter('syncing');
    try {
      await subscriber.ssubscribe(channel, beatChannel);
      // A beat back proves the subscription delivers: the snapshot taken after it misses nothing.
      const provenAt = await beatBack();
      await settings.resync();
      if (mine === generation && subscriber.status === 'ready') {
        proven = Math.max(proven, provenAt);
        enter('live');
      }
    } catch (error) {
      note(error);
    } finally {
      syncing = false;
    }
  }

  subscriber.on('smessage', (from: string, message: string) => {
    if (from === channel) settings.onMessage(message);
    if (from !== beatChannel) return;
    const sent = sentAt.get(message);
    if (sent === undefined) return;
    sentAt.delete(message);
    proven = Math.max(proven, sent);
    awaited.get(message)?.();
    awaited.delete(message);
  });
  subscriber.on('error', note);
  subscriber.on('close', lost);
  subscriber.on('reconnecting', lost);
  subscriber.on('end', lost);
  // A Cluster replaces its sharded subscriber connections when the topology changes; what was published
  // in between is lost to them.
  subscriber.on('-subscriber', lost);
  subscriber.on('-node', lost);
  subscriber.on('ready', () => void sync());
  if (subscriber.status === 'wait') subscriber.connect().catch(note);

  const heartbeat = setInterval(() => {
    // No beat back in time: messages may have been lost on the way, so reload before trusting again.
    if (state === 'live' && Date.now() - proven > staleAfterMs) lost();
    if (state !== 'live') {
      // A sync cut short (a reconnection, a beat that did not come back) is retried here.
      if (subscriber.status === 'ready') void sync();
      return;
    }
    sendBeat();
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
