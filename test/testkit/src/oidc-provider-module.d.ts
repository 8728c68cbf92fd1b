/**
 * The part of `oidc-provider` 8.x (which ships no types) that the testkit launcher uses. Kept private to
 * the testkit: no exported type of the testkit refers to it, so built declarations stay self-contained.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** An interaction session as returned by `interactionDetails`. */
  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: { readonly name: string; readonly details: Readonly<Record<string, unknown>> };
    readonly params: Readonly<Record<string, unknown>>;
    readonly session?: { readonly accountId?: string };
    readonly grantId?: string;
  }

  /** A grant being recorded for a consent prompt. */
  export interface ProviderGrant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: readonly string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  /** The model objects handed to configuration helpers (only what the launcher reads). */
  export interface ProviderToken {
    readonly accountId?: string;
    readonly clientId?: string;
    readonly kind?: string;
  }

  export interface ProviderClient {
    readonly clientId: string;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      request: IncomingMessage,
      response: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    readonly Grant: new (init: {
      accountId: string;
      clientId: string;
    }) => ProviderGrant;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const errors: {
    readonly InvalidTarget: new (description?: string) => Error;
  };
}
