/**
 * The Lua scripts of the stores, registered with ioredis `defineCommand` (sent once, then called by
 * digest). A script runs atomically on the Redis server, so each read-modify-write below is correct under
 * any number of concurrent instances, in one round trip.
 */
import type { RedisClient } from './client.js';

/** Drops up to 100 ended entries, and lets both structures expire with their last entry. */
const PRUNE = `
local function prune(entries, expiry, now)
  local ended = redis.call('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, 100)
  if #ended > 0 then
    redis.call('HDEL', entries, unpack(ended))
    redis.call('ZREM', expiry, unpack(ended))
  end
  local last = redis.call('ZRANGE', expiry, -1, -1, 'WITHSCORES')
  if last[2] then
    local at = math.ceil(tonumber(last[2]))
    redis.call('EXPIREAT', entries, at)
    redis.call('EXPIREAT', expiry, at)
  end
end
`;

/**
 * KEYS: entries hash, expiry set. ARGV: field, value (numbers separated by spaces, the last one the end of
 * life in seconds), now (seconds), channel. A live older value merges number by number, the larger kept —
 * a later cut-off or block extends an earlier one, never shortens it. Publishes `<value>\n<field>` so
 * every instance applies it at once, and returns the stored value.
 */
const MERGE = `${PRUNE}
local field, value, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function numbers(text)
  local list = {}
  for token in string.gmatch(text, '%S+') do list[#list + 1] = token end
  return list
end
local new = numbers(value)
local older = redis.call('HGET', KEYS[1], field)
if older then
  local old = numbers(older)
  if tonumber(old[#old]) > now then
    for index, token in ipairs(new) do
      if old[index] and tonumber(old[index]) > tonumber(token) then new[index] = old[index] end
    end
    value = table.concat(new, ' ')
  end
end
redis.call('HSET', KEYS[1], field, value)
redis.call('ZADD', KEYS[2], new[#new], field)
prune(KEYS[1], KEYS[2], now)
redis.call('SPUBLISH', ARGV[4], value .. '\\n' .. field)
return value
`;

/** KEYS: entries hash, expiry set. ARGV: now (seconds). */
const PRUNE_ENTRIES = `${PRUNE}
prune(KEYS[1], KEYS[2], tonumber(ARGV[1]))
return 0
`;

/**
 * KEYS: entries hash (only to route the call to the node holding it). ARGV: channel, message. A beat
 * published from the node that publishes the data, so it arrives behind everything published before it.
 */
const BEAT = `
redis.call('SPUBLISH', ARGV[1], ARGV[2])
return 0
`;

/**
 * KEYS: window hash. ARGV: window index, window length (ms). Two fixed windows (`i` index, `c` current,
 * `p` previous). A window index behind the stored one (an instance whose clock lags) counts into the
 * stored window rather than resetting it, so clock skew between instances never loses counts.
 */
const INCREMENT = `
local index, length = tonumber(ARGV[1]), tonumber(ARGV[2])
local stored = redis.call('HMGET', KEYS[1], 'i', 'c', 'p')
local i, c, p = tonumber(stored[1]), tonumber(stored[2]) or 0, tonumber(stored[3]) or 0
local current, previous
if i == nil then current, previous = 1, 0
elseif index <= i then index, current, previous = i, c + 1, p
elseif index == i + 1 then current, previous = 1, c
else current, previous = 1, 0 end
redis.call('HSET', KEYS[1], 'i', index, 'c', current, 'p', previous)
redis.call('PEXPIRE', KEYS[1], 2 * length)
return { current, previous, index }
`;

/** KEYS: member set. ARGV: member, now (ms), window (ms), most members. Returns the distinct count. */
const DISTINCT = `
local now, window, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count > most then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - most - 1)
  count = most
end
redis.call('PEXPIRE', KEYS[1], window)
return count
`;

/** The scripts as client methods. */
export interface StoreScripts {
  nevertrustMerge(
    entries: string,
    expiry: string,
    field: string,
    value: string,
    now: string,
    channel: string,
  ): Promise<string>;
  nevertrustPrune(entries: string, expiry: string, now: string): Promise<number>;
  nevertrustBeat(entries: string, channel: string, message: string): Promise<number>;
  nevertrustIncrement(key: string, index: number, windowMs: number): Promise<[number, number, number]>;
  nevertrustDistinct(
    key: string,
    member: string,
    nowMs: number,
    windowMs: number,
    most: number,
  ): Promise<number>;
}

const DEFINITIONS: Record<keyof StoreScripts, { numberOfKeys: number; lua: string }> = {
  nevertrustMerge: { numberOfKeys: 2, lua: MERGE },
  nevertrustPrune: { numberOfKeys: 2, lua: PRUNE_ENTRIES },
  nevertrustBeat: { numberOfKeys: 1, lua: BEAT },
  nevertrustIncrement: { numberOfKeys: 1, lua: INCREMENT },
  nevertrustDistinct: { numberOfKeys: 1, lua: DISTINCT },
};

/**
 * Registers the scripts on `client` (idempotent) and returns it typed with them.
 *
 * @example
 * ```ts
 * const [current, previous, index] = await withScripts(client).nevertrustIncrement(key, 28_000, 60_000);
 * ```
 */
export function withScripts(client: RedisClient): RedisClient & StoreScripts {
  const scripted = client as RedisClient & Partial<StoreScripts>;
  for (const [name, definition] of Object.entries(DEFINITIONS)) {
    if (typeof scripted[name as keyof StoreScripts] !== 'function') client.defineCommand(name, definition);
  }
  return scripted as RedisClient & StoreScripts;
}
