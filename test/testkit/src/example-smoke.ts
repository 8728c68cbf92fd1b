/**
 * The smoke test every framework example shares: the example starts with its one command against a real
 * key server, allows a request that carries the right scope, refuses one without credentials and one
 * without the admin scope, records the allowed request in its audit log, and stops cleanly.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startKeyServer } from './key-server.js';
import { generateTestKey } from './keys.js';
import { launchProcess } from './launch.js';
import { createTokenIssuer } from './tokens.js';

/**
 * Runs the shared smoke scenario against the example in `exampleDir` (its `src/server.ts`, started the
 * way its `start` script does, with `env` added to its environment); fails the calling test on any
 * difference.
 *
 * @example
 * ```ts
 * it('serves one allowed and one denied request, then stops', () =>
 *   smokeTestExample(new URL('..', import.meta.url)));
 * ```
 */
export async function smokeTestExample(
  exampleDir: string | URL,
  env: Readonly<Record<string, string>> = {},
): Promise<void> {
  const key = generateTestKey('RS256');
  const keys = await startKeyServer({ keys: [key.jwk], https: false });
  const audience = 'https://api.example.test';
  const mint = createTokenIssuer({ issuer: keys.url, audience, key });
  const server = await launchProcess(
    process.execPath,
    ['--conditions=nevertrust-source', '--import', 'tsx', 'src/server.ts'],
    {
      cwd: typeof exampleDir === 'string' ? exampleDir : fileURLToPath(exampleDir),
      env: { ...env, ISSUER: keys.url, AUDIENCE: audience, PORT: '0' },
      ready: /listening on (\S+)/,
    },
  );
  try {
    const token = mint({ claims: { scope: 'orders:read' } });
    const allowed = await fetch(`${server.ready}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual([]);
    const denied = await fetch(`${server.ready}/orders`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    const admin = await fetch(`${server.ready}/admin/stats`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(admin.status).toBe(403);
  } finally {
    expect(await server.stop()).toBe(0);
    await keys.close();
  }
  expect(server.output()).toMatch(/audit allow 200 OK \/orders/);
}
