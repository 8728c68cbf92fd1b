/**
 * What a fetch-style application serves before any authentication, like every adapter: the RFC 9728
 * protected resource metadata document and the identity provider's signal endpoints (back-channel logout,
 * Shared Signals push), whose signed token in the body is the credential.
 */
import type { Guard } from '@nevertrust/core';
import {
  answerSignal,
  type FetchConnection,
  findSignalEndpoint,
  resourceMetadataResponse,
  targetOf,
} from '@nevertrust/core/adapter';
import { wellKnownResponse } from './responses.js';
import { readRequestBody } from './signal-body.js';

/**
 * The answer when `request` is for the metadata document or a signal endpoint of `guard`; otherwise
 * `undefined` and the request goes on to be protected as usual. Call it before reading the body.
 *
 * @example
 * ```ts
 * const served = serveWellKnown(guard, request);
 * if (served) return served;
 * ```
 */
export function serveWellKnown(
  guard: Guard,
  request: Request,
  connection: FetchConnection = {},
): Promise<Response> | undefined {
  if (guard.resourceMetadata === undefined && (guard.signals?.length ?? 0) === 0) return undefined;
  const target = targetOf(request.url);
  const metadata = resourceMetadataResponse(guard, request.method, target);
  if (metadata) return Promise.resolve(wellKnownResponse(metadata, request.method));
  const endpoint = findSignalEndpoint(guard, target);
  if (!endpoint) return undefined;
  return answerSignal(endpoint, {
    method: request.method,
    contentType: request.headers.get('content-type') ?? undefined,
    remoteAddress: connection.remoteAddress,
    readBody: (limit) => readRequestBody(request, limit),
  }).then((answer) => wellKnownResponse(answer, request.method));
}
