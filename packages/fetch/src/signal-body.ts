/**
 * Reading a signal request's body from a `Request` within the endpoint's size bound and the core's time
 * limit: the stream is read chunk by chunk and cancelled as soon as it is too large or too slow, so a
 * client cannot make the server buffer more than the bound or wait for ever.
 */
import { BODY_TIMEOUT_MS, type SignalBody } from '@nevertrust/core/adapter';

const TIMED_OUT = Symbol('timed out');

/**
 * The body of `request` as text, at most `limit` bytes, or why it could not be read.
 *
 * @example
 * ```ts
 * const { body, bodyProblem } = await readRequestBody(request, 65_536);
 * ```
 */
export async function readRequestBody(request: Request, limit: number): Promise<SignalBody> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return { body: undefined, bodyProblem: 'too-large' };
  if (request.bodyUsed) return { body: undefined, bodyProblem: 'unreadable' };
  if (request.body === null) return { body: '' };
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), BODY_TIMEOUT_MS);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const read = await Promise.race([reader.read(), deadline]);
      if (read === TIMED_OUT) return { body: undefined, bodyProblem: 'timeout' };
      if (read.done) break;
      size += read.value.byteLength;
      if (size > limit) return { body: undefined, bodyProblem: 'too-large' };
      chunks.push(read.value);
    }
  } catch {
    return { body: undefined, bodyProblem: 'unreadable' };
  } finally {
    clearTimeout(timer);
    // Whatever else would arrive is not wanted; cancelling a finished stream is a no-op.
    reader.cancel().catch(() => {});
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { body: new TextDecoder().decode(whole) };
}
