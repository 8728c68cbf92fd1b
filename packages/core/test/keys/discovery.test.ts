import { afterEach, describe, expect, it } from 'vitest';
import { discoveryUrl } from '../../src/keys/discovery.js';
import { Cleanup, startRig } from '../fixtures/remote-rig.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('K-1: metadata URL construction', () => {
  it.each([
    ['https://as.example', 'openid-configuration', 'https://as.example/.well-known/openid-configuration'],
    ['https://as.example/', 'openid-configuration', 'https://as.example/.well-known/openid-configuration'],
    [
      'https://as.example/tenant/a',
      'openid-configuration',
      'https://as.example/tenant/a/.well-known/openid-configuration',
    ],
    [
      'https://as.example/tenant/',
      'openid-configuration',
      'https://as.example/tenant/.well-known/openid-configuration',
    ],
    [
      'https://as.example',
      'oauth-authorization-server',
      'https://as.example/.well-known/oauth-authorization-server',
    ],
    [
      'https://as.example/tenant/a',
      'oauth-authorization-server',
      'https://as.example/.well-known/oauth-authorization-server/tenant/a',
    ],
    // RFC 8414 §3.1: a terminating "/" is removed before inserting the well-known segment.
    [
      'https://as.example/tenant/',
      'oauth-authorization-server',
      'https://as.example/.well-known/oauth-authorization-server/tenant',
    ],
  ] as const)('%s (%s) → %s', (issuer, kind, expected) => {
    expect(discoveryUrl(issuer, kind)).toBe(expected);
  });

  it('OIDC discovery appends to an issuer with a path, and only that URL is asked', async () => {
    const rig = await startRig(cleanup, {
      discovery: 'openid-configuration',
      server: { issuerPath: '/tenant' },
    });
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect(rig.server.count('/tenant/.well-known/openid-configuration')).toBe(1);
    expect(rig.server.count('/.well-known/openid-configuration/tenant')).toBe(0);
    expect(rig.server.count('/.well-known/oauth-authorization-server/tenant')).toBe(0);
    expect(rig.jwksHits()).toBe(1);
  });

  it('RFC 8414 discovery inserts before the path of an issuer with a path', async () => {
    const rig = await startRig(cleanup, {
      discovery: 'oauth-authorization-server',
      server: { issuerPath: '/tenant' },
    });
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect(rig.server.count('/.well-known/oauth-authorization-server/tenant')).toBe(1);
    expect(rig.server.count('/tenant/.well-known/openid-configuration')).toBe(0);
  });

  it('without a key source, OIDC discovery is the default', async () => {
    const rig = await startRig(cleanup, { discovery: 'default', server: { issuerPath: '/tenant' } });
    await rig.guard.ready();
    expect(rig.server.count('/tenant/.well-known/openid-configuration')).toBe(1);
  });

  it('metadata is read once; later refreshes go straight to the JWKS', async () => {
    const rig = await startRig(cleanup, { discovery: 'openid-configuration' });
    await rig.guard.ready();
    rig.clock.advance(600_001);
    await rig.guard.ready();
    expect(rig.jwksHits()).toBe(2);
    expect(rig.server.count('/.well-known/openid-configuration')).toBe(1);
  });
});

describe('K-2: the metadata must name the configured issuer exactly', () => {
  it.each([
    ['another issuer', () => 'https://evil.test'],
    ['a trailing slash more', (url: string) => `${url}/`],
    ['different case', (url: string) => url.toUpperCase()],
    ['no issuer member', () => undefined],
  ])('%s → fail closed (503, ready() rejects, JWKS never fetched)', async (_, issuerOf) => {
    const rig = await startRig(cleanup, { discovery: 'openid-configuration' });
    rig.server.setMetadata({ issuer: issuerOf(rig.server.url) });
    const failure = rig.guard.ready();
    await expect(failure).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    // The error names what the document said and where it was fetched.
    await expect(failure).rejects.toThrow(
      /discovery at http.*: discovery document (names issuer|has no issuer)/s,
    );
    rig.clock.advance(5000);
    const decision = await rig.evaluate(rig.mint());
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_KEYS_UNAVAILABLE');
    expect(rig.jwksHits()).toBe(0);
    expect(rig.reports.every((report) => !report.ok)).toBe(true);
  });

  it('a failed discovery is retried, and succeeds once the metadata is right', async () => {
    const rig = await startRig(cleanup, { discovery: 'openid-configuration' });
    rig.server.setMetadata({ issuer: 'https://evil.test' });
    await expect(rig.guard.ready()).rejects.toThrow();
    rig.server.setMetadata({});
    await rig.guard.ready();
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
  });
});

describe('K-3: the discovered jwks_uri must be acceptable', () => {
  it.each([
    ['http off loopback', 'http://idp.example.com/jwks'],
    ['not a URL', 'jwks.json'],
    ['with credentials', 'https://user:pass@idp.example.com/jwks'],
    ['not a string', 42],
    ['missing', undefined],
  ])('%s → refused without fetching it', async (_, jwksUri) => {
    const rig = await startRig(cleanup, { discovery: 'openid-configuration' });
    rig.server.setMetadata({ jwks_uri: jwksUri });
    await expect(rig.guard.ready()).rejects.toThrow(/jwks_uri/);
    const decision = await rig.evaluate(rig.mint());
    expect(decision.outcome === 'deny' && decision.status).toBe(503);
    expect(rig.jwksHits()).toBe(0);
  });
});
