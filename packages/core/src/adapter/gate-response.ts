/**
 * What the per-request gate needs of a response, whatever the framework: a Node `ServerResponse` is one
 * as it is; a fetch adapter, which only has a `Response` once the handler made it, supplies its own.
 */
import type { ServerResponse } from 'node:http';

/**
 * The response side of a gate: its status and whether it was sent, a place for the headers an allow adds,
 * and `finish` / `close` events fired when the response is done (with `this` being the response).
 *
 * @example
 * ```ts
 * const response: GateResponse = res; // a Node ServerResponse
 * ```
 */
export type GateResponse = Pick<ServerResponse, 'statusCode' | 'headersSent'> & {
  on(event: 'finish' | 'close', listener: (this: GateResponse) => void): unknown;
  setHeader(name: string, value: string): unknown;
};
