/**
 * The zod schema behind `validateOptions`: every option's type, range and cross-field rule (its issues
 * become `path: expectation` lines in `model/config-issues.ts`). Unknown keys are errors (a misspelt
 * `secrett` must not silently drop a setting); no message ever repeats a received value, so a secret put
 * in the wrong place is never echoed into logs.
 */
import * as z from 'zod/mini';
import { monitoringOptionsShape } from '../audit/options.js';
import { BINDING_POLICIES } from '../bind/binding-policy.js';
import { dpopSchema } from '../bind/dpop-options.js';
import { mtlsSchema } from '../bind/options.js';
import { keyUrlProblem } from '../keys/fetch-json.js';
import { keysSchema, keyUrl } from '../keys/options.js';
import type { KeyFetchReport } from '../keys/remote-key-source.js';
import type { AuditListener } from '../model/audit.js';
import { lazySchema } from '../model/lazy-schema.js';
import { intIn, nonEmptyString } from '../model/schema-parts.js';
import {
  policySchema,
  resourceMetadataSchema,
  revocationSchema,
  roleClaimSchema,
} from '../policy/options.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from '../token/algorithms.js';
import { introspectionSchema } from '../token/introspection-options.js';
import { signalOptionsShape } from './signal-options.js';

const ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS] as const;

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `expected ${what}` });
const positiveInt = () => z.number().check(z.int(), z.positive());
const nonNegativeInt = () => z.number().check(z.int(), z.gte(0));

function buildIssuerSchema() {
  const text = nonEmptyString();
  const claimName = z.string().check(z.regex(/^[^\s]+$/, 'expected a claim name'));
  return z
    .strictObject({
      issuer: text,
      audience: z.union([text, z.array(text).check(z.minLength(1, 'expected at least one audience'))], {
        error: 'expected a non-empty string or an array of them',
      }),
      algorithms: z.optional(
        z.array(z.enum(ALGORITHMS)).check(z.minLength(1, 'expected at least one algorithm')),
      ),
      jwksUri: z.optional(keyUrl()),
      discovery: z.optional(z.enum(['openid-configuration', 'oauth-authorization-server'])),
      keys: z.optional(keysSchema()),
      secret: z.optional(
        z.custom<string | Uint8Array>((value) => typeof value === 'string' || value instanceof Uint8Array, {
          message: 'expected a string or a Uint8Array',
        }),
      ),
      // As long as a token header's kid may be (verify-token.ts), so a configured kid can always match.
      secretKid: z.optional(text.check(z.maxLength(256, 'expected at most 256 characters'))),
      tokenType: z.optional(z.enum(['at+jwt', 'jwt-compatible'])),
      requiredClaims: z.optional(z.array(claimName)),
      scopeClaims: z.optional(z.record(claimName, z.enum(['string', 'array', 'string-or-array']))),
      maxTokenAgeSeconds: z.optional(positiveInt()),
      maxLifetimeSeconds: z.optional(positiveInt()),
      roleClaim: z.optional(roleClaimSchema()),
      binding: z.optional(z.enum(BINDING_POLICIES)),
      introspection: z.optional(introspectionSchema()),
    })
    .check(z.superRefine(checkIssuer));
}

/** The rules across an issuer's fields: one key source, HMAC only with a secret, discovery needs a URL. */
function checkIssuer(
  value: {
    issuer: string;
    jwksUri?: string | undefined;
    discovery?: string | undefined;
    keys?: unknown;
    secret?: unknown;
    secretKid?: string | undefined;
    algorithms?: readonly string[] | undefined;
  },
  ctx: z.core.$RefinementCtx,
): void {
  const sources = (['jwksUri', 'discovery', 'keys', 'secret'] as const).filter(
    (name) => value[name] !== undefined,
  );
  if (sources.length > 1) {
    ctx.addIssue({ code: 'custom', message: `expected one key source, got ${sources.join(' and ')}` });
  }
  const hmac = (value.algorithms ?? []).filter((alg) => (HMAC_ALGORITHMS as readonly string[]).includes(alg));
  if (
    value.secret !== undefined &&
    (value.algorithms === undefined || hmac.length !== value.algorithms.length)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['algorithms'],
      message: 'expected only HS256, HS384 or HS512 (a secret verifies HMAC tokens only)',
    });
  }
  if (value.secret === undefined && hmac.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['algorithms'],
      message: 'expected a secret with HS256, HS384 or HS512 (key sets never hold HMAC keys)',
    });
  }
  if (value.secretKid !== undefined && value.secret === undefined) {
    ctx.addIssue({ code: 'custom', path: ['secretKid'], message: 'expected only together with secret' });
  }
  if ((value.discovery !== undefined || sources.length === 0) && keyUrlProblem(value.issuer)) {
    ctx.addIssue({
      code: 'custom',
      path: ['issuer'],
      message: `discovery needs an issuer URL: ${keyUrlProblem(value.issuer)}`,
    });
  }
}

/**
 * The schema of `GuardOptions`, built on the first call (the first guard created).
 *
 * @example
 * ```ts
 * const result = safeParseEnglish(guardSchema(), options);
 * ```
 */
export const guardSchema = lazySchema(() =>
  z.strictObject({
    issuers: z.array(buildIssuerSchema()).check(z.minLength(1, 'expected at least one issuer')),
    realm: z.optional(
      z
        .string()
        .check(z.regex(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/, 'expected printable ASCII without " or \\')),
    ),
    clockToleranceSeconds: z.optional(intIn(0, 300)),
    maxTokenBytes: z.optional(intIn(256, 65536)),
    allowQueryToken: z.optional(z.boolean()),
    cache: z.optional(
      z.union(
        [
          z.literal(false),
          z.strictObject({ maxEntries: z.optional(positiveInt()), maxTtlSeconds: z.optional(positiveInt()) }),
        ],
        { error: 'expected false or { maxEntries?, maxTtlSeconds? }' },
      ),
    ),
    keyFetch: z.optional(
      z.strictObject({
        timeoutMs: z.optional(positiveInt().check(z.lte(60_000))),
        cooldownMs: z.optional(nonNegativeInt()),
        maxAgeMs: z.optional(positiveInt()),
        staleIfErrorMs: z.optional(nonNegativeInt()),
        retryAfterFailureMs: z.optional(nonNegativeInt()),
        maxBytes: z.optional(positiveInt()),
        maxKeys: z.optional(positiveInt().check(z.lte(10_000))),
        ca: z.optional(
          z.union([z.string(), z.array(z.string())], { error: 'expected a PEM string or an array of them' }),
        ),
        onFetch: z.optional(fn<(report: KeyFetchReport) => void>('a function')),
      }),
    ),
    onAudit: z.optional(fn<AuditListener>('a function')),
    clock: z.optional(fn<() => number>('a function returning milliseconds')),
    policy: z.optional(policySchema()),
    revocation: z.optional(revocationSchema()),
    resourceMetadata: z.optional(resourceMetadataSchema()),
    mtls: z.optional(mtlsSchema()),
    dpop: z.optional(dpopSchema()),
    ...signalOptionsShape(),
    ...monitoringOptionsShape(),
  }),
);
