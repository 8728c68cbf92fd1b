/**
 * Micro benchmarks on one core: the raw `node:crypto` signature check, the reference verifier, nevertrust's
 * `evaluate` on a cache hit and on a miss (every call a token the guard has never seen), with a DPoP proof
 * (`dpop-case.ts`; built only in the process that measures it, as its proofs take a while), with a token
 * bound to a client certificate (`mtls-case.ts`, likewise), with an opaque
 * token by introspection, cold and cached (`introspection-case.ts`, likewise), and the verify
 * functions inside the peers — all on the same keys and tokens. Each case runs in a process of its own, so
 * that no case pays for garbage another left behind; the parent takes one sample of each in turn.
 */
import { Buffer } from 'node:buffer';
import { createPublicKey, verify } from 'node:crypto';
import { createGuard, type Decision, type RequestFacts } from '@nevertrust/core';
import { importJWK, jwtVerify } from 'jose';
import type { Identity, TokenSet } from './fixtures.js';
import { loadFastJwt, loadJsonWebToken } from './peers.js';
import type { BenchAlgorithm } from './profiles.js';
import { createReferenceVerifier } from './reference-verifier.js';
import type { MicroCase } from './sampler.js';
import { type Summary, summarize } from './stats.js';

/**
 * Names of the micro cases, as reported.
 *
 * @example
 * ```ts
 * cases.find((c) => c.name === MICRO_CASES.hit);
 * ```
 */
export const MICRO_CASES = {
  raw: 'node:crypto verify (signature only)',
  reference: 'reference: node:crypto verify + claim checks',
  hit: 'nevertrust evaluate, cache hit',
  miss: 'nevertrust evaluate, miss (new token every call)',
  dpop: 'nevertrust evaluate, DPoP: cached token, new proof every call, replay store',
  certificateBound:
    'nevertrust evaluate, certificate-bound token (mTLS): cached token, certificate checked every call',
  introspectionCold: 'nevertrust evaluate, opaque token introspected (new token every call, local endpoint)',
  introspectionCached: 'nevertrust evaluate, opaque token, cached introspection answer',
  jose: 'jose jwtVerify',
  fastJwt: 'fast-jwt verify, no cache',
  fastJwtHit: 'fast-jwt verify, cache hit',
  jsonwebtoken: 'jsonwebtoken verify (express-jwt, koa-jwt)',
} as const;

/** The figures of one case. */
export interface CaseResult {
  readonly name: string;
  /** Process CPU nanoseconds per operation, one figure per sample. */
  readonly samplesNs: readonly number[];
  /** Wall-clock nanoseconds per operation, per sample. */
  readonly wallSamplesNs: readonly number[];
  readonly nsPerOp: Summary;
  readonly opsPerSecond: number;
  readonly operations: number;
  /** Calls whose result was not a success, warm-up excluded: any makes the case invalid. */
  readonly failures: number;
}

/** Micro results of one algorithm. */
export interface MicroResult {
  readonly alg: BenchAlgorithm;
  readonly cases: readonly CaseResult[];
}

/**
 * Summarises the samples of one case.
 *
 * @example
 * ```ts
 * toCaseResult(MICRO_CASES.raw, samples).opsPerSecond;
 * ```
 */
export function toCaseResult(
  name: string,
  samples: readonly { cpuNs: number; wallNs: number; operations: number; failures: number }[],
): CaseResult {
  const nsPerOp = summarize(samples.map((s) => s.cpuNs));
  return {
    name,
    samplesNs: samples.map((s) => s.cpuNs),
    wallSamplesNs: samples.map((s) => s.wallNs),
    nsPerOp,
    opsPerSecond: 1e9 / nsPerOp.median,
    operations: samples.reduce((sum, s) => sum + s.operations, 0),
    failures: samples.reduce((sum, s) => sum + s.failures, 0),
  };
}

/**
 * A `GET /orders` with `token` as a Bearer token, from 127.0.0.1.
 *
 * @example
 * ```ts
 * await guard.evaluate(bearerFacts(token));
 * ```
 */
