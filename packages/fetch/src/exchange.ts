/**
 * One request's side of the gate in a fetch-style handler: the core's gate expects a response it can be
 * told about, and a fetch handler only has a `Response` once it is made. The exchange stands in for it:
 * it keeps the headers an allow adds (`Cache-Control: private` for a query token, B-5) until the response
 * exists, keeps the refusal the gate wrote, and fires the gate's completion once, with the final status,
 * when the response is known — so the one audit event carries the status the client gets.
 */
import type { DenyDecision } from '@nevertrust/core';
import type { GateResponse } from '@nevertrust/core/adapter';
import { denialResponse } from './responses.js';

type Listener = (this: GateResponse) => void;

/** The gate's view of a response that a fetch handler has not made yet. */
export class FetchExchange implements GateResponse {
  statusCode = 200;
  headersSent = false;
  /** Headers an allow adds to whatever response the handler makes. */
  readonly headers: Record<string, string> = Object.create(null);
  /** The refusal the gate wrote, when it refused. */
  refusal: Response | undefined;
  #listeners: Listener[] = [];

  on(_event: 'finish' | 'close', listener: Listener): this {
    // The gate listens to both with one function that completes once: keeping one is enough.
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
    return this;
  }

  setHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  /** The gate's denial writer: the refusal as a ready `Response`, kept for the caller to return. */
  readonly write = (decision: DenyDecision): Response => {
    this.refusal = denialResponse(decision);
    return this.refusal;
  };

  /** The response is made: the gate records the request's audit event with `status`. Once. */
  finish(status: number): void {
    if (this.headersSent) return;
    this.statusCode = status;
    this.headersSent = true;
    for (const listener of this.#listeners) listener.call(this);
  }

  /** `response` with the headers the allow added; a copy when its headers cannot be changed. */
  decorate(response: Response): Response {
    let names = 0;
    for (const _ in this.headers) names++;
    if (names === 0) return response;
    let target = response;
    try {
      for (const name in this.headers) target.headers.set(name, this.headers[name] as string);
    } catch {
      // A `Response` from `fetch()` or `Response.redirect()` has immutable headers.
      target = new Response(response.body, response);
      for (const name in this.headers) target.headers.set(name, this.headers[name] as string);
    }
    return target;
  }
}
