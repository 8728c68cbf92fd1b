/** Reading a whole `node:http(s)` response, headers as received (every value per lower-cased name). */
import type { IncomingMessage } from 'node:http';

/** A response read to its end. */
export interface CollectedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
}

/**
 * Reads `response` to its end.
 *
 * @example
 * ```ts
 * https.request(url, options, (response) => collectResponse(response).then(resolve, reject)).end();
 * ```
 */
export function collectResponse(response: IncomingMessage): Promise<CollectedResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', reject);
    response.on('end', () =>
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headersDistinct as Record<string, string[]>,
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
}
