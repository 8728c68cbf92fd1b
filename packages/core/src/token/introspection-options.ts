/**
 * The `introspection` option of an issuer (RFC 7662): where its introspection endpoint is, how nevertrust
 * authenticates to it (§2.1: the endpoint must require client authentication, I-2), which tokens go there,
 * how long an answer may be reused (§4: never beyond `exp`, I-5), whether answers come signed (RFC 9701)
 * and when the circuit breaker opens.
 */
import { KeyObject } from 'node:crypto';
import * as z from 'zod/mini';
import { keyUrl } from '../keys/options.js';
import { lazySchema } from '../model/lazy-schema.js';
import { intIn, nonEmptyString } from '../model/schema-parts.js';
import type { PrivateKeyInput } from './client-assertion.js';
import {
  CLIENT_AUTH_METHODS,
  type ClientAuth,
  type ClientAuthMethod,
  clientAuthProblems,
  resolveClientAuth,
} from './introspection-auth.js';
import { DEFAULT_BREAKER } from './introspection-breaker.js';

/** Which tokens of this issuer are introspected. */
export type IntrospectionMode = 'opaque' | 'all';

/** Whether answers are asked for as signed JWTs (RFC 9701). */
export type IntrospectionResponseFormat = 'json' | 'jwt' | 'auto';

/** Per-issuer RFC 7662 introspection of access tokens. */
export interface IntrospectionOptions {
  /** The introspection endpoint; default: `introspection_endpoint` from the issuer's discovery document. */
  readonly endpoint?: string;
  /** The client id nevertrust authenticates with. */
  readonly clientId: string;
  /** How it authenticates. Default `client_secret_basic`. */
  readonly clientAuth?: ClientAuthMethod;
  /** `client_secret_basic`: the client secret. Never logged, never echoed in a `ConfigError`. */
  readonly clientSecret?: string;
  /** `private_key_jwt`: the signing key (KeyObject, PEM or private JWK). Never logged. */
  readonly privateKey?: PrivateKeyInput;
  /** `private_key_jwt`: the assertion's `alg`. Default: RS256 (RSA), ES256/384/512 (by curve), EdDSA. */
  readonly privateKeyAlg?: string;
  /** `private_key_jwt`: the assertion's `aud`. Default: the issuer identifier. */
  readonly assertionAudience?: string;
  /** `tls_client_auth` / `self_signed_tls_client_auth`: the client certificate (PEM). */
  readonly tlsCert?: string;
  /** Its private key (PEM or KeyObject). Never logged. */
  readonly tlsKey?: string | KeyObject;
  /**
   * `json`: plain answers. `jwt`: signed answers only (RFC 9701), anything else is a 503. `auto`
   * (default): signed answers are asked for when the discovery document lists
   * `introspection_signing_alg_values_supported`, plain ones accepted too. A signed answer is always verified.
   */
  readonly responseFormat?: IntrospectionResponseFormat;
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
  /** The circuit breaker: consecutive `failures` (default 5) open it for `openMs` (default 10 000). */
  readonly breaker?: { readonly failures?: number; readonly openMs?: number };
}

/** The schema of {@link IntrospectionOptions}. */
export const introspectionSchema = lazySchema(() =>
  z
    .strictObject({
      endpoint: z.optional(keyUrl()),
      clientId: nonEmptyString(),
      clientAuth: z.optional(z.enum(CLIENT_AUTH_METHODS)),
      clientSecret: z.optional(nonEmptyString()),
      privateKey: z.optional(
        z.custom<PrivateKeyInput>(
          (value) => typeof value === 'string' || value instanceof KeyObject || typeof value === 'object',
          'expected a KeyObject, a PEM string or a private JWK',
        ),
      ),
      privateKeyAlg: z.optional(z.string()),
      assertionAudience: z.optional(nonEmptyString()),
      tlsCert: z.optional(z.string()),
      tlsKey: z.optional(
        z.custom<string | KeyObject>((value) => typeof value === 'string' || value instanceof KeyObject, {
          error: 'expected a PEM string or a KeyObject',
        }),
      ),
      responseFormat: z.optional(z.enum(['json', 'jwt', 'auto'])),
      mode: z.optional(z.enum(['opaque', 'all'])),
      default: z.optional(z.boolean()),
      cacheTtlSeconds: z.optional(intIn(0, 3600)),
      inactiveCacheTtlSeconds: z.optional(intIn(0, 300)),
      timeoutMs: z.optional(z.number().check(z.int(), z.positive(), z.lte(30_000))),
      maxBytes: z.optional(z.number().check(z.int(), z.positive(), z.lte(1024 * 1024))),
      breaker: z.optional(
        z.strictObject({
          failures: z.optional(intIn(1, 1000)),
          openMs: z.optional(intIn(100, 600_000)),
        }),
      ),
    })
    .check(
      z.superRefine((value, ctx) => {
        for (const [path, message] of clientAuthProblems(value)) {
          ctx.addIssue({ code: 'custom', path: [path], message });
        }
      }),
    ),
);

/** Introspection options with every default applied and the credential read. */
export interface ResolvedIntrospection {
  readonly endpoint: string | undefined;
  readonly clientId: string;
  readonly auth: ClientAuth;
  readonly responseFormat: IntrospectionResponseFormat;
  readonly mode: IntrospectionMode;
  readonly default: boolean;
  readonly cacheTtlSeconds: number;
  readonly inactiveCacheTtlSeconds: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly breaker: { readonly failures: number; readonly openMs: number };
}

/**
 * Applies the defaults to validated options.
 *
 * @example
 * ```ts
 * resolveIntrospection({ clientId: 'api', clientSecret: 's' }).cacheTtlSeconds; // 60
 * ```
 */
export function resolveIntrospection(options: IntrospectionOptions): ResolvedIntrospection {
  return {
    endpoint: options.endpoint,
    clientId: options.clientId,
    auth: resolveClientAuth(options),
    responseFormat: options.responseFormat ?? 'auto',
    mode: options.mode ?? 'opaque',
    default: options.default ?? false,
    cacheTtlSeconds: options.cacheTtlSeconds ?? 60,
    inactiveCacheTtlSeconds: options.inactiveCacheTtlSeconds ?? 10,
    timeoutMs: options.timeoutMs ?? 2000,
    maxBytes: options.maxBytes ?? 64 * 1024,
    breaker: { ...DEFAULT_BREAKER, ...withoutUndefined(options.breaker ?? {}) },
  };
}

const withoutUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
