/**
 * The one refusal builder: every error code's response is its row of the error table — status,
 * challenge (B-7: none without an error for no credentials; P-4: `resource_metadata` on every challenge),
 * `Retry-After`, `Cache-Control: no-store` and the fixed body — whichever stage of the guard refuses.
 */
import { parseChallenges } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE, type ErrorCode } from '../../src/index.js';
import type { Decision } from '../../src/model/decision.js';
import { createRefusals, type RefusalCode } from '../../src/model/refusals.js';
import { monitoredGuard } from '../audit/helpers.js';

const CODES = (Object.keys(ERROR_TABLE) as ErrorCode[]).filter(
  (code): code is RefusalCode => code !== 'ERR_CONFIG',
);
const METADATA = 'https://api.example.com/.well-known/oauth-protected-resource/v1';

const allowed = {
  outcome: 'allow',
  headers: {},
  principal: undefined,
  audit: { outcome: 'allow', reason: 'OK', status: 200 },
} as unknown as Decision;

describe('refusals match the error table', () => {
  const refusals = createRefusals({ realm: 'api', resourceMetadata: METADATA });

  it.each(CODES)('%s: status, challenge, Retry-After and body', (code) => {
    const spec = ERROR_TABLE[code];
    for (const response of [
      refusals.respond(code, { retryAfterSeconds: 7 }),
      refusals.refuse(allowed, code, 'd', 7),
    ]) {
      expect(response.status).toBe(spec.status);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['retry-after']).toBe('7');
      expect(response.body).toEqual({
        error: spec.error ?? spec.bodyError ?? 'unauthorized',
        error_description: spec.description,
      });
      const challenge = response.headers['www-authenticate'];
      if (![400, 401, 403].includes(spec.status)) {
        expect(challenge).toBeUndefined();
        continue;
      }
      const [parsed] = parseChallenges(challenge ?? '');
      expect(parsed?.scheme).toBe('Bearer');
      const expected: Record<string, string> = { realm: 'api', resource_metadata: METADATA };
      if (spec.error) Object.assign(expected, { error: spec.error, error_description: spec.description });
      expect(parsed?.params).toEqual(expected);
    }
  });

  it.each(CODES)(
    '%s with DPoP accepted: both challenges, the error on the scheme the request used',
    (code) => {
      const spec = ERROR_TABLE[code];
      const withDpop = createRefusals({ realm: 'api', resourceMetadata: METADATA, dpopAlgs: 'ES256 EdDSA' });
      const dpopError = spec.error === 'invalid_dpop_proof' || spec.error === 'use_dpop_nonce';
      for (const scheme of ['bearer', 'dpop', undefined] as const) {
        const response = withDpop.respond(code, { scheme, headers: { 'dpop-nonce': 'n' } });
        expect(response.status).toBe(spec.status);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['dpop-nonce']).toBe('n');
        const challenge = response.headers['www-authenticate'];
        if (![400, 401, 403].includes(spec.status)) {
          expect(challenge).toBeUndefined();
          continue;
        }
        const [bearer, dpop, ...rest] = parseChallenges(challenge ?? '');
        expect(rest).toEqual([]);
        expect(bearer?.scheme).toBe('Bearer');
        expect(dpop?.scheme).toBe('DPoP');
        const shared = { realm: 'api', resource_metadata: METADATA };
        const failure = spec.error ? { error: spec.error, error_description: spec.description } : {};
        const onBearer = !dpopError && scheme !== 'dpop';
        const onDpop = dpopError || scheme !== 'bearer';
        expect(bearer?.params).toEqual({ ...shared, ...(onBearer ? failure : {}) });
        expect(dpop?.params).toEqual({ ...shared, ...(onDpop ? failure : {}), algs: 'ES256 EdDSA' });
      }
    },
  );

  it('a refusal after the fact keeps the audit event, with the refusal reason, status and detail', () => {
    const denied = refusals.refuse(allowed, 'ERR_RATE_LIMITED', 'rate limit peer:1/60s', 3);
    expect(denied.audit).toMatchObject({
      outcome: 'deny',
      reason: 'ERR_RATE_LIMITED',
      status: 429,
      detail: 'rate limit peer:1/60s',
    });
  });
});

describe('refusals of every stage carry the same challenge', () => {
  it('a token suspended by a detector names the protected resource metadata like any other refusal', async () => {
    const { call, mint } = monitoredGuard({
      detectors: { tokenSpread: { threshold: 2, windowSeconds: 300, blockSeconds: 600 } },
      resourceMetadata: { resource: 'https://api.example.com/v1' },
    });
    const token = mint();
    await call(token, { remoteAddress: '10.0.0.1' });
    const suspended = await call(token, { remoteAddress: '10.0.0.2' });
    if (suspended.outcome !== 'deny') expect.fail('expected the token to be suspended');
    expect(suspended.code).toBe('ERR_TOKEN_SUSPENDED');
    const [parsed] = parseChallenges(suspended.headers['www-authenticate'] ?? '');
    expect(parsed?.params.resource_metadata).toBe(METADATA);
  });
});
