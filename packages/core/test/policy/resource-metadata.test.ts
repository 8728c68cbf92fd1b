import { bearer, parseChallenges, requestFacts } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, publicRoute, requireAnyScope, requireScopes } from '../../src/index.js';
import { ISSUER, policyHarness } from './helpers.js';

describe('protected resource metadata (RFC 9728)', () => {
  it.each([
    ['https://api.example.com', '/.well-known/oauth-protected-resource'],
    ['https://api.example.com/', '/.well-known/oauth-protected-resource'],
    ['https://api.example.com/v1', '/.well-known/oauth-protected-resource/v1'],
    ['https://api.example.com/v1/', '/.well-known/oauth-protected-resource/v1'],
    ['https://api.example.com:8443/a/b', '/.well-known/oauth-protected-resource/a/b'],
  ])('P-1 %s is published at %s', (resource, path) => {
    const { guard } = policyHarness({ resourceMetadata: { resource } });
    expect(guard.resourceMetadata?.path).toBe(path);
    expect(guard.resourceMetadata?.url).toBe(`${new URL(resource).origin}${path}`);
  });

  it('P-2/P-3 the document names the resource exactly, the issuers, scopes and bearer methods', () => {
    const { guard } = policyHarness({
      resourceMetadata: { resource: 'https://api.example.com/v1/', resourceName: 'Orders API' },
      policy: {
        routes: [
          { method: 'GET', path: '/health', requirement: publicRoute() },
          { method: 'GET', path: '/orders', requirement: requireAnyScope('orders:read', 'orders:admin') },
        ],
        roles: { ops: ['ops:deploy'] },
      },
    });
    const endpoint = guard.resourceMetadata;
    expect(endpoint?.document).toEqual({
      resource: 'https://api.example.com/v1/',
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
      scopes_supported: ['ops:deploy', 'orders:admin', 'orders:read'],
      resource_name: 'Orders API',
    });
    expect(JSON.parse(endpoint?.response.body ?? '')).toEqual(endpoint?.document);
    expect(endpoint?.response.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    });
  });

  it('P-3 bearer_methods_supported reflects the enabled extractors', () => {
    const { guard } = policyHarness({
      allowQueryToken: true,
      resourceMetadata: { resource: 'https://api.example.com' },
    });
    expect(guard.resourceMetadata?.document.bearer_methods_supported).toEqual(['header', 'query']);
  });

  it('configured values replace the defaults', () => {
    const { guard } = policyHarness({
      resourceMetadata: {
        resource: 'https://api.example.com',
        authorizationServers: ['https://as.example.com'],
        scopesSupported: ['a'],
        maxAgeSeconds: 60,
      },
    });
    expect(guard.resourceMetadata?.document).toMatchObject({
      authorization_servers: ['https://as.example.com'],
      scopes_supported: ['a'],
    });
    expect(guard.resourceMetadata?.response.headers['cache-control']).toBe('public, max-age=60');
  });

  it('P-4 every challenge carries resource_metadata', async () => {
    const { guard, mint } = policyHarness({ resourceMetadata: { resource: 'https://api.example.com/v1' } });
    const url = 'https://api.example.com/.well-known/oauth-protected-resource/v1';
    const noCredentials = await guard.evaluate(requestFacts());
    const invalid = await guard.evaluate(bearer('x.y.z'));
    const scope = await guard.evaluate(bearer(mint()), requireScopes('orders:write'));
    for (const decision of [noCredentials, invalid, scope]) {
      const [challenge] = parseChallenges(decision.headers['www-authenticate'] ?? '');
      expect(challenge?.params.resource_metadata).toBe(url);
    }
    // B-7: still no error information without credentials.
    expect(parseChallenges(noCredentials.headers['www-authenticate'] ?? '')[0]?.params).toEqual({
      resource_metadata: url,
    });
  });

  it('the document path is public even under a policy table and strict mode', async () => {
    const { guard } = policyHarness({
      resourceMetadata: { resource: 'https://api.example.com/v1' },
      policy: { strict: true, routes: [{ method: 'GET', path: '/orders', requirement: requireScopes('a') }] },
    });
    const path = '/.well-known/oauth-protected-resource/v1';
    expect(guard.resourceMetadata?.serves('GET', `${path}?x=1`)).toBe(true);
    expect((await guard.evaluate(requestFacts({ target: path }))).outcome).toBe('allow');
    expect((await guard.evaluate(requestFacts({ method: 'HEAD', target: path }))).outcome).toBe('allow');
    expect(await guard.evaluate(requestFacts({ method: 'POST', target: path }))).toMatchObject({
      status: 403,
    });
    expect(await guard.evaluate(requestFacts({ target: `${path}/x` }))).toMatchObject({ status: 403 });
    // A present but invalid token is still refused there.
    expect(await guard.evaluate(bearer('x.y.z', { target: path }))).toMatchObject({ status: 401 });
  });

  it('without the option no metadata and no resource_metadata parameter', async () => {
    const { guard } = policyHarness();
    expect(guard.resourceMetadata).toBeUndefined();
    expect((await guard.evaluate(requestFacts())).headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['http://api.example.com', 'resourceMetadata.resource: expected an https URL (http only on loopback)'],
    ['https://api.example.com/#x', 'resourceMetadata.resource: expected no fragment'],
    ['https://api.example.com/?a=1', 'resourceMetadata.resource: expected no query'],
    ['api', 'resourceMetadata.resource: expected an absolute URL'],
  ])('P-2 refuses the resource identifier %s at start-up', (resource, problem) => {
    try {
      policyHarness({ resourceMetadata: { resource } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toContain(problem);
    }
  });

  it('accepts http on loopback for development', () => {
    const { guard } = policyHarness({ resourceMetadata: { resource: 'http://127.0.0.1:3000/api' } });
    expect(guard.resourceMetadata?.url).toBe(
      'http://127.0.0.1:3000/.well-known/oauth-protected-resource/api',
    );
  });
});
