/**
 * The zod schema behind `validateOptions`: every option's type, range and cross-field rule (its issues
 * become `path: expectation` lines in `model/config-issues.ts`). Unknown keys are errors (a misspelt
 * `secrett` must not silently drop a setting); no message ever repeats a received value, so a secret put
 * in the wrong place is never echoed into logs.
 */
import { z } from 'zod';
import { monitoringOptionsShape } from '../audit/options.js';
import { BINDING_POLICIES } from '../bind/binding-policy.js';
import { dpopSchema } from '../bind/dpop-options.js';
import { mtlsSchema } from '../bind/options.js';
import { keyUrlProblem } from '../keys/fetch-json.js';
import { keysSchema, keyUrl } from '../keys/options.js';
import type { KeyFetchReport } from '../keys/remote-key-source.js';
import type { AuditListener } from '../model/audit.js';
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
const positiveInt = z.number().int().positive();
const nonEmptyString = z.string().min(1, 'expected a non-empty string');
const claimName = z.string().regex(/^[^\s]+$/, 'expected a claim name');

const issuerSchema = z
  .strictObject({
    issuer: nonEmptyString,
    audience: z.union([nonEmptyString, z.array(nonEmptyString).min(1, 'expected at least one audience')], {
      error: 'expected a non-empty string or an array of them',
    }),
    algorithms: z.array(z.enum(ALGORITHMS)).min(1, 'expected at least one algorithm').optional(),
    jwksUri: keyUrl.optional(),
    discovery: z.enum(['openid-configuration', 'oauth-authorization-server']).optional(),
    keys: keysSchema.optional(),
    secret: z
      .custom<string | Uint8Array>((value) => typeof value === 'string' || value instanceof Uint8Array, {
        message: 'expected a string or a Uint8Array',
      })
      .optional(),
    // As long as a token header's kid may be (verify-token.ts), so a configured kid can always match.
    secretKid: nonEmptyString.max(256, 'expected at most 256 characters').optional(),
    tokenType: z.enum(['at+jwt', 'jwt-compatible']).optional(),
    requiredClaims: z.array(claimName).optional(),
    scopeClaims: z.record(claimName, z.enum(['string', 'array', 'string-or-array'])).optional(),
    maxTokenAgeSeconds: positiveInt.optional(),
    maxLifetimeSeconds: positiveInt.optional(),
    roleClaim: roleClaimSchema.optional(),
    binding: z.enum(BINDING_POLICIES).optional(),
    introspection: introspectionSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const sources = (['jwksUri', 'discovery', 'keys', 'secret'] as const).filter(
      (name) => value[name] !== undefined,
    );
    if (sources.length > 1) {
      ctx.addIssue({ code: 'custom', message: `expected one key source, got ${sources.join(' and ')}` });
    }
    const hmac = (value.algorithms ?? []).filter((alg) =>
      (HMAC_ALGORITHMS as readonly string[]).includes(alg),
    );
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
  });

/**
 * The schema of `GuardOptions`.
 *
 * @example
 * ```ts
 * const result = guardSchema.safeParse(options);
 * ```
 */
export const guardSchema = z.strictObject({
  issuers: z.array(issuerSchema).min(1, 'expected at least one issuer'),
  realm: z
    .string()
    .regex(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/, 'expected printable ASCII without " or \\')
    .optional(),
  clockToleranceSeconds: z.number().int().min(0).max(300).optional(),
  maxTokenBytes: z.number().int().min(256).max(65536).optional(),
  allowQueryToken: z.boolean().optional(),
  cache: z
    .union(
      [
        z.literal(false),
        z.strictObject({ maxEntries: positiveInt.optional(), maxTtlSeconds: positiveInt.optional() }),
      ],
      { error: 'expected false or { maxEntries?, maxTtlSeconds? }' },
    )
    .optional(),
  keyFetch: z
    .strictObject({
      timeoutMs: positiveInt.max(60_000).optional(),
      cooldownMs: z.number().int().min(0).optional(),
      maxAgeMs: positiveInt.optional(),
      staleIfErrorMs: z.number().int().min(0).optional(),
      retryAfterFailureMs: z.number().int().min(0).optional(),
      maxBytes: positiveInt.optional(),
      maxKeys: positiveInt.max(10_000).optional(),
      ca: z
        .union([z.string(), z.array(z.string())], { error: 'expected a PEM string or an array of them' })
        .optional(),
      onFetch: fn<(report: KeyFetchReport) => void>('a function').optional(),
    })
    .optional(),
  onAudit: fn<AuditListener>('a function').optional(),
  clock: fn<() => number>('a function returning milliseconds').optional(),
  policy: policySchema.optional(),
  revocation: revocationSchema.optional(),
  resourceMetadata: resourceMetadataSchema.optional(),
  mtls: mtlsSchema.optional(),
  dpop: dpopSchema.optional(),
  ...signalOptionsShape,
  ...monitoringOptionsShape,
});
