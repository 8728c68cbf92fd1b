/**
 * Smoke test: the example starts with its one command against a real key server, allows a request that
 * carries the right scope, refuses one without credentials, and stops.
 */
import { fileURLToPath } from 'node:url';
import { createTokenIssuer, generateTestKey, launchProcess, startKeyServer } from '@nevertrust/testkit';
import { expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

it('serves one allowed and one denied request, then stops', async () => {
  const key = generateTestKey('RS256');
  const keys = await startKeyServer({ keys: [key.jwk], https: false });
  const audience = 'https://api.example.test';
  const mint = createTokenIssuer({ issuer: keys.url, audience, key });
  const server = await launchProcess(
    process.execPath,
    ['--conditions=nevertrust-source', '--import', 'tsx', 'src/server.ts'],
    {
      cwd: exampleDir,
      env: { ISSUER: keys.url, AUDIENCE: audience, PORT: '0' },
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
});
