/**
 * The per-request gate every adapter opens when a request enters `nevertrust`, and that decides once the
 * route's requirement is known. One implementation for the three frameworks, so the point at which a
 * request is decided, what is recorded and how a refusal leaves cannot drift apart between adapters
 * (design §2). A request is decided at most once per requirement, and exactly one audit event is recorded
 * when its response is done, with the final status and the handler's duration. Where the gate is kept and
 * found again is `gate-lookup.ts`; route parameters are normalised in `route-params.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, DenyDecision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import { isPromise } from '../model/maybe-async.js';
import type { Principal } from '../model/principal.js';
import { EVALUATE_NOW, type Guard, type InternalGuard } from '../pipeline/guard.js';
import type { Requirement } from '../policy/requirements.js';
import { AccessDeniedError } from './access-denied.js';
import type { ResolvedAdapterOptions } from './adapter-options.js';
import { GATE, type GateCarrier } from './gate-lookup.js';
import type { GateResponse } from './gate-response.js';
import { toRequestFacts, withRoute } from './node-facts.js';
import { type RouteInfo, routeParams } from './route-params.js';

// The gate's module keeps offering every name adapters import with it, wherever the helper lives.
export { findGate, gateOf, requireGate, requirePrincipal } from './gate-lookup.js';
export type { GateResponse } from './gate-response.js';
export { proceed } from './proceed.js';
export type { RouteInfo } from './route-params.js';

/** Writes a refusal through the framework's own response API; returns what the framework expects back. */
export type DenialWriter = (decision: DenyDecision) => unknown;

const DEFER_AUDIT = Object.freeze({ deferAudit: true });
const NO_ROUTE: RouteInfo = Object.freeze({});

/** A guard's decision now when it can be made now; any {@link Guard} works, `createGuard`'s is faster. */
function evaluateNow(
  guard: Guard,
  facts: RequestFacts,
  requirement: Requirement | undefined,
): Decision | Promise<Decision> {
  const now = (guard as InternalGuard)[EVALUATE_NOW];
  return now
    ? now(facts, requirement, DEFER_AUDIT)
    : Promise.resolve(guard.evaluate(facts, requirement, DEFER_AUDIT));
}
// A route that states nothing is decided once against the guard's default.
const ROUTE_DEFAULT: readonly (Requirement | undefined)[] = Object.freeze([undefined]);

/**
 * The decision state of one request.
 *
 * @example
 * ```ts
 * const gate = openGate(req, res, settings, req.originalUrl, (d) => res.status(d.status).set(d.headers).send(JSON.stringify(d.body)));
 * if (await gate.pass([requireScopes('orders:read')], { routeId: '/orders' })) next();
 * ```
 */
export class RequestGate {
  readonly #settings: ResolvedAdapterOptions;
  /** What the request says by itself; read when the gate opens, while the socket is still there. */
  readonly #base: RequestFacts;
  /** The facts with the route, once known. */
  #facts: RequestFacts;
  /** The route information the facts were built from, to rebuild them only when it changes. */
  #routedWith: RouteInfo | undefined;
  readonly #response: GateResponse;
  readonly #write: DenialWriter;
  /** Requirements decided and allowed so far: usually one, so a list rather than a Set per request. */
  #allowed: Requirement[] | undefined;
  #decision: Decision | undefined;
  #handlerStartedAt: number | undefined;
  #completed = false;

