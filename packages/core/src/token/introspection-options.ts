/**
 * The `introspection` option of an issuer (RFC 7662): where its introspection endpoint is, how nevertrust
 * authenticates to it (§2.1: the endpoint must require client authentication, I-2), which tokens go there,
 * how long an answer may be reused (§4: never beyond `exp`, I-5), whether answers come signed (RFC 9701)
 * and when the circuit breaker opens.
 */
import { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { keyUrl } from '../keys/options.js';
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
export const introspectionSchema = z
  .strictObject({
    endpoint: keyUrl.optional(),
    clientId: z.string().min(1, 'expected a non-empty string'),
    clientAuth: z.enum(CLIENT_AUTH_METHODS).optional(),
    clientSecret: z.string().min(1, 'expected a non-empty string').optional(),
    privateKey: z
      .custom<PrivateKeyInput>(
        (value) => typeof value === 'string' || value instanceof KeyObject || typeof value === 'object',
        'expected a KeyObject, a PEM string or a private JWK',
      )
      .optional(),
    privateKeyAlg: z.string().optional(),
    assertionAudience: z.string().min(1, 'expected a non-empty string').optional(),
    tlsCert: z.string().optional(),
    tlsKey: z
      .custom<string | KeyObject>((value) => typeof value === 'string' || value instanceof KeyObject, {
        error: 'expected a PEM string or a KeyObject',
      })
      .optional(),
    responseFormat: z.enum(['json', 'jwt', 'auto']).optional(),
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
    breaker: z
      .strictObject({
        failures: z.number().int().min(1).max(1000).optional(),
        openMs: z.number().int().min(100).max(600_000).optional(),
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    for (const [path, message] of clientAuthProblems(value)) {
      ctx.addIssue({ code: 'custom', path: [path], message });
    }
  });

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
