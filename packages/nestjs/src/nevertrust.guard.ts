/**
 * The global Nest guard: the second line behind the request hook. The hook already decided the request
 * for the route the platform's router reached, with the same requirement object, so here the gate
 * normally recognises it and the handler costs no second evaluation. It decides anew when the handler is
 * not the one foreseen, and it is the only line for GraphQL resolvers, whose requirements the HTTP layer
 * cannot see (one endpoint serves them all).
 */
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { AccessDeniedError, NevertrustError, type Requirement } from '@nevertrust/core';
import { gateOf, type RequestGate, requireGate } from '@nevertrust/core/adapter';
import { DenialWritten } from './denial-filter.js';
import type { NevertrustInstallation } from './installation.js';
import { rawRequest } from './raw-request.js';

function allowedOrWritten(passed: boolean): true {
  // The refusal is on its way to the client: stop Nest without a second answer.
  if (!passed) throw new DenialWritten();
  return true;
}

/**
 * Registered by `NevertrustModule` as `APP_GUARD`: every controller handler and resolver goes through it.
 * Built by a factory provider, so the package needs no parameter decorators (which only compile with
 * `experimentalDecorators`, and the package's sources are also run as they are).
 */
export class NevertrustGuard implements CanActivate {
  readonly #installation: NevertrustInstallation;

  constructor(installation: NevertrustInstallation) {
    this.#installation = installation;
  }

  /** Lets the handler run when the request meets its requirement; otherwise the refusal goes out. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const controller = context.getClass();
    const handler = context.getHandler();
    const requirement = this.#installation.requirements.of(controller, handler);
    const type = context.getType<string>();
    if (type !== 'http' && type !== 'graphql') {
      throw new NevertrustError(
        'ERR_CONFIG',
        `@nevertrust/nestjs guards HTTP and GraphQL handlers, not ${type}`,
      );
    }
    const raw = rawRequest(context);
    // The name is only needed for the error: not built on every request.
    const gate = gateOf(raw) ?? requireGate(raw, `${controller.name}.${handler.name}`);
    if (type === 'graphql') return this.#resolve(gate, requirement);
    const passed = gate.pass(requirement === undefined ? [] : [requirement]);
    return typeof passed === 'boolean' ? allowedOrWritten(passed) : passed.then(allowedOrWritten);
  }

  /**
   * A resolver: the HTTP request passed the endpoint's requirement; the resolver's own is decided here and
   * a refusal is raised as an error, which GraphQL reports in `errors` (the HTTP response is GraphQL's).
   */
  async #resolve(gate: RequestGate, requirement: Requirement | undefined): Promise<boolean> {
    if (gate.satisfies(requirement)) return true;
    const decision = await this.#installation.guard.evaluate(gate.facts, requirement);
    if (decision.outcome === 'deny') throw new AccessDeniedError(decision);
    return true;
  }
}
