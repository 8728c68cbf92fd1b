/**
 * The `dpop` options of a guard (RFC 9449 at a resource server), their zod schema — plugged into the
 * guard's one options schema — and their resolution into the bind step's DPoP check. Without `dpop` the
 * guard does not accept the DPoP scheme, and every DPoP-bound token is refused.
 */
import { Buffer } from 'node:buffer';
import * as z from 'zod/mini';
import { lazySchema } from '../model/lazy-schema.js';
import { checkedString, intIn } from '../model/schema-parts.js';
import { DEFAULT_STORE_TIMEOUT_MS, type StoreFault, type StoreRefusal } from '../model/store-faults.js';
import { ASYMMETRIC_ALGORITHMS, type SignatureAlgorithm } from '../token/algorithms.js';
import { createDpopCheck, type DpopCheck } from './dpop-check.js';
import { createNonceAuthority } from './dpop-nonce.js';
import { createProofVerifier } from './dpop-proof.js';
import { createMemoryDpopReplayStore } from './memory-replay-store.js';
import type { DpopReplayStore } from './replay-store.js';
import { originProblem } from './request-uri.js';

/** A proof algorithm: asymmetric only (RFC 9449 §4.2, D-5). */
export type DpopAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/**
 * DPoP settings of a guard.
 *
 * @example
 * ```ts
 * createGuard({
 *   issuers,
 *   dpop: { origin: 'https://api.example.com', nonce: { secrets: [process.env.DPOP_NONCE_SECRET!] } },
 * });
 * ```
 */
export interface DpopOptions {
  /**
   * The public origin(s) clients address this API by (`https://api.example.com`). A proof's `htu` must be
   * one of them followed by the request path; `Host` and `X-Forwarded-*` are never consulted.
   */
  readonly origin: string | readonly string[];
  /** Accepted proof algorithms, advertised in the `DPoP` challenge's `algs`. Default ES256 PS256 RS256 EdDSA. */
  readonly algorithms?: readonly DpopAlgorithm[];
  /** Oldest accepted proof, in seconds since its `iat`. Default 300; at most 3600. */
  readonly maxAgeSeconds?: number;
  /** How far ahead of the clock a proof's `iat` may be, in seconds. Default 5; at most 300. */
  readonly futureSkewSeconds?: number;
  /** Where used proofs are remembered. Default: in process, 100 000 entries. */
  readonly replay?: {
    /** A shared store; see `DpopReplayStore` for its contract. */
    readonly store?: DpopReplayStore;
    /** Capacity of the in-process store (when `store` is not given). */
    readonly maxEntries?: number;
    /** Bound of one store call in milliseconds; longer is a store fault (503). Default 1000. */
    readonly timeoutMs?: number;
  };
  /** Require server nonces (RFC 9449 §9). Off by default. */
  readonly nonce?: {
    /** HMAC secrets of at least 32 bytes; the first issues nonces, all are accepted (rotation). */
    readonly secrets: readonly (string | Uint8Array)[];
    /** Longest time a nonce is accepted after it was issued, in seconds. Default 300; 10 to 86 400. */
    readonly lifetimeSeconds?: number;
  };
}

/** The default proof algorithms, advertised in `algs`. */
export const DEFAULT_DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ['ES256', 'PS256', 'RS256', 'EdDSA'];

function buildDpopSchema() {
  const secret = z.custom<string | Uint8Array>(
    (value) =>
      (typeof value === 'string' && Buffer.byteLength(value, 'utf8') >= 32) ||
      (value instanceof Uint8Array && value.byteLength >= 32),
    { message: 'expected a secret of at least 32 bytes' },
  );
  const origin = checkedString(originProblem);
  return z.strictObject({
    origin: z.union([origin, z.array(origin).check(z.minLength(1, 'expected at least one origin'))], {
      error: 'expected an origin such as https://api.example.com, or an array of them',
    }),
    algorithms: z.optional(
      z.array(z.enum(ASYMMETRIC_ALGORITHMS)).check(z.minLength(1, 'expected at least one algorithm')),
    ),
    maxAgeSeconds: z.optional(intIn(1, 3600)),
    futureSkewSeconds: z.optional(intIn(0, 300)),
    replay: z.optional(
      z
        .strictObject({
          store: z.optional(
            z.custom<DpopReplayStore>(
              (value) =>
                typeof value === 'object' &&
                value !== null &&
                typeof (value as DpopReplayStore).checkAndRemember === 'function',
              { message: 'expected a replay store with checkAndRemember()' },
            ),
          ),
          maxEntries: z.optional(z.number().check(z.int(), z.positive())),
          timeoutMs: z.optional(intIn(1, 60_000)),
        })
        .check(
          z.refine((value) => value.store === undefined || value.maxEntries === undefined, {
            message: 'expected either store or maxEntries (maxEntries sizes the in-process store)',
          }),
        ),
    ),
    nonce: z.optional(
      z.strictObject({
        secrets: z.array(secret).check(z.minLength(1, 'expected at least one secret')),
        lifetimeSeconds: z.optional(intIn(10, 86_400)),
      }),
    ),
  });
}

/**
 * The schema of {@link DpopOptions}.
 *
 * @example
 * ```ts
 * z.strictObject({ dpop: z.optional(dpopSchema()) });
 * ```
 */
export const dpopSchema = lazySchema(buildDpopSchema);

/**
 * The `algs` value of every `DPoP` challenge (RFC 9449 §7.1): the accepted proof algorithms.
 *
 * @example
 * ```ts
 * dpopAlgs({ origin: 'https://api.example.com' }); // 'ES256 PS256 RS256 EdDSA'
 * ```
 */
export function dpopAlgs(options: DpopOptions): string {
  return [...new Set(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS)].join(' ');
}

/**
 * Resolves validated DPoP options into the bind step's check; `onStoreFault` is the guard's store-fault
 * path.
 *
 * @example
 * ```ts
 * const check = resolveDpop({ origin: 'https://api.example.com' }, monitor.storeFault);
 * ```
 */
export function resolveDpop(
  options: DpopOptions,
  onStoreFault: (fault: StoreFault) => StoreRefusal | undefined,
): DpopCheck {
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  const origins = (typeof options.origin === 'string' ? [options.origin] : options.origin).map(
    (value) => new URL(value).origin,
  );
  const secrets = options.nonce?.secrets.map((value) =>
    typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
  );
  return createDpopCheck({
    origins: [...new Set(origins)],
    verifyProof: createProofVerifier({
      algorithms: new Set<SignatureAlgorithm>(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS),
      maxAgeSeconds,
      futureSkewSeconds: options.futureSkewSeconds ?? 5,
    }),
    maxAgeSeconds,
    nonces: secrets && createNonceAuthority(secrets, options.nonce?.lifetimeSeconds ?? 300),
    replayStore:
      options.replay?.store ??
      createMemoryDpopReplayStore({ maxEntries: options.replay?.maxEntries ?? 100_000 }),
    replayTimeoutMs: options.replay?.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    onStoreFault,
  });
}
