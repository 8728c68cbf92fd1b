/**
 * The one refusal builder: every refusal a guard answers — a bad token, a missing scope, a rate limit, a
 * blocked peer, a store or audit sink that cannot answer — is built here from the single error table, so
 * every refusal carries the same challenge parameters (`realm`, and RFC 9728's `resource_metadata` on
 * every challenge, P-4), `Cache-Control: no-store`, `Retry-After` where due, and a fixed body.
 */
import type { AuditEvent } from './audit.js';
import { type Decision, type DenyDecision, type DenyResponse, denyResponse } from './decision.js';
import type { ErrorCode } from './errors.js';

/** A code a refusal can carry (configuration errors never reach a client). */
export type RefusalCode = Exclude<ErrorCode, 'ERR_CONFIG'>;

/** What a refusal adds to its code's row of the error table. */
export interface RefusalExtras {
  /** Extra challenge parameters (`scope`, RFC 9470's `acr_values` and `max_age`). */
  readonly challenge?: Readonly<Record<string, string>>;
  readonly retryAfterSeconds?: number;
  /** The scheme the request used, when known: its challenge carries the error (RFC 9449 §7.2). */
  readonly scheme?: 'bearer' | 'dpop' | undefined;
  /** Further response headers (a fresh `DPoP-Nonce`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Builds a guard's refusals. */
export interface Refusals {
  /** The response of a refusal with `code`. */
  respond(code: RefusalCode, extras?: RefusalExtras): DenyResponse;
  /**
   * Turns a decision into a refusal after the fact (a rate limit, a block, a store or audit sink that
   * cannot answer), keeping the decision's audit event with the refusal's reason, status and detail.
   */
  refuse(decision: Decision, code: RefusalCode, detail: string, retryAfterSeconds?: number): DenyDecision;
}

/** What every refusal of a guard shares. */
export interface RefusalSettings {
  readonly realm?: string | undefined;
  /** The RFC 9728 metadata URL, when `resourceMetadata` is configured. */
  readonly resourceMetadata?: string | undefined;
  /** The DPoP challenge's `algs` (RFC 9449 §7.1), when the guard accepts DPoP proofs. */
  readonly dpopAlgs?: string | undefined;
}

/**
 * Creates the refusal builder of a guard.
 *
 * @example
 * ```ts
 * const refusals = createRefusals({ realm: 'api', resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' });
 * refusals.respond('ERR_TOKEN_EXPIRED').headers['www-authenticate'];
 * ```
 */
export function createRefusals(settings: RefusalSettings): Refusals {
  const { realm, resourceMetadata, dpopAlgs } = settings;
  function respond(code: RefusalCode, extras: RefusalExtras = {}): DenyResponse {
    return denyResponse(code, {
      realm,
      resourceMetadata,
      dpopAlgs,
      scheme: extras.scheme,
      headers: extras.headers,
      ...(extras.challenge ? { challenge: extras.challenge } : {}),
      ...(extras.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: extras.retryAfterSeconds }),
    });
  }
  return {
    respond,
    refuse(decision, code, detail, retryAfterSeconds) {
      const response = respond(code, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
      const audit: AuditEvent = {
        ...decision.audit,
        outcome: 'deny',
        reason: code,
        status: response.status,
        detail,
      };
      return { ...response, audit } satisfies DenyDecision;
    },
  };
}
