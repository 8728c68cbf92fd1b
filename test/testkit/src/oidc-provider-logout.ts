/**
 * Signing out at the test provider as a user agent would (OpenID Connect RP-Initiated Logout 1.0): the
 * end-session endpoint with the ID token as hint and the user's session cookies, then the confirmation
 * form the provider renders. On confirmation oidc-provider sends its back-channel logout tokens to the
 * clients of the session, and waits for their answers, before it redirects.
 */
import {
  type AuthorizationCodeRequest,
  type CookieJar,
  cookieJar,
  fetchProviderMetadata,
  OAuthResponseError,
  runAuthorizationCode,
  type TokenSet,
} from './oidc-provider-client.js';

/**
 * Ends the session the ID token was issued in.
 *
 * @example
 * ```ts
 * await endSession(issuer, tokens.idToken, jar);
 * ```
 */
export async function endSession(issuer: string, idToken: string, jar: CookieJar): Promise<void> {
  const metadata = await fetchProviderMetadata(issuer);
  const url = new URL(String(metadata.end_session_endpoint));
  url.searchParams.set('id_token_hint', idToken);
  const page = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(page);
  const html = await page.text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  const action = /action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || xsrf === undefined || action === undefined) {
    throw new OAuthResponseError(page.status, 'unexpected_response', 'no logout confirmation form');
  }
  const confirm = await fetch(new URL(action, issuer), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header() },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
  jar.store(confirm);
  await confirm.body?.cancel();
  if (confirm.status < 300 || confirm.status > 399) {
    throw new OAuthResponseError(confirm.status, 'unexpected_response', 'logout was not confirmed');
  }
}

/** Users signed in through a user agent each, so that each can sign out of their own session. */
export interface UserSessions {
  /** The authorization code flow in a fresh user agent, kept by the ID token it yields. */
  signIn(request: AuthorizationCodeRequest): Promise<TokenSet>;
  /** Ends the session `idToken` was issued in, with that user agent's cookies. */
  signOut(idToken: string): Promise<void>;
}

/**
 * The user agents of one provider's users.
 *
 * @example
 * ```ts
 * const users = createUserSessions(issuer);
 * const tokens = await users.signIn(request);
 * await users.signOut(tokens.idToken);
 * ```
 */
export function createUserSessions(issuer: string): UserSessions {
  const sessions = new Map<string, CookieJar>();
  return {
    async signIn(request) {
      const jar = cookieJar();
      const tokens = await runAuthorizationCode(issuer, request, jar);
      if (tokens.idToken !== undefined) sessions.set(tokens.idToken, jar);
      return tokens;
    },
    async signOut(idToken) {
      const jar = sessions.get(idToken);
      if (!jar) throw new Error('no session for this ID token (sign in with userTokens and scope openid)');
      await endSession(issuer, idToken, jar);
      sessions.delete(idToken);
    },
  };
}
