/**
 * The keys, tokens and JWKS endpoint every case shares, so that all libraries verify exactly the same
 * tokens against exactly the same keys. Tokens are RFC 9068 access tokens (`typ: at+jwt`) with claims every
 * peer accepts; they live for two hours so a full run never sees one expire.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  startKeyServer,
  type TestKey,
} from '@nevertrust/testkit';
import { createDpopFixture, type DpopFixture } from './dpop-case.js';
import {
  type IntrospectionEndpoint,
  type OpaqueTokens,
  startIntrospectionFixture,
} from './introspection-case.js';
import { type CertificateBoundFixture, createCertificateBoundFixture } from './mtls-case.js';
import { ALGORITHMS, type BenchAlgorithm } from './profiles.js';

/** Who issues the tokens and for whom; what a server needs to verify them. */
export interface Identity {
  readonly issuer: string;
  readonly audience: string;
  /** Plain HTTP on 127.0.0.1: nevertrust accepts `http:` key URLs on loopback only. */
  readonly jwksUri: string;
  /** The introspection endpoint (on 127.0.0.1, in the parent) of the opaque-token cases. */
  readonly introspection: IntrospectionEndpoint;
}

/** The tokens of one algorithm. */
export interface TokenSet {
  /** Sent on every request in the "same token" mode. */
  readonly same: string;
  /** Rotated in the "pool" mode. */
  readonly pool: readonly string[];
  /** Never repeated: the "fresh token" mode and the micro "miss" case. */
  readonly fresh: readonly string[];
  /** A token bound to a DPoP key, and that key: the micro DPoP case. */
  readonly dpop: DpopFixture;
  /** A token bound to a client certificate, and that certificate: the micro certificate-bound case. */
  readonly certificateBound: CertificateBoundFixture;
  /** Opaque tokens the introspection endpoint knows: the micro introspection cases. */
  readonly opaque: OpaqueTokens;
}

/** Everything the benchmark processes share. */
export interface Fixtures {
  readonly identity: Identity;
  /** Public JWK per algorithm, as the JWKS endpoint publishes it. */
  readonly jwks: Readonly<Record<BenchAlgorithm, Record<string, unknown>>>;
  readonly tokens: Readonly<Record<BenchAlgorithm, TokenSet>>;
  /** JSON file per algorithm holding its {@link TokenSet}, for child processes. */
  readonly tokenFiles: Readonly<Record<BenchAlgorithm, string>>;
  readonly keyServer: KeyServer;
  close(): Promise<void>;
}

const ISSUER = 'https://issuer.bench.test/';
const AUDIENCE = 'https://api.bench.test';
const LIFETIME_SECONDS = 7200;

/**
 * Generates keys and tokens and starts the JWKS endpoint on 127.0.0.1.
 *
 * @example
 * ```ts
 * const fixtures = await createFixtures({ poolTokens: 1000, freshTokens: 24_000 });
 * await fixtures.close();
 * ```
 */
export async function createFixtures(sizes: { poolTokens: number; freshTokens: number }): Promise<Fixtures> {
  const keys = new Map(ALGORITHMS.map((alg) => [alg, generateTestKey(alg, `bench-${alg.toLowerCase()}`)]));
  const keyServer = await startKeyServer({ https: false, keys: [...keys.values()].map((key) => key.jwk) });
  const introspection = await startIntrospectionFixture(ISSUER, AUDIENCE, LIFETIME_SECONDS);
  const identity: Identity = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: keyServer.jwksUri,
    introspection: introspection.endpoint,
  };
  const dir = mkdtempSync(join(tmpdir(), 'nevertrust-bench-'));
  const tokens = {} as Record<BenchAlgorithm, TokenSet>;
  const tokenFiles = {} as Record<BenchAlgorithm, string>;
  const jwks = {} as Record<BenchAlgorithm, Record<string, unknown>>;
  for (const alg of ALGORITHMS) {
    const key = keys.get(alg) as TestKey;
    const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
    const one = () => mint({ lifetime: LIFETIME_SECONDS, claims: { scope: 'orders:read orders:write' } });
    const set: TokenSet = {
      same: one(),
      pool: Array.from({ length: sizes.poolTokens }, one),
      fresh: Array.from({ length: sizes.freshTokens }, one),
      dpop: await createDpopFixture((claims) => mint({ lifetime: LIFETIME_SECONDS, claims })),
      certificateBound: await createCertificateBoundFixture((claims) =>
        mint({ lifetime: LIFETIME_SECONDS, claims }),
      ),
      // As many as fresh JWTs: the same budget as the miss case.
      opaque: introspection.tokens(sizes.freshTokens),
    };
    tokens[alg] = set;
    jwks[alg] = key.jwk;
    tokenFiles[alg] = join(dir, `tokens-${alg}.json`);
    writeFileSync(tokenFiles[alg], JSON.stringify(set));
  }
  return {
    identity,
    jwks,
    tokens,
    tokenFiles,
    keyServer,
    async close() {
      await Promise.all([keyServer.close(), introspection.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
