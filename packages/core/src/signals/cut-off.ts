/**
 * What a verified signal does: one or more cut-offs in the revocation store, which every instance sharing
 * the store applies on its next request. A cut-off is data until {@link applyCutOffs} records it, so the
 * channels decide what to cut and one function does the cutting.
 */
import type { Revocation } from '../policy/revocation.js';

/** One cut-off: by subject, by session (`sid`), or by authentication time, in one token issuer. */
export type CutOff =
  | { readonly kind: 'subject'; readonly issuer: string; readonly subject: string }
  | { readonly kind: 'session'; readonly issuer: string; readonly sessionId: string }
  | {
      readonly kind: 'authentication';
      readonly issuer: string;
      readonly subject: string;
      /** Tokens whose user authenticated at or before this second are refused. */
      readonly authenticatedBefore: number;
    };

/**
 * What a session ending cuts off when the signal names both the user and the session: `subject` (the
 * default) every token of the user — fail closed, because an access token without a `sid` claim cannot be
 * tied to the session that ended — or `session` only tokens carrying that `sid`.
 */
export type SessionScope = 'subject' | 'session';

/**
 * The cut-offs of a session that ended, by the rule of {@link SessionScope}.
 *
 * @example
 * ```ts
 * sessionCutOffs(['https://idp.example.com/'], 'alice', 'sid-1', 'session'); // [{ kind: 'session', … }]
 * ```
 */
export function sessionCutOffs(
  issuers: readonly string[],
  subject: string | undefined,
  sessionId: string | undefined,
  scope: SessionScope,
): CutOff[] {
  return issuers.flatMap((issuer): CutOff[] => {
    const cuts: CutOff[] = [];
    if (sessionId !== undefined) cuts.push({ kind: 'session', issuer, sessionId });
    if (subject !== undefined && (sessionId === undefined || scope === 'subject')) {
      cuts.push({ kind: 'subject', issuer, subject });
    }
    return cuts;
  });
}

/**
 * Records cut-offs, each issued up to now (or, for authentication, up to its own time). Rejects with the
 * store's fault, and the receiver answers 503: a signal is acknowledged only once it is recorded.
 *
 * @example
 * ```ts
 * await applyCutOffs(guard.revocation, [{ kind: 'subject', issuer, subject: 'alice' }]);
 * ```
 */
export async function applyCutOffs(revocation: Revocation, cuts: readonly CutOff[]): Promise<void> {
  for (const cut of cuts) {
    if (cut.kind === 'subject') await revocation.revokeSubject({ issuer: cut.issuer, subject: cut.subject });
    else if (cut.kind === 'session') {
      await revocation.revokeSession({ issuer: cut.issuer, sessionId: cut.sessionId });
    } else {
      const { issuer, subject, authenticatedBefore } = cut;
      await revocation.revokeAuthentication({ issuer, subject, authenticatedBefore });
    }
  }
}
