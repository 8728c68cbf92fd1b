/**
 * What every outbound request of a guard shares (key sets, discovery, introspection): it settles once,
 * within a whole-request timeout, and its body is read up to a size cap — a slow or enormous answer from a
 * provider never ties up the API (attack #25).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';

/** Settles a request's promise once: with a value, or with an error that also destroys the request. */
export type Settle<T> = (error: Error | undefined, value?: T) => void;

/** The errors a request settles with when it times out or its connection fails. */
export interface RequestErrors {
  readonly timeout: () => Error;
  readonly network: (message: string) => Error;
}

/**
 * Arms the timeout of `request`, settles it on a connection error, and returns the one function that
 * settles it.
 *
 * @example
 * ```ts
 * const finish = settleOnce(request, 5000, { timeout, network }, resolve, reject);
 * ```
 */
export function settleOnce<T>(
  request: ClientRequest,
  timeoutMs: number,
  errors: RequestErrors,
  resolve: (value: T) => void,
  reject: (error: Error) => void,
): Settle<T> {
  let settled = false;
  const finish: Settle<T> = (error, value) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (error) {
      request.destroy();
      reject(error);
    } else resolve(value as T);
  };
  const timer = setTimeout(() => finish(errors.timeout()), timeoutMs);
  request.on('error', (error) => finish(errors.network(`request failed: ${error.message}`)));
  return finish;
}

/**
 * Reads a response body of at most `maxBytes` (checked against `Content-Length` first, then as it
 * arrives), calling `tooLarge` once it is exceeded and `done` with the whole body otherwise.
 *
 * @example
 * ```ts
 * readBounded(response, 65536, () => finish(tooLargeError), (body) => finish(undefined, body));
 * ```
 */
export function readBounded(
  response: IncomingMessage,
  maxBytes: number,
  tooLarge: () => void,
  done: (body: Buffer) => void,
): void {
  if (Number(response.headers['content-length']) > maxBytes) {
    response.resume();
    tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  response.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > maxBytes) tooLarge();
    else chunks.push(chunk);
  });
  response.on('end', () => {
    if (total <= maxBytes) done(Buffer.concat(chunks));
  });
}
