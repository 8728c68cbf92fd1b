/**
 * The `introspection` option of an issuer (RFC 7662): where its introspection endpoint is, how nevertrust
 * authenticates to it (§2.1: the endpoint must require client authentication, I-2), which tokens go there
 * and how long an answer may be reused (§4: never beyond `exp`, I-5).
 */
import { z } from 'zod';
import { keyUrl } from '../keys/options.js';

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
export const introspectionSchema = z.strictObject({
  endpoint: keyUrl.optional(),
  clientId: z.string().min(1, 'expected a non-empty string'),
  clientSecret: z.string().min(1, 'expected a non-empty string'),
  mode: z.enum(['opaque', 'all']).optional(),
  default: z.boolean().optional(),
  cacheTtlSeconds: z.number().int().min(0).max(3600).optional(),
  inactiveCacheTtlSeconds: z.number().int().min(0).max(300).optional(),
  timeoutMs: z.number().int().positive().max(30_000).optional(),
  maxBytes: z
    .number()
    .int()
    .positive()
    .max(1024 * 1024)
    .optional(),
});

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
