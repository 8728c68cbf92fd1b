/**
 * The provider goes down (its port refuses connections) and comes back. With the default timings,
 * nevertrust keeps verifying with the last good keys for ten minutes plus one hour of stale-if-error, then
 * fails closed with 503 and Retry-After rather than accepting, or calling good tokens invalid, and recovers
 * once the provider is back (K-6). The outage and the recovery are real; only the guard's clock is driven
 * by the test, so that an hour passes in milliseconds and the bounds are checked to the second.
 */
import { createGuard, type Guard } from '@nevertrust/core';
import { type OidcTestProvider, ORDERS_API, startOidcProvider } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { present, reasonOf, sleep } from './support.js';

const MINUTE = 60_000;
const MAX_AGE_MS = 10 * MINUTE; // keyFetch.maxAgeMs default
const STALE_IF_ERROR_MS = 60 * MINUTE; // keyFetch.staleIfErrorMs default
const RETRY_AFTER_FAILURE_MS = 5000; // keyFetch.retryAfterFailureMs default

let idp: OidcTestProvider;
let guard: Guard;
let now = Date.now();
/** Every key fetch attempt the guard reports, successful or not. */
const attempts: boolean[] = [];

beforeAll(async () => {
  idp = await startOidcProvider({
    resources: { [ORDERS_API]: { scopes: ['orders:read'] } },
    // A token that outlives the whole simulated outage, so that only the keys decide.
    clients: [
      {
        clientId: 'nightly-report',
        kind: 'service',
        resources: { [ORDERS_API]: ['orders:read'] },
        accessTokenTtlSeconds: 7200,
      },
    ],
  });
  guard = createGuard({
    issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
    cache: false,
    clock: () => now,
    keyFetch: { onFetch: (report) => attempts.push(report.ok) },
  });
});

afterAll(async () => {
  await guard?.close();
  await idp?.close();
});

/** Lets a background key refresh started by the last request run against the real (closed) port. */
const settle = () => sleep(100);

describe('a provider that goes down', () => {
  it('K-6: last good keys serve for maxAge + staleIfError, then 503 with Retry-After, then recovery', async () => {
    const { accessToken } = await idp.clientCredentials('nightly-report', { scope: 'orders:read' });
    await guard.ready();
    const fetchedAt = now;
    expect(idp.requests('/jwks')).toBe(1);

    await idp.stop();
    await expect(fetch(idp.jwksUri)).rejects.toThrow();

    now = fetchedAt + MAX_AGE_MS - 1000;
    expect(reasonOf(await present(guard, accessToken))).toBe('OK');
    // Stale: still served from the last good set while refreshes in the background fail.
    now = fetchedAt + MAX_AGE_MS + 1000;
    expect(reasonOf(await present(guard, accessToken))).toBe('OK');
    await settle();
    now = fetchedAt + MAX_AGE_MS + STALE_IF_ERROR_MS - 1000;
    expect(reasonOf(await present(guard, accessToken))).toBe('OK');
    await settle();
    // The background refreshes really went to the provider, and failed.
    expect(attempts.filter((ok) => !ok).length).toBeGreaterThanOrEqual(1);

    now = fetchedAt + MAX_AGE_MS + STALE_IF_ERROR_MS + 1000;
    const down = await present(guard, accessToken);
    expect(reasonOf(down)).toBe('ERR_KEYS_UNAVAILABLE');
    expect(down.outcome).toBe('deny');
    if (down.outcome !== 'deny') return;
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('temporarily_unavailable');
    const retryAfter = Number(down.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(RETRY_AFTER_FAILURE_MS / 1000);
    // Not the token's fault: no invalid_token challenge that would make a client throw its token away.
    expect(down.headers['www-authenticate']).toBeUndefined();
    // A moment later: answered at once, without another attempt against the provider (retryAfterFailureMs).
    const attemptsSoFar = attempts.length;
    now += 1000;
    expect(reasonOf(await present(guard, accessToken))).toBe('ERR_KEYS_UNAVAILABLE');
    expect(attempts.length).toBe(attemptsSoFar);

    await idp.start();
    const fetchesBefore = idp.requests('/jwks');
    now += RETRY_AFTER_FAILURE_MS;
    expect(reasonOf(await present(guard, accessToken))).toBe('OK');
    expect(idp.requests('/jwks')).toBe(fetchesBefore + 1);
  });
});
