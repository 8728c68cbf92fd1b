/**
 * The guard's options: the one place user input is validated, with zod, at start-up. Unknown keys are
 * errors; every message names the option's path and what was expected; no secret is ever echoed.
 */

import type { MonitoringOptions, ResolvedMonitoring } from '../audit/options.js';
import { resolveMonitoring } from '../audit/options.js';
import type { BindingPolicy } from '../bind/binding-policy.js';
import type { DpopOptions } from '../bind/dpop-options.js';
import type { MtlsOptions } from '../bind/options.js';
import type { DiscoveryKind } from '../keys/discovery.js';
import type { KeyFetchReport } from '../keys/remote-key-source.js';
import type { AuditListener } from '../model/audit.js';
import { describeIssue, safeParseEnglish } from '../model/config-issues.js';
import { ConfigError } from '../model/errors.js';
import type { ClaimPathInput } from '../policy/claim-path.js';
import type { PolicyOptions, RevocationOptions } from '../policy/options.js';
import type { ResourceMetadataOptions } from '../policy/resource-metadata.js';
import { ASYMMETRIC_ALGORITHMS, type SignatureAlgorithm } from '../token/algorithms.js';
import type { IntrospectionOptions } from '../token/introspection-options.js';
import type { ScopeClaimFormat } from '../token/scopes.js';
import type { TokenTypePolicy } from '../token/token-type.js';
import { introspectionProblems } from './introspection-setup.js';
import { guardSchema } from './options-schema.js';
import type { SignalOptions } from './signal-options.js';

/** One trusted token issuer (authorization server). */
export interface IssuerOptions {
  /** The exact `iss` value of its tokens (compared code point by code point, AT-7). */
  readonly issuer: string;
  /** The audience value(s) that identify this API; a token must name at least one (AT-8). */
  readonly audience: string | readonly string[];
  /** Signature algorithms accepted from this issuer. Default: the asymmetric ones (RS256 first). */
  readonly algorithms?: readonly SignatureAlgorithm[];
  /** Key source: a JWKS URL (https, or http on loopback). */
  readonly jwksUri?: string;
  /** Key source: discovery from the issuer URL. The default when no other key source is given. */
  readonly discovery?: DiscoveryKind;
  /** Key source: static public keys, as JWKs, a JWK set, or PEM strings (SPKI, PKCS#1, X.509). */
  readonly keys?:
    | readonly (string | Record<string, unknown>)[]
    | { readonly keys: readonly Record<string, unknown>[] };
  /** Key source: an HMAC secret (at least as long as the hash); requires HS* `algorithms`. */
  readonly secret?: string | Uint8Array;
  /**
   * The `kid` of `secret`, if the issuer names it in its token headers. When set, a token naming another
   * `kid` is refused; tokens without a `kid` still verify. When unset, the secret verifies tokens with or
   * without a `kid`.
   */
  readonly secretKid?: string;
  /** `at+jwt` (RFC 9068, default) or `jwt-compatible` for providers that type access tokens `JWT`. */
  readonly tokenType?: TokenTypePolicy;
  /** Claims a token must carry. Default: RFC 9068 §2.2 (`iss exp aud sub client_id iat jti`). */
  readonly requiredClaims?: readonly string[];
  /** Claims holding granted scopes and their format. Default: `scope` string, `scp` either, `permissions` array. */
  readonly scopeClaims?: Readonly<Record<string, ScopeClaimFormat>>;
  /** Refuse tokens whose `iat` is older than this. Off by default. */
  readonly maxTokenAgeSeconds?: number;
  /** Refuse tokens living longer than this (`exp − iat`). Default 86 400 (one day). */
  readonly maxLifetimeSeconds?: number;
  /** Where this issuer's tokens carry roles (RBAC): `roles`, `realm_access.roles`, or `['https://x/roles']`. */
  readonly roleClaim?: ClaimPathInput;
  /**
   * Which sender bindings this issuer's tokens must carry: `bearer-allowed` (default: plain bearer tokens
   * are accepted; bound ones only with their proof), `dpop-required`, `mtls-required` or `any-bound`.
   */
  readonly binding?: BindingPolicy;
  /**
   * Verify this issuer's opaque access tokens by RFC 7662 introspection (docs/introspection.md). With
   * several introspecting issuers, one must be marked `default`: an opaque token names no issuer.
   */
  readonly introspection?: IntrospectionOptions;
}