export function bearerFacts(token: string): RequestFacts {
  return {
    method: 'GET',
    target: '/orders',
    headers: { authorization: [`Bearer ${token}`], host: ['127.0.0.1'] },
    remoteAddress: '127.0.0.1',
  };
}

/** True for an allowing decision: the `ok` of every `evaluate` case. */
export const allowed = (result: unknown): boolean => (result as Decision).outcome === 'allow';
const truthy = (result: unknown) => Boolean(result);

/**
 * Builds every micro case of one algorithm (the caller keeps the one it measures).
 *
 * @example
 * ```ts
 * const { cases, close } = await microCases('RS256', identity, jwk, tokens);
 * ```
 */
export async function microCases(
  alg: BenchAlgorithm,
  identity: Identity,
  jwk: Record<string, unknown>,
  tokens: TokenSet,
): Promise<{ cases: MicroCase[]; close: () => Promise<void> }> {
  const { issuer, audience, jwksUri } = identity;
  const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const token = tokens.same;
  const lastDot = token.lastIndexOf('.');
  const signed = Buffer.from(token.slice(0, lastDot), 'latin1');
  const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
  const rawKey = alg.startsWith('ES') ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;

  // Both guards use the default configuration: every check on, key set fetched from the JWKS URL.
  const hitGuard = createGuard({ issuers: [{ issuer, audience, jwksUri }] });
  const missGuard = createGuard({ issuers: [{ issuer, audience, jwksUri }] });
  // Warms the miss path's code on the same tokens without the measured guard ever seeing them; without a
  // cache, every call there is a full verification.
  const warmGuard = createGuard({ issuers: [{ issuer, audience, jwksUri }], cache: false });
  await Promise.all([hitGuard.ready(), missGuard.ready(), warmGuard.ready()]);
  const hitFacts = bearerFacts(token);
  const fresh = tokens.fresh;

  const reference = createReferenceVerifier({ issuer, audience, jwks: [jwk] });
  const authorization = `Bearer ${token}`;
  const joseKey = await importJWK(jwk, alg);
  const joseOptions = { issuer, audience, algorithms: [alg] };
  const fastJwt = loadFastJwt();
  const fastOptions = { key: pem, algorithms: [alg], allowedIss: issuer, allowedAud: audience };
  const fastVerify = fastJwt.createVerifier({ ...fastOptions, cache: false });
  const fastCached = fastJwt.createVerifier({ ...fastOptions, cache: true });
  const jsonwebtoken = loadJsonWebToken();
  const jwtOptions = { algorithms: [alg], issuer, audience };

  const cases: MicroCase[] = [
    {
      name: MICRO_CASES.raw,
      async: false,
      ok: truthy,
      run: () => verify('sha256', signed, rawKey, signature),
    },
    { name: MICRO_CASES.reference, async: false, ok: truthy, run: () => reference(authorization) },
    { name: MICRO_CASES.hit, async: true, ok: allowed, run: () => hitGuard.evaluate(hitFacts) },
    {
      name: MICRO_CASES.miss,
      async: true,
      ok: allowed,
      budget: fresh.length,
      run: (index) => missGuard.evaluate(bearerFacts(fresh[index] as string)),
      warmUp: (index) => warmGuard.evaluate(bearerFacts(fresh[index] as string)),
    },
    { name: MICRO_CASES.jose, async: true, ok: truthy, run: () => jwtVerify(token, joseKey, joseOptions) },
    { name: MICRO_CASES.fastJwt, async: false, ok: truthy, run: () => fastVerify(token) },
    { name: MICRO_CASES.fastJwtHit, async: false, ok: truthy, run: () => fastCached(token) },
    {
      name: MICRO_CASES.jsonwebtoken,
      async: false,
      ok: truthy,
      run: () => jsonwebtoken.verify(token, pem, jwtOptions),
    },
  ];
  const guards = [hitGuard, missGuard, warmGuard];
  return { cases, close: async () => void (await Promise.all(guards.map((guard) => guard.close()))) };
}
