/**
 * The stores through Redis Sentinel (a real primary, replica and sentinel: `redis-server --sentinel`),
 * with ioredis's own Sentinel options: a revocation on one instance is refused by another; when the
 * primary dies, the guard fails closed (503, never an allow, never a 500) until the sentinel has promoted
 * the replica, then serves again by itself, the revocation made before the crash still refused (checklist
 * A10).
 */
import { bearer, type RedisSentinel, startRedisSentinel } from '@nevertrust/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_CLIENT_OPTIONS } from '../src/index.js';
import { eventually, type Instance, ISSUER, mint, startInstanceOn } from './support.js';

let sentinel: RedisSentinel;
const instances: Instance[] = [];
beforeAll(async () => {
  sentinel = await startRedisSentinel();
}, 60_000);
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await sentinel?.stop();
});

/** An instance whose client finds the primary through the sentinel, as the package README shows. */
async function start(prefix: string): Promise<Instance> {
  const client = new Redis({
    sentinels: [{ host: '127.0.0.1', port: sentinel.sentinelPort }],
    name: sentinel.name,
    ...REDIS_CLIENT_OPTIONS,
    // Tests reconnect quickly: ask the sentinel again every 100 ms until it names the new primary.
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
  });
  const instance = await startInstanceOn(
    client,
    prefix,
    { rateLimits: [{ by: 'principal', limit: 1000, windowSeconds: 60 }] },
    10_000,
  );
  instances.push(instance);
  return instance;
}

describe('Redis stores through Redis Sentinel', () => {
  it('A10: revoke on one instance, refused by the other; the primary dies → 503, never an allow; the replica is promoted → service resumes, the revocation still holds', async () => {
    const a = await start('sentinel');
    const b = await start('sentinel');
    const valid = mint({ claims: { sub: 'still-fine', iat: Math.floor(Date.now() / 1000) - 5 } });
    const revoked = mint({ claims: { jti: 'sentinel-jti', sub: 'cut-off' } });
    expect((await b.guard.evaluate(bearer(revoked))).outcome).toBe('allow');
    await a.guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'sentinel-jti' });
    const refused = await b.guard.evaluate(bearer(revoked));
    expect(refused.audit.reason).toBe('ERR_TOKEN_REVOKED');
    // Let the replica receive the entry before the primary dies (replication is asynchronous).
    await new Promise((resolve) => setTimeout(resolve, 200));

    const before = sentinel.primaryPort();
    const killedAt = performance.now();
    await sentinel.killPrimary();
    const seen = new Map<string, number>();
    let revokedAllowed = 0;
    // Until both instances serve the valid token again (at most 20 s: detection 1 s, then the failover).
    await eventually(async () => {
      const decisions = await Promise.all(
        [a, b].flatMap((instance) => [
          instance.guard.evaluate(bearer(valid)),
          instance.guard.evaluate(bearer(revoked)),
        ]),
      );
      for (const [index, decision] of decisions.entries()) {
        if (index % 2 === 1 && decision.outcome === 'allow') revokedAllowed += 1;
        const status = decision.outcome === 'deny' ? decision.status : 200;
        const label = `${decision.outcome} ${status} ${decision.audit.reason}`;
        seen.set(label, (seen.get(label) ?? 0) + 1);
      }
      return decisions[0]?.outcome === 'allow' && decisions[2]?.outcome === 'allow';
    }, 20_000);
    const resumedAfter = performance.now() - killedAt;
    console.log(
      `Sentinel failover: primary ${before} → ${sentinel.primaryPort()}; service resumed ${resumedAfter.toFixed(0)} ms after the kill; decisions meanwhile ${JSON.stringify([...seen])}`,
    );
    expect(sentinel.primaryPort()).not.toBe(before);
    expect(revokedAllowed).toBe(0);
    // While no primary answered, the guard said 503 (fail closed) — never 500.
    expect([...seen.keys()].some((label) => label.startsWith('deny 503'))).toBe(true);
    expect([...seen.keys()].filter((label) => label.includes(' 500 '))).toEqual([]);
    // The revocation made before the crash holds on both instances, and a new one reaches both.
    for (const instance of [a, b])
      expect((await instance.guard.evaluate(bearer(revoked))).audit.reason).toBe('ERR_TOKEN_REVOKED');
    await b.guard.revocation.revokeSubject({ issuer: ISSUER, subject: 'still-fine' });
    await eventually(
      async () => (await a.guard.evaluate(bearer(valid))).audit.reason === 'ERR_TOKEN_REVOKED',
      300,
    );
  });
});
