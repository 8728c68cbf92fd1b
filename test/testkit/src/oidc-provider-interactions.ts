/**
 * The test provider's login and consent pages, without pages: each interaction is completed at once by the
 * provider's own interaction API. The user named by `login_hint` signs in with the strongest `acr` among the
 * requested `acr_values` (else the weakest known), and consent grants exactly what was asked for. The
 * provider still runs its full authorization code machinery (sessions, grants, PKCE); only the human is
 * scripted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import type { OidcAcr, ResolvedProviderSettings } from './oidc-provider-config.js';

function stringParam(details: InteractionDetails, name: string): string | undefined {
  const value = details.params[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function chooseAcr(acrs: readonly OidcAcr[], requested: string | undefined): OidcAcr | undefined {
  const wanted = new Set(requested?.split(' ') ?? []);
  const matches = acrs.filter(({ acr }) => wanted.has(acr));
  return matches.at(-1) ?? acrs[0];
}

async function consentResult(
  provider: Provider,
  details: InteractionDetails,
): Promise<Record<string, unknown>> {
  const accountId = details.session?.accountId;
  const clientId = stringParam(details, 'client_id');
  if (accountId === undefined || clientId === undefined) {
    return { error: 'access_denied', error_description: 'no signed-in user to consent' };
  }
  const grant = new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return { consent: { grantId: await grant.save() } };
}

/**
 * Completes the interaction behind `GET /interaction/:uid`.
 *
 * @example
 * ```ts
 * if (path.startsWith('/interaction/')) await completeInteraction(provider, settings, request, response);
 * ```
 */
export async function completeInteraction(
  provider: Provider,
  settings: ResolvedProviderSettings,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  let result: Record<string, unknown>;
  if (details.prompt.name === 'login') {
    const accountId = stringParam(details, 'login_hint') ?? Object.keys(settings.accounts)[0];
    const strength = chooseAcr(settings.acrs, stringParam(details, 'acr_values'));
    result =
      accountId !== undefined && settings.accounts[accountId] !== undefined
        ? {
            login: {
              accountId,
              remember: false,
              ...(strength ? { acr: strength.acr, amr: [...strength.amr] } : {}),
            },
          }
        : { error: 'access_denied', error_description: 'unknown user' };
  } else if (details.prompt.name === 'consent') {
    result = await consentResult(provider, details);
  } else {
    result = { error: 'access_denied', error_description: `unsupported prompt ${details.prompt.name}` };
  }
  await provider.interactionFinished(request, response, result);
}
