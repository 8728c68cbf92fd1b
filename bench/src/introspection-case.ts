/**
 * The micro cases of an opaque access token verified by RFC 7662 introspection, to set next to a JWT:
 * **cold** — a token the guard has never seen on every call, so every call is one HTTP round trip to a real
 * introspection endpoint on 127.0.0.1 (the test kit's, in the parent process, so that the measured process
 * pays only the API's side: the request, the answer's parsing and checks, the cache entry) — and **cached**
 * — the same token again, answered from the verified introspection result. The report sets them next to
 * the JWT miss and the JWT cache hit of the same round.
 */
import { randomBytes } from 'node:crypto';
import { createGuard, type Guard } from '@nevertrust/core';
import { startIntrospectionServer } from '@nevertrust/testkit';
import { allowed, bearerFacts } from './micro.js';
import type { MicroCase } from './sampler.js';

/** Where the guard introspects, and with which credentials (a throwaway benchmark client). */
export interface IntrospectionEndpoint {
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Opaque tokens the introspection server answers `active: true` for. */
export interface OpaqueTokens {
  /** Presented on every call of the cached case. */
  readonly same: string;
  /** Never repeated: the cold case. */
  readonly fresh: readonly string[];
}

/** The running introspection server and a way to mint tokens it knows. */
export interface IntrospectionFixture {
  readonly endpoint: IntrospectionEndpoint;
  /** `count` fresh tokens and one repeated one, for `issuer`/`audience`, valid for `lifetimeSeconds`. */
  tokens(count: number): OpaqueTokens;
  close(): Promise<void>;
}

/**
 * Starts the introspection endpoint on 127.0.0.1 for tokens of `issuer` meant for `audience`.
 *
 * @example
 * ```ts
 * const introspection = await startIntrospectionFixture(ISSUER, AUDIENCE, 7200);
 * const opaque = introspection.tokens(24_000);
 * ```
 */
export async function startIntrospectionFixture(
  issuer: string,
  audience: string,
  lifetimeSeconds: number,
): Promise<IntrospectionFixture> {
  const clientId = 'bench-api';
  const clientSecret = randomBytes(32).toString('base64url');
  const server = await startIntrospectionServer({ clientId, clientSecret });
  const iat = Math.floor(Date.now() / 1000);
  const mint = () => {
    const token = randomBytes(32).toString('base64url');
    server.setToken(token, {
      iss: issuer,
      aud: audience,
      iat,
      exp: iat + lifetimeSeconds,
      sub: 'bench-user',
      client_id: 'bench-client',
      scope: 'orders:read orders:write',
      token_type: 'Bearer',
    });
    return token;
  };
  return {
    endpoint: { endpoint: server.endpoint, clientId, clientSecret },
    tokens: (count) => ({ same: mint(), fresh: Array.from({ length: count }, mint) }),
    close: () => server.close(),
  };
}

function introspectingGuard(
  identity: { issuer: string; audience: string; jwksUri: string },
  endpoint: IntrospectionEndpoint,
): Guard {
  const { issuer, audience, jwksUri } = identity;
  // The longest cache bound the option allows: no cached answer runs out during a run.
  const introspection = { ...endpoint, cacheTtlSeconds: 3600 };
  return createGuard({ issuers: [{ issuer, audience, jwksUri, introspection }], logger: false });
}

/**
 * One of the two cases: `cold` (a new token every call; warmed on a second guard) or `cached`.
 *
 * @example
 * ```ts
 * const { case: cold, close } = await introspectionCase(name, 'cold', identity, endpoint, tokens);
 * ```
 */
export async function introspectionCase(
  name: string,
  mode: 'cold' | 'cached',
  identity: { issuer: string; audience: string; jwksUri: string },
  endpoint: IntrospectionEndpoint,
  tokens: OpaqueTokens,
): Promise<{ case: MicroCase; close: () => Promise<void> }> {
  const measured = introspectingGuard(identity, endpoint);
  const warm = introspectingGuard(identity, endpoint);
  await Promise.all([measured.ready(), warm.ready()]);
  const close = async () => void (await Promise.all([measured.close(), warm.close()]));
  if (mode === 'cached') {
    const primed = await measured.evaluate(bearerFacts(tokens.same));
    if (primed.outcome !== 'allow') throw new Error(`the introspection case is refused: ${primed.code}`);
    const run = () => measured.evaluate(bearerFacts(tokens.same));
    return { case: { name, async: true, ok: allowed, run }, close };
  }
  const { fresh } = tokens;
  return {
    case: {
      name,
      async: true,
      ok: allowed,
      budget: fresh.length,
      run: (index) => measured.evaluate(bearerFacts(fresh[index] as string)),
      warmUp: (index) => warm.evaluate(bearerFacts(fresh[index] as string)),
    },
    close,
  };
}
