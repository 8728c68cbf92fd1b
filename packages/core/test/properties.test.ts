/**
 * Property tests: no mutation of a valid token is ever allowed, and nothing a client sends makes
 * `evaluate` reject or throw. Runs are bounded (a few hundred cases each).
 */
import { requestFacts } from '@nevertrust/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/index.js';
import {
  AUDIENCE,
  handmade,
  harness,
  ISSUER,
  NOW,
  testKey,
  validClaims,
  withAuthorization,
} from './support.js';

const RUNS = 300;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a mutation may insert: base64url, the other b64token characters, and hostile ones. */
const INSERTABLE = [
  ...B64URL,
  '.',
  '=',
  '+',
  '/',
  '~',
  ' ',
  '\t',
  '"',
  '\\',
  '\u0000',
  '\u00e9',
  '\n',
  '{',
  '%',
];

type Mutation =
  | { kind: 'replace'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'swap'; order: [number, number, number] }
  | { kind: 'flip-bit'; segment: number; at: number; bit: number };

const position = fc.nat({ max: 10_000 });
const char = fc.constantFrom(...INSERTABLE);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: position, char }),
  fc.record({ kind: fc.constant('insert' as const), at: position, char }),
  fc.record({ kind: fc.constant('delete' as const), at: position }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('swap' as const),
    order: fc.constantFrom<[number, number, number]>([1, 0, 2], [0, 2, 1], [2, 1, 0], [1, 2, 0], [2, 0, 1]),
  }),
  fc.record({
    kind: fc.constant('flip-bit' as const),
    segment: fc.nat({ max: 2 }),
    at: position,
    bit: fc.nat({ max: 7 }),
  }),
);

function mutate(token: string, change: Mutation): string {
  const at = 'at' in change ? change.at % (token.length + 1) : 0;
  switch (change.kind) {
    case 'replace':
      return token.slice(0, at) + change.char + token.slice(at + 1);
    case 'insert':
      return token.slice(0, at) + change.char + token.slice(at);
    case 'delete':
      return token.slice(0, at) + token.slice(at + 1);
    case 'truncate':
      return token.slice(0, at);
    case 'swap': {
      const parts = token.split('.');
      return change.order.map((index) => parts[index]).join('.');
    }
    case 'flip-bit': {
      const parts = token.split('.');
      const bytes = Buffer.from(parts[change.segment] ?? '', 'base64url');
      if (bytes.length === 0) return token;
      const index = change.at % bytes.length;
      bytes[index] = (bytes[index] as number) ^ (1 << change.bit);
      parts[change.segment] = bytes.toString('base64url');
      return parts.join('.');
    }
  }
}

function expectCleanDeny(decision: Decision): void {
  expect(decision.outcome).toBe('deny');
  if (decision.outcome === 'deny') {
    expect([400, 401]).toContain(decision.status);
    expect(decision.headers['www-authenticate']).toBeDefined();
  }
}

describe('mutations of a valid token', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    '%s: a mutated token is never allowed, and evaluate never rejects',
    async (alg) => {
      const { mint, evaluateToken, events } = harness({ alg });
      const token = mint({ claims: { scope: 'orders:read' } });
      expect((await evaluateToken(token)).outcome).toBe('allow');
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (changes) => {
          const mutated = changes.reduce(mutate, token);
          fc.pre(mutated !== token);
          const before = events.length;
          expectCleanDeny(await evaluateToken(mutated));
          expect(events.length).toBe(before + 1);
        }),
        { numRuns: RUNS },
      );
    },
  );
});

describe('arbitrary client input', () => {
  it('random Authorization values never make evaluate throw, and never allow', async () => {
    const { guard } = harness();
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }).map((rest) => `Bearer ${rest}`),
      fc.string({ unit: fc.constantFrom(...INSERTABLE), maxLength: 400 }).map((rest) => `Bearer ${rest}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 3 }), async (values) => {
        const decision = await guard.evaluate(withAuthorization(values));
        expect(decision.outcome).toBe('deny');
      }),
      { numRuns: RUNS },
    );
  });

  it('random request targets with query tokens enabled never make evaluate throw', async () => {
    const { guard } = harness({ guard: { allowQueryToken: true } });
    const target = fc
      .string({
        unit: fc.constantFrom(...INSERTABLE, '?', '&', '[', ']', 'access_token', '=', '%5B', '%5F'),
        maxLength: 60,
      })
      .map((query) => `/orders?${query}`);
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('GET', 'HEAD', 'POST', 'get'), async (path, method) => {
        const decision = await guard.evaluate(requestFacts({ method, target: path }));
        expect(decision.outcome).toBe('deny');
      }),
      { numRuns: RUNS },
    );
  });

  it('any claims set signed by the trusted key is allowed only if it meets the core claim rules', async () => {
    const key = testKey('ES256');
    const { evaluateToken } = harness({ key });
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(ISSUER, AUDIENCE, [AUDIENCE], NOW, NOW + 60, NOW - 60, 1e300, -1, 'user-1'),
    );
    const overrides = fc.dictionary(
      fc.constantFrom(
        'iss',
        'aud',
        'exp',
        'nbf',
        'iat',
        'sub',
        'client_id',
        'jti',
        'scope',
        'scp',
        'permissions',
        'amr',
        'acr',
        'x',
      ),
      value,
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(overrides, async (changes) => {
        const claims = validClaims(changes);
        const decision = await evaluateToken(
          handmade(key, { alg: 'ES256', typ: 'at+jwt', kid: key.kid }, claims),
        );
        if (decision.outcome === 'deny') return;
        const aud = claims.aud;
        expect(claims.iss).toBe(ISSUER);
        expect(
          typeof aud === 'string' ? aud === AUDIENCE : Array.isArray(aud) && aud.includes(AUDIENCE),
        ).toBe(true);
        expect(typeof claims.exp === 'number' && Number.isFinite(claims.exp) && claims.exp + 5 > NOW).toBe(
          true,
        );
        for (const name of ['sub', 'client_id', 'jti']) expect(typeof claims[name]).toBe('string');
        expect(typeof claims.iat === 'number' && claims.iat <= NOW + 5).toBe(true);
        expect(Object.isFrozen(decision.principal)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
