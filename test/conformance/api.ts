/**
 * The API every target serves and the shape of a conformance case: what a request is and what must come
 * back. The cases themselves are in `cases.ts`.
 */
import {
  type ErrorCode,
  publicRoute,
  type Requirement,
  requireAnyScope,
  requireScopes,
} from '@nevertrust/core';
import type { ProfileName } from './profiles.js';

/** Something a target may be unable to do; the suite records it instead of silently differing. */
export type Capability = 'routing';

/** One route of the API every target serves, with its requirement as data (for the core target). */
export interface ApiRoute {
  readonly method: string;
  /** Route template, as the audit event's `route` must show it (prefix included). */
  readonly template: string;
  /** `undefined`: the route states nothing, so the guard's default applies. */
  readonly requirement: Requirement | undefined;
}

/** The API: `/health` at the root, everything else under the `/api` prefix (a mounted router). */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', template: '/health', requirement: publicRoute() },
  { method: 'GET', template: '/api/status', requirement: publicRoute() },
  { method: 'GET', template: '/api/me', requirement: undefined },
  { method: 'GET', template: '/api/orders', requirement: requireScopes('orders:read') },
  { method: 'POST', template: '/api/orders', requirement: requireScopes('orders:write') },
  { method: 'GET', template: '/api/orders/:id', requirement: requireScopes('orders:read') },
  // Declared with a TC39 method decorator on the handler (`@requireScopes('orders:admin')`).
  { method: 'DELETE', template: '/api/orders/:id', requirement: requireScopes('orders:admin') },
  { method: 'GET', template: '/api/reports', requirement: requireAnyScope('reports:read', 'admin') },
];

/** A token to mint for a case. */
export interface TokenRecipe {
  readonly issuer?: 'main' | 'untrusted' | 'remote' | 'hmac';
  readonly scope?: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly header?: Readonly<Record<string, unknown>>;
  /** Signed by a key the issuer never published, under the issuer's `kid`. */
  readonly forged?: boolean;
  readonly expiredSecondsAgo?: number;
  readonly validInSeconds?: number;
  /** Sets `auth_time` this many seconds before now (RFC 9470 step-up cases). */
  readonly authTimeSecondsAgo?: number;
  /** Binds the token to the fixture's DPoP client key (`cnf.jkt`, RFC 9449 §6). */
  readonly dpopBound?: boolean;
}

/**
 * A DPoP proof to send in place of `{proof}` (RFC 9449 §4.2), made for each target by the fixture's client
 * key for the case's method and target at the profile's public origin, unless a member says otherwise.
 */
export interface ProofRecipe {
  readonly htm?: string;
  /** Path (and query) the proof names instead of the case's target. */
  readonly htuPath?: string;
  /** Made for another access token (`ath`). */
  readonly otherToken?: boolean;
  /** Signed by a key the token is not bound to. */
  readonly otherKey?: boolean;
  /** The same proof is sent once before the case's request (RFC 9449 §11.1). */
  readonly replayed?: boolean;
  /** A request without nonce first; the proof carries the `DPoP-Nonce` it was answered with (§9). */
  readonly nonceFromServer?: boolean;
}

/**
 * A route label per framework, where their routers differ in what a path reaches: Fastify is
 * case-sensitive while Express and @koa/router are not, a mount is a route on Fastify but opaque to Koa
 * (`koa-mount`), and so on. The status, the challenge and whether anything ran still agree.
 */
export interface RouteByFramework {
  readonly express: string | undefined;
  readonly koa: string | undefined;
  readonly fastify: string | undefined;
  readonly hono: string | undefined;
}

/** The audit event fields every target must agree on. */
export interface ExpectedAudit {
  readonly outcome: 'allow' | 'deny';
  readonly reason: ErrorCode | 'OK';
  /** `null`: not asserted, where the transports normalise the path differently (dot segments). */
  readonly route: string | undefined | RouteByFramework | null;
  /** A policy refusal dry-run recorded but did not enforce. */
  readonly dryRun?: { readonly reason: ErrorCode; readonly status: number };
}

/** One request and everything that must come back. */
export interface ConformanceCase {
  readonly name: string;
  /** The guard configuration the targets run with (see `profiles.ts`); default `'default'`. */
  readonly profile?: ProfileName;
  readonly method: string;
  /** Path and query. */
  readonly target: string;
  readonly token?: TokenRecipe;
  readonly proof?: ProofRecipe;
  /**
   * Header lines as sent, in order (a name may repeat); `{token}` stands for the minted token, `{proof}`
   * for the DPoP proof of `proof`.
   */
  readonly headers?: readonly (readonly [string, string])[];
  readonly needs?: readonly Capability[];
  readonly expect: {
    readonly status: number;
    /** Exact parameters of the one `Bearer` challenge; `null`: no `WWW-Authenticate` at all. */
    readonly challenge: Readonly<Record<string, string>> | null;
    /** Exact parameters of the `DPoP` challenge beside it (RFC 9449 §7.1); default: none. */
    readonly dpopChallenge?: Readonly<Record<string, string>>;
    /** `error` of the JSON body; `null` when the body is not a refusal. */
    readonly bodyError: string | null;
    readonly handlerRan: boolean;
    /**
     * Whether the audit event carries a handler duration; default: `handlerRan`. A CORS preflight is
     * timed although no application handler ran: the CORS handling answered it.
     */
    readonly handlerTimed?: boolean;
    /** `null`: the request is answered before any decision (the RFC 9728 document), so no audit event. */
    readonly audit: ExpectedAudit | null;
    /** The JSON body, when it is not a refusal. */
    readonly json?: unknown;
    /** Exact values of these (lower-case) response headers. */
    readonly headers?: Readonly<Record<string, string>>;
    /** Patterns the one value of these (lower-case) response headers must match (a fresh `DPoP-Nonce`). */
    readonly headerPatterns?: Readonly<Record<string, RegExp>>;
  };
}