/** How remote key sets and discovery documents are fetched and refreshed. */
export interface KeyFetchOptions {
  /** Whole-request timeout of one fetch, at most 60 000. Default 5000. */
  readonly timeoutMs?: number;
  /** Minimum time between refetches triggered by unknown `kid`s. Default 30 000. */
  readonly cooldownMs?: number;
  /** Keys older than this are refreshed in the background. Default 600 000 (10 minutes). */
  readonly maxAgeMs?: number;
  /** How long past `maxAgeMs` the last good keys keep serving while the endpoint fails. Default 3 600 000. */
  readonly staleIfErrorMs?: number;
  /** Minimum time between attempts while no usable key is held. Default 5000. */
  readonly retryAfterFailureMs?: number;
  /** Largest accepted key set or metadata document. Default 512 KiB. */
  readonly maxBytes?: number;
  /** Largest number of keys in a set; a larger set is refused as a whole. Default 100. */
  readonly maxKeys?: number;
  /** Extra trusted CA certificates (PEM) for HTTPS key URLs, added to Node's default roots. */
  readonly ca?: string | readonly string[];
  /** Called after every fetch attempt, for metrics and health checks. */
  readonly onFetch?: (report: KeyFetchReport) => void;
}

/**
 * Options of {@link createGuard}.
 *
 * @example
 * ```ts
 * const options: GuardOptions = {
 *   issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }],
 * };
 * ```
 */
export interface GuardOptions extends MonitoringOptions, SignalOptions {
  readonly issuers: readonly IssuerOptions[];
  /** `realm` of every challenge. Omitted by default. */
  readonly realm?: string;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 5; at most 300 ("a few minutes", AT-10). */
  readonly clockToleranceSeconds?: number;
  /** Longest accepted token. Default 8192. */
  readonly maxTokenBytes?: number;
  /** Accept `?access_token=` (RFC 6750 §2.3) on GET and HEAD only. Default false. */
  readonly allowQueryToken?: boolean;
  /** The verified-token cache, or `false` to verify every request from scratch. */
  readonly cache?: false | { readonly maxEntries?: number; readonly maxTtlSeconds?: number };
  readonly keyFetch?: KeyFetchOptions;
  /** Receives exactly one audit event per evaluated request. */
  readonly onAudit?: AuditListener;
  /** Current time in milliseconds; for tests and simulations. Default `Date.now`. */
  readonly clock?: () => number;
  /** Least privilege: route policy table, strict mode, dry-run, role → scopes table. */
  readonly policy?: PolicyOptions;
  /** Where revocations are kept (in process by default). */
  readonly revocation?: RevocationOptions;
  /** Publish RFC 9728 protected resource metadata and point every challenge at it. */
  readonly resourceMetadata?: ResourceMetadataOptions;
  /** Accept certificate-bound tokens (RFC 8705), with the client certificate from TLS or a trusted proxy. */
  readonly mtls?: MtlsOptions;
  /** Accept DPoP-bound tokens with their proofs (RFC 9449). Off by default: no DPoP scheme. */
  readonly dpop?: DpopOptions;
}

const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];
const ALWAYS_REQUIRED = ['iss', 'exp', 'aud'];
/** `defaults` overridden by the values `given` actually sets (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(
  defaults: T,
  given: Partial<Record<keyof T, unknown>> | undefined,
): T {
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [name, value] of Object.entries(given ?? {})) if (value !== undefined) merged[name] = value;
  return merged as T;
}

/** Options after validation, with every default applied. */
export interface ValidatedOptions {
  readonly issuers: readonly (IssuerOptions & {
    readonly algorithms: readonly SignatureAlgorithm[];
    readonly tokenType: TokenTypePolicy;
    readonly requiredClaims: readonly string[];
    readonly scopeClaims: Readonly<Record<string, ScopeClaimFormat>>;
    readonly maxLifetimeSeconds: number;
    readonly binding: BindingPolicy;
  })[];
  readonly realm: string | undefined;
  readonly clockToleranceSeconds: number;
  readonly maxTokenBytes: number;
  readonly allowQueryToken: boolean;
  readonly cache: false | { readonly maxEntries: number; readonly maxTtlSeconds: number };
  readonly keyFetch: Required<Omit<KeyFetchOptions, 'ca' | 'onFetch'>> &
    Pick<KeyFetchOptions, 'ca' | 'onFetch'>;
  readonly onAudit: AuditListener | undefined;
  readonly clock: () => number;
  readonly policy: PolicyOptions | undefined;
  readonly revocation: RevocationOptions | undefined;
  readonly resourceMetadata: ResourceMetadataOptions | undefined;
  readonly mtls: MtlsOptions | undefined;
  readonly dpop: DpopOptions | undefined;
  readonly backChannelLogout: SignalOptions['backChannelLogout'];
  readonly sharedSignals: SignalOptions['sharedSignals'];
  /** Audit sinks, metrics, OpenTelemetry, rate limits and detectors (see `monitoring/options.ts`). */
  readonly monitoring: ResolvedMonitoring;
}

