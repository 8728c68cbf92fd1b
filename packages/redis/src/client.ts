/**
 * The Redis client a store is given, checked at start-up: every call must be bounded in time and no
 * unbounded queue of commands may build up while Redis is away — otherwise a Redis outage becomes
 * requests that hang (and memory that grows) instead of prompt 503s. The stores never create a client of
 * their own: TLS, ACL credentials, Sentinel and Cluster are the client's own options.
 */
import { ConfigError } from '@nevertrust/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** A standalone or Sentinel-backed client (`Redis`), or a `Cluster` client. */
export type RedisClient = Redis | Cluster;

/** What every store takes. */
export interface RedisStoreOptions {
  /** The command connection; pub/sub uses `client.duplicate()`. */
  readonly client: RedisClient;
  /**
   * Key prefix of this deployment (letters, digits, `:_.-`). Multi-key state lives under the hash tag
   * `{<prefix>}` so that a Cluster keeps it in one slot.
   */
  readonly prefix: string;
}

/**
 * Client options the stores rely on, to spread into `new Redis({ ... })` (or `redisOptions` of a
 * `Cluster`): every command bounded to 500 ms, and commands refused at once while the connection is down
 * instead of queued. Reconnection stays ioredis's own (back-off capped at 2 s), so the stores recover by
 * themselves when Redis returns.
 *
 * @example
 * ```ts
 * const client = new Redis({ host: 'redis.internal', ...REDIS_CLIENT_OPTIONS });
 * ```
 */
export const REDIS_CLIENT_OPTIONS = {
  commandTimeout: 500,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
} as const satisfies RedisOptions;

/** Longest `commandTimeout` accepted: the core's store timeouts go up to a minute. */
const MAX_COMMAND_TIMEOUT_MS = 60_000;
const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

interface ClientSettings {
  readonly commandTimeout?: number | undefined;
  readonly enableOfflineQueue?: boolean | undefined;
  readonly maxRetriesPerRequest?: number | null | undefined;
}

function settingsOf(client: RedisClient): { own: ClientSettings; perNode: ClientSettings } {
  if (client.isCluster) {
    const options = (client as Cluster).options;
    return { own: options, perNode: options.redisOptions ?? {} };
  }
  const options = (client as Redis).options;
  return { own: options, perNode: options };
}

/**
 * Checks a store's options; the errors name the option to change.
 *
 * @example
 * ```ts
 * checkStoreOptions(options, 'createRedisCounterStore()');
 * ```
 */
export function checkStoreOptions(options: RedisStoreOptions, where: string): void {
  const issues: string[] = [];
  const client = options?.client as RedisClient | undefined;
  if (typeof options?.prefix !== 'string' || !PREFIX.test(options.prefix))
    issues.push(`${where}.prefix: expected 1 to 64 characters of letters, digits and :_.-`);
  if (!client || typeof client.duplicate !== 'function' || typeof client.evalsha !== 'function') {
    issues.push(`${where}.client: expected an ioredis Redis or Cluster client`);
    throw new ConfigError(issues);
  }
  const { own, perNode } = settingsOf(client);
  const timeout = perNode.commandTimeout;
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_COMMAND_TIMEOUT_MS) {
    issues.push(
      `${where}.client: set commandTimeout (1 to ${MAX_COMMAND_TIMEOUT_MS} ms) so that no call to Redis can hang`,
    );
  }
  const retries = own.maxRetriesPerRequest ?? perNode.maxRetriesPerRequest;
  if (own.enableOfflineQueue !== false && typeof retries !== 'number') {
    issues.push(
      `${where}.client: set enableOfflineQueue: false (or a numeric maxRetriesPerRequest) so that commands do not queue without bound while Redis is down`,
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
