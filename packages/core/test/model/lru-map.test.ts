/**
 * The bounded LRU map behind the core's in-process caches: the bound holds, the least recently used entry
 * goes first (a read counts as use; a hot entry is not moved on every read), a time to live expires in
 * real time, and a bad bound fails at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/model/lru-map.js';

describe('LruMap', () => {
  it('evicts the least recently used entry, a read counting as use', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
    expect(map.size).toBe(2);
  });

  it('an entry read between every insertion is never evicted, however many others pass through', () => {
    const map = new LruMap<string, number>(100);
    map.set('hot', 1);
    for (let index = 0; index < 1000; index++) {
      map.set(`cold-${index}`, index);
      expect(map.get('hot')).toBe(1);
    }
    expect(map.size).toBe(100);
  });

  it('an entry read once is kept ahead of entries never read, as the bound passes it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), (max) => {
        const map = new LruMap<string, number>(max);
        for (let index = 0; index < max; index++) map.set(`k${index}`, index);
        // The oldest entry, read now, outlives the next max - 1 insertions.
        expect(map.get('k0')).toBe(0);
        for (let index = 0; index < max - 1; index++) map.set(`n${index}`, index);
        expect(map.get('k0')).toBe(0);
      }),
    );
  });

  it('replacing a value makes it the most recent and never grows the map', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect(map.get('a')).toBe(10);
    expect(map.get('b')).toBeUndefined();
    expect(map.size).toBe(2);
  });

  it('never holds more than max entries and keeps the most recent ones (any sequence)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 })), (max, keys) => {
        const map = new LruMap<number, number>(max);
        for (const key of keys) map.set(key, key);
        const recent = [...new Set([...keys].reverse())].slice(0, max);
        expect(map.size).toBe(recent.length);
        for (const key of recent) expect(map.get(key)).toBe(key);
      }),
    );
  });

  it('an entry with a time to live is gone once it passed, in real time', async () => {
    const map = new LruMap<string, number>(4);
    map.set('short', 1, { ttlMs: 30 }).set('kept', 2);
    expect(map.get('short')).toBe(1);
    await sleep(60);
    expect(map.get('short')).toBeUndefined();
    expect(map.get('kept')).toBe(2);
  });

  it('delete removes an entry', () => {
    const map = new LruMap<string, number>(4);
    map.set('a', 1);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(map.get('a')).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the bound %s', (max) => {
    expect(() => new LruMap(max)).toThrow(RangeError);
  });
});
