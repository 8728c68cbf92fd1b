/**
 * What a requirement is evaluated against: the verified principal, its effective scopes and roles, and the
 * request facts attribute-based conditions need. Built once per request by the guard, read-only.
 */
import type { Principal } from '../model/principal.js';

/**
 * The input of requirement evaluation.
 *
 * @example
 * ```ts
 * const ownsAccount = requireThat('owns-account', (input) => input.params.accountId === input.principal.subject);
 * ```
 */
export interface PolicyInput {
  readonly principal: Principal;
  /** Scopes the token grants, plus those the configured role table maps its roles to. */
  readonly scopes: ReadonlySet<string>;
  /** Roles read from the issuer's configured role claim. */
  readonly roles: ReadonlySet<string>;
  /** HTTP method as received. */
  readonly method: string;
  /** Route parameters: the framework's for a route's own requirement, the table pattern's for a table entry. */
  readonly params: Readonly<Record<string, string>>;
  /** The socket peer address, never a forwarded one. */
  readonly remoteAddress: string | undefined;
  /** Current time, in seconds since the epoch. */
  readonly nowSeconds: number;
}