  constructor(
    settings: ResolvedAdapterOptions,
    facts: RequestFacts,
    response: GateResponse,
    write: DenialWriter,
  ) {
    this.#settings = settings;
    this.#base = facts;
    this.#facts = facts;
    this.#response = response;
    this.#write = write;
    // One shared listener per event instead of two closures and two `once` wrappers per request: the
    // gate is found from the response, and completing twice is a no-op ('close' follows 'finish').
    (response as GateCarrier)[GATE] = this;
    response.on('finish', RequestGate.#completeResponse);
    response.on('close', RequestGate.#completeResponse);
  }

  static readonly #completeResponse = function (this: GateResponse): void {
    const gate = (this as GateCarrier)[GATE];
    if (gate) gate.#complete();
  };

  /** The request's facts as the guard sees them (without a route until one is known). */
  get facts(): RequestFacts {
    return this.#facts;
  }

  /** The authenticated principal once the request is allowed; `undefined` before, or when anonymous. */
  get principal(): Principal | undefined {
    return this.#decision?.outcome === 'allow' ? this.#decision.principal : undefined;
  }

  /**
   * Whether an earlier decision of this request already covers `requirement` (`undefined`: the route
   * stated nothing, which any authenticated decision covers).
   */
  satisfies(requirement: Requirement | undefined): boolean {
    const decision = this.#decision;
    if (decision?.outcome !== 'allow') return false;
    if (requirement === undefined) return decision.principal !== undefined;
    if (this.#allowed?.includes(requirement) || requirement.type === 'public') return true;
    return requirement.type === 'authenticated' && decision.principal !== undefined;
  }

  /**
   * Decides the request against the requirements of a route. With none, the guard applies its default
   * (any valid token, or a refusal in strict mode). Gives `true` when the handler may run; otherwise the
   * refusal was written (or, with `denials: 'error'`, an {@link AccessDeniedError} is thrown or the
   * promise rejects with it). The answer is immediate when nothing had to be awaited (a cached token
   * with in-process stores), else a promise: `await` it, or hand it to {@link proceed}. A requirement an
   * earlier decision already covers is not evaluated again, so a route is normally one evaluation.
   */
  pass(requirements: readonly Requirement[], route: RouteInfo = NO_ROUTE): boolean | Promise<boolean> {
    const facts = this.#route(route);
    return this.#passFrom(requirements.length === 0 ? ROUTE_DEFAULT : requirements, 0, facts);
  }

  #passFrom(
    requirements: readonly (Requirement | undefined)[],
    start: number,
    facts: RequestFacts,
  ): boolean | Promise<boolean> {
    for (let index = start; index < requirements.length; index++) {
      const requirement = requirements[index];
      if (this.satisfies(requirement)) continue;
      const decision = evaluateNow(this.#settings.guard, facts, requirement);
      if (isPromise(decision)) {
        return decision.then(
          (done) => this.#apply(done, requirement) && this.#passFrom(requirements, index + 1, facts),
        );
      }
      if (!this.#apply(decision, requirement)) return false;
    }
    this.#handlerStartedAt = performance.now();
    return true;
  }

  /** The facts with what the framework knows about the route, built once per route. */
  #route(route: RouteInfo): RequestFacts {
    const known = this.#routedWith;
    const unchanged =
      (route.routeId === undefined && route.params === undefined) ||
      (known !== undefined && known.routeId === route.routeId && known.params === route.params);
    if (unchanged) return this.#facts;
    const params = route.params === undefined ? undefined : routeParams(route.params);
    this.#facts = withRoute(this.#base, route.routeId, params);
    this.#routedWith = route;
    return this.#facts;
  }

  /** Takes a decision on: `true` when the request may go on, else the refusal went out. */
  #apply(decision: Decision, requirement: Requirement | undefined): boolean {
    this.#decision = decision;
    if (decision.outcome === 'deny') {
      this.refuse(decision);
      return false;
    }
    if (requirement) {
      if (this.#allowed) this.#allowed.push(requirement);
      else this.#allowed = [requirement];
    }
    // B-5: e.g. `Cache-Control: private` when the token came in the query.
    if (!this.#response.headersSent) {
      for (const name in decision.headers) this.#response.setHeader(name, decision.headers[name] as string);
    }
    return true;
  }

  /** Delivers a refusal the way the adapter was configured to: written, or raised as an error. */
  refuse(decision: DenyDecision): unknown {
    if (this.#settings.denials === 'error') throw new AccessDeniedError(decision);
    return this.#write(decision);
  }

  #complete(): void {
    if (this.#completed) return;
    this.#completed = true;
    const { guard } = this.#settings;
    const decision = this.#decision;
    const response = this.#response;
    if (decision === undefined) {
      // Nothing routed this request (a 404, or middleware that answered by itself): record what the
      // default requirement would have said, with the status the client actually got.
      const status = response.statusCode;
      void guard
        .evaluate(this.#base, undefined, DEFER_AUDIT)
        .then((late) => guard.recordAudit(late, { status }));
      return;
    }
    const status = response.headersSent ? response.statusCode : decision.audit.status;
    const started = this.#handlerStartedAt;
    if (decision.outcome === 'deny' || started === undefined) guard.recordAudit(decision, { status });
    else guard.recordAudit(decision, { status, handlerDurationMs: performance.now() - started });
  }
}

/**
 * Opens the gate of a request (once: a second `nevertrust` on the same request keeps the first gate).
 *
 * @example
 * ```ts
 * openGate(ctx.req, ctx.res, settings, ctx.originalUrl, (d) => writeDenial(ctx, d));
 * ```
 */
export function openGate(
  raw: IncomingMessage,
  response: ServerResponse,
  settings: ResolvedAdapterOptions,
  target: string,
  write: DenialWriter,
): RequestGate {
  const existing = (raw as GateCarrier)[GATE];
  if (existing) return existing;
  const gate = new RequestGate(settings, toRequestFacts(raw, target), response, write);
  (raw as GateCarrier)[GATE] = gate;
  return gate;
}