/**
 * Validates options and applies defaults; throws {@link ConfigError} naming every bad option.
 *
 * @example
 * ```ts
 * const validated = validateOptions({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'api' }] });
 * ```
 */
export function validateOptions(options: unknown): ValidatedOptions {
  const result = safeParseEnglish(guardSchema(), options);
  if (!result.success) throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue)));
  const value = result.data;
  const seen = new Set<string>();
  const problems: string[] = [];
  const issuers = value.issuers.map((issuer, index) => {
    if (seen.has(issuer.issuer)) problems.push(`issuers[${index}].issuer: expected each issuer only once`);
    if (issuer.binding === 'dpop-required' && value.dpop === undefined) {
      problems.push(`issuers[${index}].binding: dpop-required needs the dpop option (the public origin)`);
    }
    seen.add(issuer.issuer);
    const requiredClaims = [...new Set([...ALWAYS_REQUIRED, ...(issuer.requiredClaims ?? RFC9068_CLAIMS)])];
    return {
      ...issuer,
      algorithms: issuer.algorithms ?? [...ASYMMETRIC_ALGORITHMS],
      tokenType: issuer.tokenType ?? 'at+jwt',
      requiredClaims,
      scopeClaims: issuer.scopeClaims ?? { scope: 'string', scp: 'string-or-array', permissions: 'array' },
      maxLifetimeSeconds: issuer.maxLifetimeSeconds ?? 86_400,
      binding: issuer.binding ?? 'bearer-allowed',
    } as ValidatedOptions['issuers'][number];
  });
  problems.push(...introspectionProblems(value.issuers));
  if (problems.length > 0) throw new ConfigError(problems);
  const cache =
    value.cache === false ? false : withDefaults({ maxEntries: 10_000, maxTtlSeconds: 3600 }, value.cache);
  const keyFetch: ValidatedOptions['keyFetch'] = withDefaults<ValidatedOptions['keyFetch']>(
    {
      timeoutMs: 5000,
      cooldownMs: 30_000,
      maxAgeMs: 600_000,
      staleIfErrorMs: 3_600_000,
      retryAfterFailureMs: 5000,
      maxBytes: 512 * 1024,
      maxKeys: 100,
    },
    value.keyFetch,
  );
  return {
    issuers,
    realm: value.realm,
    clockToleranceSeconds: value.clockToleranceSeconds ?? 5,
    maxTokenBytes: value.maxTokenBytes ?? 8192,
    allowQueryToken: value.allowQueryToken ?? false,
    cache,
    keyFetch,
    onAudit: value.onAudit,
    clock: value.clock ?? Date.now,
    // zod writes optional members as `T | undefined`; every reader treats undefined as the default.
    policy: value.policy as PolicyOptions | undefined,
    revocation: value.revocation as RevocationOptions | undefined,
    resourceMetadata: value.resourceMetadata as ResourceMetadataOptions | undefined,
    mtls: value.mtls as MtlsOptions | undefined,
    dpop: value.dpop as DpopOptions | undefined,
    backChannelLogout: value.backChannelLogout as SignalOptions['backChannelLogout'],
    sharedSignals: value.sharedSignals as SignalOptions['sharedSignals'],
    monitoring: resolveMonitoring(value as MonitoringOptions),
  };
}
