/**
 * `nevertrust(options)` for fetch-style handlers: one guard, and `protect` to decide a `Request` against a
 * requirement, giving the principal or the refusal as a ready `Response`. The decision is the core's gate
 * (the one every adapter uses), kept on the `Request` itself, so protecting one request twice decides
 * what is new and records one audit event.
 */
import {
  AccessDeniedError,
  ConfigError,
  type Guard,
  type NevertrustOptions,
  type Principal,
  type Requirement,
  type RequirementLike,
} from '@nevertrust/core';
import {
  assertRequirement,
  type FetchConnection,
  isCorsPreflight,
  openCarriedGate,
  PREFLIGHT,
  type RequestGate,
  type ResolvedAdapterOptions,
  type RouteInfo,
  resolveAdapterOptions,
  toRequestFactsFromFetch,
} from '@nevertrust/core/adapter';
import { FetchExchange } from './exchange.js';
import { serveWellKnown } from './well-known.js';

/** What a caller may tell `protect` beyond the `Request`: the connection and the route it matched. */
export interface ProtectOptions extends FetchConnection, RouteInfo {}

/** A request that passed: its principal (none on a public route without credentials), and `complete`. */
export interface Allowed {
  readonly principal: Principal | undefined;
  /**
   * Hands over the response the handler made: it gets the headers the decision adds (B-5), and the
   * request's audit event is recorded with its status. Call it once per request, with what you return.
   */
  complete(response: Response): Response;
  /** The handler failed: the audit event is recorded with `status` (default 500). */
  fail(status?: number): void;
}

/** Per request: the exchange and its gate, kept on the `Request` under a key no one else knows. */
const EXCHANGE = Symbol('nevertrust.fetch.exchange');
type Carrier = Request & { [EXCHANGE]?: { exchange: FetchExchange; gate: RequestGate } };

/**
 * Opens (once) the gate of `request`, with facts built from it and `connection`.
 *
 * @example
 * ```ts
 * const { gate, exchange } = fetchGate(settings, request, { remoteAddress });
 * ```
 */
export function fetchGate(
  settings: ResolvedAdapterOptions,
  request: Request,
  connection: FetchConnection,
): { exchange: FetchExchange; gate: RequestGate } {
  const carrier = request as Carrier;
  const known = carrier[EXCHANGE];
  if (known) return known;
  const exchange = new FetchExchange();
  const facts = toRequestFactsFromFetch(request, connection);
  const gate = openCarriedGate(request, settings, facts, exchange, exchange.write);
  carrier[EXCHANGE] = { exchange, gate };
  return carrier[EXCHANGE];
}

/** `T` without its `preflight` member, kept apart for each member of a union. */
type WithoutPreflight<T> = T extends unknown ? Omit<T, 'preflight'> : never;

/** The options of the fetch adapter: guard options or `{ guard }`, `denials`, and `preflight`. */
export type FetchOptions = WithoutPreflight<NevertrustOptions> & {
  /**
   * `true`: a real CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`, which a
   * browser sends without credentials) is allowed as public, for the application's CORS code to answer.
   * Default `false`: it needs a token like any request.
   */
  readonly preflight?: boolean;
};

/** What `nevertrust()` gives a fetch-style application. */
export interface FetchNevertrust {
  /** The guard (to `ready()`, `health()` or `close()` it). */
  readonly guard: Guard;
  /**
   * Decides `request` against `requirement` (none: the guard's default, any valid token). Resolves to
   * {@link Allowed}, or to the refusal as a `Response` to return as it is. With `denials: 'error'` it
   * rejects with an `AccessDeniedError` instead.
   */
  protect(
    request: Request,
    requirement?: RequirementLike | undefined,
    options?: ProtectOptions,
  ): Promise<Allowed | Response>;
  /**
   * The answer when `request` is for the RFC 9728 metadata document or a signal endpoint (served before
   * any authentication); otherwise `undefined`. Call it first, before anything reads the body.
   */
  serve(request: Request, connection?: FetchConnection): Promise<Response> | undefined;
  /** The settings the options resolved to (for adapters built on this one). */
  readonly settings: ResolvedAdapterOptions;
}

// A requirement (or marker) is checked once, the first time it is used: a handler states the same object
// on every request, and the check walks the whole requirement.
const checkedRequirements = new WeakMap<object, Requirement>();

/**
 * The requirement `value` states, checked (a malformed one throws `ConfigError` naming `at`).
 *
 * @example
 * ```ts
 * const requirement = checkedRequirement(requireScopes('orders:read'), 'protect()');
 * ```
 */
export function checkedRequirement(value: RequirementLike, at: string): Requirement {
  const known =
    typeof value === 'object' || typeof value === 'function' ? checkedRequirements.get(value) : undefined;
  if (known) return known;
  const requirement = assertRequirement(value, at);
  if (typeof value === 'object' || typeof value === 'function') checkedRequirements.set(value, requirement);
  return requirement;
}

function checkPreflight(preflight: unknown): void {
  if (preflight !== undefined && typeof preflight !== 'boolean') {
    throw new ConfigError(['preflight: expected true or false']);
  }
}

/**
 * Creates the guard from `options` (validated now: a mistake throws `ConfigError` naming the option) and
 * the `protect` function of a fetch-style application.
 *
 * @example
 * ```ts
 * const { protect } = nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] });
 * const result = await protect(request, requireScopes('orders:read'));
 * if (result instanceof Response) return result;
 * return result.complete(Response.json(listOrders(result.principal)));
 * ```
 */
export function nevertrust(options: FetchOptions): FetchNevertrust {
  const { preflight, ...rest } = (options ?? {}) as FetchOptions;
  checkPreflight(preflight);
  const settings = resolveAdapterOptions(rest as NevertrustOptions);
  async function protect(
    request: Request,
    requirement?: RequirementLike,
    protectOptions: ProtectOptions = {},
  ): Promise<Allowed | Response> {
    const checked = requirement === undefined ? undefined : checkedRequirement(requirement, 'protect()');
    const { exchange, gate } = fetchGate(settings, request, protectOptions);
    const requirements =
      preflight && isCorsPreflight(gate.facts) ? PREFLIGHT : checked === undefined ? [] : [checked];
    let passed: boolean;
    try {
      passed = await gate.pass(requirements, protectOptions);
    } catch (error) {
      exchange.finish(error instanceof AccessDeniedError ? error.status : 500);
      throw error;
    }
    if (!passed) {
      const refusal = exchange.refusal as Response;
      exchange.finish(refusal.status);
      return refusal;
    }
    return {
      principal: gate.principal,
      complete(response) {
        const decorated = exchange.decorate(response);
        exchange.finish(decorated.status);
        return decorated;
      },
      fail: (status = 500) => exchange.finish(status),
    };
  }
  const serve = (request: Request, connection?: FetchConnection) =>
    serveWellKnown(settings.guard, request, connection);
  return { guard: settings.guard, protect, serve, settings };
}
