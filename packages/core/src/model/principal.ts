/**
 * The authenticated principal handlers see. It never holds the raw token; its claims are the parsed claim
 * set, deep-frozen in place on null-prototype objects, so no claim can pollute a prototype (attack #22).
 */
import type { JsonObject } from './strict-json.js';

/** Whether a token acts for a person or for a client on its own behalf (client credentials). */
export type PrincipalKind = 'user' | 'service';

/**
 * How the token is bound to its sender, read from its `cnf` claim. `none` is a plain bearer token; a
 * principal with any other binding only exists once the request proved possession of the bound key:
 * `dpop` a DPoP proof signed by the key of thumbprint `jkt` (RFC 9449 §6), `mtls` the TLS client
 * certificate of SHA-256 thumbprint `certificateThumbprint` (`cnf["x5t#S256"]`, RFC 8705 §3.1).
 */
export type SenderBinding =
  | { readonly type: 'none' }
  | { readonly type: 'dpop'; readonly jkt: string }
  | { readonly type: 'mtls'; readonly certificateThumbprint: string };

/** A workload identified by its verified client certificate. */
export interface WorkloadIdentity {
  /** The certificate's subject distinguished name, as Node prints it (`CN=billing`). */
  readonly subject: string;
  /** The SPIFFE ID: the certificate's one `spiffe://` URI SAN, when it has exactly one. */
  readonly spiffeId?: string;
  /** base64url SHA-256 of the certificate (what `cnf["x5t#S256"]` would hold). */
  readonly certificateThumbprint: string;
}

/** The authentication event behind a token (RFC 9068 §2.2.1, RFC 9470). */
export interface AuthenticationContext {
  readonly acr?: string;
  readonly amr?: readonly string[];
  /** Seconds since the epoch. */
  readonly authTime?: number;
}

/**
 * Who is calling and what they may do.
 *
 * @example
 * ```ts
 * if (principal.kind === 'service') logger.info({ client: principal.clientId }, 'service call');
 * ```
 */
export interface Principal {
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  readonly kind: PrincipalKind;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly scopes: readonly string[];
  readonly tokenId: string | undefined;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** Seconds since the epoch, when the token says. */
  readonly issuedAt: number | undefined;
  readonly authentication: AuthenticationContext;
  readonly binding: SenderBinding;
  /**
   * The calling workload, when the request came with a verified client certificate (a TLS connection whose
   * chain the server accepted, or a trusted proxy's forwarded certificate): the token says who the user
   * is, this says which system calls (`requireWorkload`).
   */
  readonly workload?: WorkloadIdentity;
  /** Every verified claim, read-only. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Deep-freezes a freshly parsed claim set in place, moving every object onto a null prototype: the parse
 * result is used by nothing else, so copying it a second time would only cost time and memory (measured in the benchmarks).
 */
function freezeClaims(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Claim sets come from a 8 KiB token, but nothing is ever walked without a bound (A12).
  if (depth > 32) return undefined;
  const node = value as Record<string, unknown>;
  // for…in allocates no key array; own names only, so nothing on a polluted prototype is touched.
  for (const name in node) {
    if (!Object.hasOwn(node, name)) continue;
    const entry = node[name];
    if (typeof entry !== 'object' || entry === null) continue;
    const frozen = freezeClaims(entry, depth + 1);
    if (frozen !== entry) node[name] = frozen;
  }
  if (!Array.isArray(node)) Object.setPrototypeOf(node, null);
  return Object.freeze(node);
}

/** The binding of a plain bearer token (one shared frozen object, so the Bearer path allocates none). */
export const NO_BINDING: SenderBinding = Object.freeze({ type: 'none' });
const NO_AUTHENTICATION: AuthenticationContext = Object.freeze({});

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The client id a provider put in the token: RFC 9068 `client_id`, or `azp`, Okta `cid`, Entra `appid`. */
function clientIdOf(payload: JsonObject): string | undefined {
  return optionalString(payload.client_id ?? payload.azp ?? payload.cid ?? payload.appid);
}

/**
 * A token is a service's own when its subject is the client itself (RFC 9068 §2.2, client credentials),
 * or when the provider marks it so (Auth0 `gty: client-credentials`, `sub: <client>@clients`; Entra
 * `idtyp: app`).
 */
function kindOf(
  payload: JsonObject,
  subject: string | undefined,
  clientId: string | undefined,
): PrincipalKind {
  if (clientId !== undefined && (subject === clientId || subject === `${clientId}@clients`)) return 'service';
  if (payload.gty === 'client-credentials' || payload.idtyp === 'app') return 'service';
  return 'user';
}

/**
 * Builds the principal of a verified token. It takes the parsed claim set over (freezes it in place as the
 * principal's `claims`) and `scopes` too (frozen as they are): pass values nothing else will change.
 * `binding` is what the token's `cnf` claim binds it to (checked against each request by the bind step).
 *
 * @example
 * ```ts
 * const principal = toPrincipal(payload, 'https://idp.example.com/', ['orders:read']);
 * ```
 */
export function toPrincipal(
  payload: JsonObject,
  issuer: string,
  scopes: string[],
  binding: SenderBinding = NO_BINDING,
): Principal {
  // Everything is read before the freeze: an object on a null prototype is slower to read (measured in the benchmarks).
  const subject = optionalString(payload.sub);
  const clientId = clientIdOf(payload);
  const kind = kindOf(payload, subject, clientId);
  const { aud, acr, amr, auth_time: authTime, jti, exp, iat } = payload;
  let authentication = NO_AUTHENTICATION;
  if (acr !== undefined || amr !== undefined || authTime !== undefined) {
    const context: { acr?: string; amr?: readonly string[]; authTime?: number } = {};
    if (typeof acr === 'string') context.acr = acr;
    if (Array.isArray(amr)) context.amr = amr as readonly string[];
    if (typeof authTime === 'number') context.authTime = authTime;
    authentication = Object.freeze(context);
  }
  const claims = freezeClaims(payload, 0) as Readonly<Record<string, unknown>>;
  return Object.freeze({
    subject,
    clientId,
    kind,
    issuer,
    // The claim set's own arrays are frozen now; validated claims guarantee their element types.
    audience: typeof aud === 'string' ? Object.freeze([aud]) : (aud as readonly string[]),
    scopes: Object.freeze(scopes),
    tokenId: optionalString(jti),
    expiresAt: exp as number,
    issuedAt: typeof iat === 'number' ? iat : undefined,
    authentication,
    binding,
    claims,
  });
}
