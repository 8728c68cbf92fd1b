/**
 * Options shared by the framework adapters: the guard's options (or a guard built beforehand) plus how
 * refusals reach the client. Validated once, when the middleware or plugin is created, so a mistake stops
 * the application at start-up instead of surfacing as a 4xx at run time (design anti-pattern 4).
 */
import { ConfigError } from '../model/errors.js';
import { createGuard, type Guard } from '../pipeline/guard.js';
import type { GuardOptions } from '../pipeline/options.js';

/**
 * How an adapter delivers a refusal: `'respond'` (default) writes it through the framework's response
 * API; `'error'` raises an {@link AccessDeniedError} into the framework's error handling instead.
 */
export type DenialMode = 'respond' | 'error';

/** Options that only concern adapters. */
export interface AdapterOptions {
  /** Default `'respond'`. */
  readonly denials?: DenialMode;
  /**
   * Opt-in CORS preflight handling. Browsers send a preflight (`OPTIONS` with `Origin` and
   * `Access-Control-Request-Method`) without credentials by design (Fetch standard, CORS protocol), so a
   * preflight cannot be authenticated. Express and Koa take the CORS middleware itself (`cors()`,
   * `@koa/cors`): a real preflight is handed to it alone, and nothing else of the application runs. On
   * Fastify, `true` lets a real preflight reach `@fastify/cors`, which answers it in its own hook. Every
   * other `OPTIONS` request is authenticated like any request. Default: off.
   */
  readonly preflight?: unknown;
}

/**
 * What `nevertrust(options)` accepts on every framework: guard options, or a guard created with
 * `createGuard` (to share it, or to close it yourself).
 *
 * @example
 * ```ts
 * const options: NevertrustOptions = {
 *   issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }],
 *   denials: 'respond',
 * };
 * ```
 */
export type NevertrustOptions =
  | (GuardOptions & AdapterOptions)
  | ({ readonly guard: Guard } & AdapterOptions);

/** Adapter options after validation. */
export interface ResolvedAdapterOptions {
  readonly guard: Guard;
  readonly denials: DenialMode;
  /** Whether the adapter created the guard, and so closes it when the framework shuts down. */
  readonly ownsGuard: boolean;
  /** The validated `preflight` option: the CORS handler (Express, Koa), `true` (Fastify), or `undefined`. */
  readonly preflight: unknown;
}

/** What an adapter accepts as `preflight`: the CORS middleware, or (Fastify) a flag. */
export type PreflightKind = 'handler' | 'flag';

function isGuard(value: unknown): value is Guard {
  const candidate = value as Partial<Guard> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.evaluate === 'function' &&
    typeof candidate.recordAudit === 'function'
  );
}

/**
 * Validates adapter options and creates the guard; throws {@link ConfigError} naming the bad option.
 *
 * @example
 * ```ts
 * const { guard, denials } = resolveAdapterOptions({ issuers, denials: 'error' });
 * ```
 */
export function resolveAdapterOptions(
  options: NevertrustOptions,
  preflightKind: PreflightKind = 'handler',
): ResolvedAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(['(options): expected an object with issuers, or { guard }']);
  }
  const { denials = 'respond', preflight, ...rest } = options as NevertrustOptions & Record<string, unknown>;
  if (denials !== 'respond' && denials !== 'error') {
    throw new ConfigError(["denials: expected 'respond' or 'error'"]);
  }
  checkPreflight(preflight, preflightKind);
  if (!('guard' in rest)) {
    const guard = createGuard(rest as GuardOptions);
    // Loud at start-up: the issuers' keys are fetched as soon as the app is wired, so an unreachable
    // provider is in the operational log before the first request (the request path fetches them anyway).
    setImmediate(() => guard.ready().catch(() => {}));
    return { guard, denials, ownsGuard: true, preflight };
  }
  const { guard, ...others } = rest;
  const problems = Object.keys(others).map((name) => `${name}: not allowed together with guard`);
  if (!isGuard(guard)) problems.unshift('guard: expected a guard created by createGuard()');
  if (problems.length > 0) throw new ConfigError(problems);
  return { guard: guard as Guard, denials, ownsGuard: false, preflight };
}

function checkPreflight(preflight: unknown, kind: PreflightKind): void {
  if (preflight === undefined) return;
  if (kind === 'handler' && typeof preflight !== 'function') {
    throw new ConfigError(['preflight: expected the CORS middleware, e.g. cors()']);
  }
  if (kind === 'flag' && typeof preflight !== 'boolean') {
    throw new ConfigError(['preflight: expected true or false (register @fastify/cors for the answer)']);
  }
}
