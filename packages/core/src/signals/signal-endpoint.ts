/**
 * An HTTP endpoint of a signal channel, independent of any framework: the adapters read the request body
 * (bounded) and write what {@link SignalEndpoint.respond} answers. Only `POST` of the channel's media type
 * is accepted; the endpoint is public — the signed token is the credential — so nothing but that token
 * is ever acted on.
 */

/** A request to a signal endpoint, its body already read by the adapter. */
export interface SignalRequest {
  readonly method: string;
  /** The `Content-Type` header, if any. */
  readonly contentType: string | undefined;
  /** The body as text; `undefined` when it could not be read whole within the bounds. */
  readonly body: string | undefined;
  /** Why the body is missing: larger than `maxBodyBytes`, or not received in time. */
  readonly bodyProblem?: 'too-large' | 'timeout' | 'unreadable';
  readonly remoteAddress?: string | undefined;
}

/** What an adapter writes back. */
export interface SignalResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One signal endpoint. */
export interface SignalEndpoint {
  /** The exact path it is served at (the query is ignored). */
  readonly path: string;
  /** Largest body read; a larger one is refused with 413 without being read further. */
  readonly maxBodyBytes: number;
  /** The answer to one request. Never rejects. */
  respond(request: SignalRequest): Promise<SignalResponse>;
}

/**
 * The media type of a `Content-Type` header, lower case, without parameters.
 *
 * @example
 * ```ts
 * mediaTypeOf('application/x-www-form-urlencoded; charset=UTF-8'); // 'application/x-www-form-urlencoded'
 * ```
 */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

/**
 * Why a request cannot carry a token at all (method, body), before the channel reads it: the status and
 * the detail, or `undefined`.
 *
 * @example
 * ```ts
 * requestProblem({ method: 'GET', contentType: undefined, body: '' }, 'application/secevent+jwt');
 * // { status: 405, detail: 'only POST is accepted' }
 * ```
 */
export function requestProblem(
  request: SignalRequest,
  mediaType: string,
): { readonly status: number; readonly detail: string } | undefined {
  if (request.method !== 'POST') return { status: 405, detail: 'only POST is accepted' };
  if (request.bodyProblem === 'too-large') return { status: 413, detail: 'the body is too large' };
  if (request.body === undefined) return { status: 400, detail: 'the body could not be read' };
  if (mediaTypeOf(request.contentType) !== mediaType) {
    return { status: 400, detail: `the body is not ${mediaType}` };
  }
  return undefined;
}
