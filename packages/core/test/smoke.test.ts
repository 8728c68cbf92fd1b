import { bearer, createTokenIssuer, generateTestKey } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { createGuard } from '../src/index.js';

describe('smoke', () => {
  it('allows a valid token', async () => {
    const key = generateTestKey('ES256');
    const mint = createTokenIssuer({ issuer: 'https://idp.test/', audience: 'api', key });
    const guard = createGuard({
      issuers: [{ issuer: 'https://idp.test/', audience: 'api', keys: [key.jwk] }],
    });
    const decision = await guard.evaluate(bearer(mint()));
    expect(decision.outcome).toBe('allow');
  });
});
