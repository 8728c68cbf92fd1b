/**
 * The `introspection` option of an issuer (RFC 7662): where its introspection endpoint is, how nevertrust
 * authenticates to it (§2.1: the endpoint must require client authentication, I-2), which tokens go there
 * and how long an answer may be reused (§4: never beyond `exp`, I-5).
 */
import * as z from 'zod/mini';
import { keyUrl } from '../keys/options.js';
import { lazySchema } from '../model/lazy-schema.js';
import { intIn, nonEmptyString } from '../model/schema-parts.js';

/** Which tokens of this issuer are introspected. */
export type IntrospectionMode = 'opaque' | 'all';

/** Per-issuer RFC 7662 introspection of access tokens. */
export interface IntrospectionOptions {
  /** The introspection endpoint; default: `introspection_endpoint` from the issuer's discovery document. */
  readonly endpoint?: string;
  /** The client id nevertrust authenticates with (`client_secret_basic`, RFC 6749 §2.3.1). */
  readonly clientId: string;
  /** Its client secret. Never logged, never echoed in a `ConfigError`. */
  readonly clientSecret: string;
  /** `opaque` (default): only tokens that are not a compact JWS; `all`: every token, JWTs included. */
  readonly mode?: IntrospectionMode;
  /** With several introspecting issuers, the one an opaque token (which names no issuer) is sent to. */
  readonly default?: boolean;
  /** Longest reuse of an active answer, also bounded by its `exp`. Default 60. */
  readonly cacheTtlSeconds?: number;
  /** How long an inactive or refused answer is reused. Default 10. */
  readonly inactiveCacheTtlSeconds?: number;
  /** Whole-request timeout of one introspection call. Default 2000. */
  readonly timeoutMs?: number;
  /** Largest accepted response body. Default 64 KiB. */
  readonly maxBytes?: number;
}

/** The schema of {@link IntrospectionOptions}. */
export const introspectionSchema = lazySchema(() =>
  z.strictObject({
    endpoint: z.optional(keyUrl()),
    clientId: nonEmptyString(),
    clientSecret: nonEmptyString(),
    mode: z.optional(z.enum(['opaque', 'all'])),
    default: z.optional(z.boolean()),
    cacheTtlSeconds: z.optional(intIn(0, 3600)),
    inactiveCacheTtlSeconds: z.optional(intIn(0, 300)),
    timeoutMs: z.optional(z.number().check(z.int(), z.positive(), z.lte(30_000))),
    maxBytes: z.optional(z.number().check(z.int(), z.positive(), z.lte(1024 * 1024))),
  }),
);

/** Introspection options with every default applied. */
export type ResolvedIntrospection = Required<Omit<IntrospectionOptions, 'endpoint'>> &
  Pick<IntrospectionOptions, 'endpoint'>;

/**
 * Applies the defaults.
 *
 * @example
 * ```ts
 * resolveIntrospection({ clientId: 'api', clientSecret: 's' }).cacheTtlSeconds; // 60
 * ```
 */
export function resolveIntrospection(options: IntrospectionOptions): ResolvedIntrospection {
  return {
    mode: 'opaque',
    default: false,
    cacheTtlSeconds: 60,
    inactiveCacheTtlSeconds: 10,
    timeoutMs: 2000,
    maxBytes: 64 * 1024,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  } as ResolvedIntrospection;
}
