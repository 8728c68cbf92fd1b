/**
 * Binding policies: per issuer (`binding` option) and per route (`requireBinding`). A stolen bearer token
 * is useless where a sender-constrained one is required; the principal says how its token was bound.
 */
import { describe, expect, it } from 'vitest';
import { and, ConfigError, requireBinding, requireScopes } from '../../src/index.js';
import { describeRequirement } from '../../src/policy.js';
import { expectAllow, expectDeny, harness } from '../support.js';
import { dpopHarness, ORIGIN } from './dpop-support.js';

describe('the issuer binding policy', () => {
  it('dpop-required: a plain bearer token → 401 ERR_BINDING_REQUIRED; a DPoP-bound one with its proof passes', async () => {
    const h = await dpopHarness({}, { issuer: { binding: 'dpop-required' } });
    const denied = expectDeny(await h.evaluateToken(h.mint()), 'ERR_BINDING_REQUIRED', 401);
    expect(denied.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token", .*, DPoP algs="/);
    const token = h.mintBound();
    expectAllow(await h.call(token, h.proof({ accessToken: token })));
  });

  it('any-bound refuses plain bearer tokens; bearer-allowed (the default) accepts them', async () => {
    const strict = await dpopHarness({}, { issuer: { binding: 'any-bound' } });
    expectDeny(await strict.evaluateToken(strict.mint()), 'ERR_BINDING_REQUIRED');
    const token = strict.mintBound();
    expectAllow(await strict.call(token, strict.proof({ accessToken: token })));
    const lenient = await dpopHarness();
    expectAllow(await lenient.evaluateToken(lenient.mint()));
  });

  it('mtls-required refuses a DPoP-bound token', async () => {
    const h = await dpopHarness({}, { issuer: { binding: 'mtls-required' } });
    const token = h.mintBound();
    expectDeny(await h.call(token, h.proof({ accessToken: token })), 'ERR_BINDING_REQUIRED');
  });

  it('dpop-required without the dpop option is a ConfigError naming the option', () => {
    expect(() => harness({ issuer: { binding: 'dpop-required' } })).toThrow(ConfigError);
    expect(() => harness({ issuer: { binding: 'dpop-required' } })).toThrow(/issuers\[0\]\.binding/);
    expect(() => harness({ issuer: { binding: 'proof' as never } })).toThrow(/issuers\[0\]\.binding/);
  });

  it('bad dpop options fail at start-up with the option path', () => {
    const bad: [unknown, RegExp][] = [
      [{}, /dpop\.origin/],
      [{ origin: 'https://api.example.com/v1' }, /dpop\.origin: expected an origin/],
      [{ origin: 'ftp://api.example.com' }, /dpop\.origin/],
      [{ origin: ORIGIN, algorithms: ['HS256'] }, /dpop\.algorithms/],
      [
        { origin: ORIGIN, nonce: { secrets: ['short'] } },
        /dpop\.nonce\.secrets\[0\]: expected a secret of at least 32 bytes/,
      ],
      [{ origin: ORIGIN, replay: { store: {}, maxEntries: 1 } }, /dpop\.replay/],
      [{ origin: ORIGIN, maxAgeSeconds: 86_400 }, /dpop\.maxAgeSeconds/],
      [{ origin: ORIGIN, orign: 1 }, /dpop\.orign/],
    ];
    for (const [dpop, message] of bad) {
      expect(() => harness({ guard: { dpop: dpop as never } }), JSON.stringify(dpop)).toThrow(message);
    }
  });
});

describe('requireBinding: the route form', () => {
  it("requireBinding('dpop') refuses a plain bearer token with 401 and passes a DPoP-bound one", async () => {
    const h = await dpopHarness();
    const route = and(requireScopes('orders:read'), requireBinding('dpop'));
    const plain = h.mint({ claims: { scope: 'orders:read' } });
    const denied = expectDeny(await h.evaluateToken(plain, route), 'ERR_BINDING_REQUIRED', 401);
    expect(denied.audit.detail).toBe('token is not dpop-bound');
    const bound = h.mintBound({ scope: 'orders:read' });
    const allowed = expectAllow(await h.call(bound, h.proof({ accessToken: bound }), {}, route));
    expect(allowed.principal?.binding.type).toBe('dpop');
  });

  it("requireBinding('mtls') refuses a DPoP-bound token; requireBinding('any') accepts it", async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    expectDeny(
      await h.call(token, h.proof({ accessToken: token }), {}, requireBinding('mtls')),
      'ERR_BINDING_REQUIRED',
    );
    expectAllow(await h.call(token, h.proof({ accessToken: token }), {}, requireBinding('any')));
  });

  it('is plain, frozen, validated data with a description', () => {
    expect(requireBinding('dpop')).toEqual({ type: 'binding', binding: 'dpop' });
    expect(Object.isFrozen(requireBinding('any'))).toBe(true);
    expect(() => requireBinding('proof' as never)).toThrow(/requireBinding\(\).*expected dpop, mtls or any/s);
    expect(describeRequirement(and(requireScopes('a'), requireBinding('dpop')))).toBe(
      'and(scopes:all(a), binding(dpop))',
    );
  });
});

describe('RFC 9728 metadata names the DPoP settings', () => {
  it('dpop_signing_alg_values_supported, and dpop_bound_access_tokens_required when every issuer requires it', async () => {
    const resourceMetadata = { resource: 'https://api.example.com/v1' };
    const accepting = await dpopHarness({ algorithms: ['ES256', 'EdDSA'] }, { guard: { resourceMetadata } });
    expect(accepting.guard.resourceMetadata?.document).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
    });
    expect(accepting.guard.resourceMetadata?.document).not.toHaveProperty(
      'dpop_bound_access_tokens_required',
    );
    const requiring = await dpopHarness(
      {},
      { guard: { resourceMetadata }, issuer: { binding: 'dpop-required' } },
    );
    expect(requiring.guard.resourceMetadata?.document).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'PS256', 'RS256', 'EdDSA'],
      dpop_bound_access_tokens_required: true,
    });
    const without = harness({ guard: { resourceMetadata } });
    expect(without.guard.resourceMetadata?.document).not.toHaveProperty('dpop_signing_alg_values_supported');
  });
});
