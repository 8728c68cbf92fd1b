import { bearer, generateTestKey } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { createGuard } from '../../src/index.js';
import { tokenFor } from '../fixtures/remote-rig.js';

const ISSUER = 'https://static.test/';

function guardWith(keys: (string | Record<string, unknown>)[]) {
  return createGuard({ issuers: [{ issuer: ISSUER, audience: 'https://api.test', keys }], cache: false });
}

async function outcomeOf(guard: ReturnType<typeof guardWith>, token: string) {
  const decision = await guard.evaluate(bearer(token));
  return decision.outcome === 'allow' ? 'allow' : decision.code;
}

describe('static keys and the token kid', () => {
  const pemKey = generateTestKey('ES256', 'pem');
  const pem = pemKey.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const jwkKey = generateTestKey('ES256', 'named');

  it('a PEM key has no kid, so it verifies tokens whatever kid they carry', async () => {
    const guard = guardWith([pem]);
    expect(await outcomeOf(guard, tokenFor(pemKey, ISSUER, Date.now()))).toBe('allow');
    expect(await outcomeOf(guard, tokenFor(pemKey, ISSUER, Date.now(), { header: { kid: undefined } }))).toBe(
      'allow',
    );
  });

  it('a named JWK wins over the PEM fallback for its own kid', async () => {
    const guard = guardWith([jwkKey.jwk, pem]);
    expect(await outcomeOf(guard, tokenFor(jwkKey, ISSUER, Date.now()))).toBe('allow');
    expect(await outcomeOf(guard, tokenFor(pemKey, ISSUER, Date.now()))).toBe('allow');
    // The PEM key's signature under the JWK's kid is checked with the JWK, and fails.
    const confused = tokenFor(pemKey, ISSUER, Date.now(), { header: { kid: jwkKey.kid } });
    expect(await outcomeOf(guard, confused)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('an unknown kid of an algorithm no PEM key has is a key miss', async () => {
    const rsa = generateTestKey('RS256').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const guard = guardWith([jwkKey.jwk, rsa]);
    const stranger = tokenFor(generateTestKey('ES256', 'stranger'), ISSUER, Date.now());
    expect(await outcomeOf(guard, stranger)).toBe('ERR_KEY_NOT_FOUND');
  });

  it('two PEM keys of one algorithm cannot be told apart by kid: refused, not guessed', async () => {
    const other = generateTestKey('ES256').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const guard = guardWith([pem, other]);
    expect(await outcomeOf(guard, tokenFor(pemKey, ISSUER, Date.now()))).toBe('ERR_KEY_NOT_FOUND');
  });

  it('a JWK without kid keeps JWK set rules: a token naming a kid finds nothing', async () => {
    const { kid: _kid, ...unnamed } = jwkKey.jwk;
    const guard = guardWith([unnamed]);
    expect(await outcomeOf(guard, tokenFor(jwkKey, ISSUER, Date.now()))).toBe('ERR_KEY_NOT_FOUND');
    expect(await outcomeOf(guard, tokenFor(jwkKey, ISSUER, Date.now(), { header: { kid: undefined } }))).toBe(
      'allow',
    );
  });
});
