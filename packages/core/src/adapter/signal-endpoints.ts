/**
 * The identity provider's signal endpoints (back-channel logout, Shared Signals push), served by every
 * adapter before any authentication — the signed token in the body is the credential — like the RFC 9728
 * metadata. One implementation for the three adapters: find the endpoint, read the body within its bound
 * and a time limit, answer. Never rejects: whatever happens becomes one of the endpoint's own answers.
 */
import type { IncomingMessage } from 'node:http';
import type { Guard } from '../pipeline/guard.js';
import type { SignalEndpoint, SignalRequest } from '../signals/signal-endpoint.js';
import type { WellKnownResponse } from './well-known.js';

/** How long the whole body may take to arrive. */
export const BODY_TIMEOUT_MS = 10_000;

function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/** Reads the body, up to `limit` bytes, or says why it could not. */
function readBody(raw: IncomingMessage, limit: number): Promise<SignalBody> {
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ body: undefined, bodyProblem: 'too-large' });
  if (raw.readableEnded) return Promise.resolve({ body: undefined, bodyProblem: 'unreadable' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: SignalBody) => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', onEnd).off('error', onError);
      // Whatever else arrives is discarded, so the connection can end normally after the answer.
      if (result.bodyProblem !== undefined) raw.resume();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ body: undefined, bodyProblem: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ body: Buffer.concat(chunks).toString('utf8') });
    const onError = () => finish({ body: undefined, bodyProblem: 'unreadable' });
    const timer = setTimeout(() => finish({ body: undefined, bodyProblem: 'timeout' }), BODY_TIMEOUT_MS);
    raw.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** What reading a signal request's body gave: the text, or why there is none. */
export type SignalBody = Pick<SignalRequest, 'body' | 'bodyProblem'>;

/** A request to a signal endpoint as any adapter sees it; `readBody` reads at most `limit` bytes. */
export interface SignalExchange {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly remoteAddress: string | undefined;
  readBody(limit: number): Promise<SignalBody>;
}

/**
 * The guard's signal endpoint served at the path of `target`, if any.
 *
 * @example
 * ```ts
 * const endpoint = findSignalEndpoint(guard, '/backchannel-logout');
 * ```
 */
export function findSignalEndpoint(guard: Guard, target: string): SignalEndpoint | undefined {
  const { signals } = guard;
  if (signals === undefined || signals.length === 0) return undefined;
  const path = pathOf(target);
  return signals.find((candidate) => candidate.path === path);
}

/**
 * The endpoint's answer to one exchange. Never rejects: a body that cannot be read becomes the endpoint's
 * own answer to an unreadable body.
 *
 * @example
 * ```ts
 * const answer = await answerSignal(endpoint, { method: 'POST', contentType, remoteAddress, readBody });
 * ```
 */
export function answerSignal(endpoint: SignalEndpoint, exchange: SignalExchange): Promise<WellKnownResponse> {
  const base = {
    method: exchange.method,
    contentType: exchange.contentType,
    remoteAddress: exchange.remoteAddress,
  };
  const answer = async () => {
    // A peer over the endpoint's limit is answered before its body is read.
    const held = await endpoint.admit(base.remoteAddress);
    if (held) return held;
    // Only a POST has a body worth reading; anything else is refused without reading.
    const read = await (base.method === 'POST'
      ? exchange.readBody(endpoint.maxBodyBytes)
      : Promise.resolve({ body: '' })
    ).catch(() => ({ body: undefined, bodyProblem: 'unreadable' as const }));
    return endpoint.respond({ ...base, ...read });
  };
  return answer().then((response) =>
    // The rest of an unread body is not read: the connection ends with the answer.
    response.status === 413 || response.status === 429
      ? { ...response, headers: { ...response.headers, connection: 'close' } }
      : response,
  );
}

/**
 * The endpoint's answer when the request is for one of the guard's signal endpoints; otherwise
 * `undefined` and the request goes on as usual. Mount nevertrust before any body parser, so the body is
 * still unread.
 *
 * @example
 * ```ts
 * const signal = signalEndpointResponse(guard, req, req.method, req.originalUrl);
 * if (signal) return void signal.then((r) => res.status(r.status).set(r.headers).send(r.body));
 * ```
 */
export function signalEndpointResponse(
  guard: Guard,
  raw: IncomingMessage,
  method: string | undefined,
  target: string,
): Promise<WellKnownResponse> | undefined {
  const endpoint = findSignalEndpoint(guard, target);
  if (!endpoint) return undefined;
  return answerSignal(endpoint, {
    method: method ?? '',
    contentType: raw.headers['content-type'],
    remoteAddress: raw.socket?.remoteAddress,
    readBody: (limit) => readBody(raw, limit),
  });
}
