/**
 * How nevertrust authenticates to an introspection endpoint beyond `client_secret_basic` (RFC 7662 §2.1,
 * I-2), against real local endpoints: `private_key_jwt` (RFC 7523 §2.2, the assertion checked by jose on
 * the server side), mutual TLS (RFC 8705 §2: `tls_client_auth` and `self_signed_tls_client_auth`) over
 * HTTPS with certificates generated at test time, `keyFetch.ca` trusted for the introspection call as for
 * key fetching, the breaker's settings, and start-up checks of every credential option.
 */
import { createPrivateKey } from 'node:crypto';
import {
  generateTestKey,
  type IntrospectionServer,
  type IntrospectionServerSettings,
  startIntrospectionServer,
  startKeyServer,
  type TlsMaterial,
  testTls,
} from '@nevertrust/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createGuard, type IntrospectionOptions, requireScopes } from '../../src/index.js';
import { AUDIENCE, expectAllow, expectDeny, ISSUER, testKey } from '../support.js';
import { introspectingHarness, knownToken } from './introspection-support.js';

const CLIENT_ID = 'api-resource';
const assertionKey = generateTestKey('ES256', 'client-assertion');
const rsaAssertionKey = generateTestKey('RS256', 'client-assertion-rsa');
let tls: TlsMaterial;
const servers: IntrospectionServer[] = [];
// Real time: the provider checks the client assertion's `iat`/`exp` against its own clock.
const NOW = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  tls = await testTls();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(settings: Omit<IntrospectionServerSettings, 'clientId'>) {
  const server = await startIntrospectionServer({ clientId: CLIENT_ID, ...settings });
  servers.push(server);
  return server;
}

const opaque = (server: IntrospectionServer) => knownToken(server, NOW);

const guardFor = (
  server: IntrospectionServer,
  introspection: Omit<IntrospectionOptions, 'clientId'>,
  ca?: string,
) =>
  introspectingHarness(
    server,
    { clientId: CLIENT_ID, timeoutMs: 1000, ...introspection },
    { start: NOW, guard: ca ? { keyFetch: { ca } } : {} },
  );

/** The decoded header or payload of a compact JWS. */
const segment = (jwt: string | undefined, index: 0 | 1) =>
  JSON.parse(Buffer.from(jwt?.split('.')[index] ?? '', 'base64url').toString() || 'null');
const payloadOf = (jwt: string) => segment(jwt, 1);

describe('private_key_jwt (RFC 7523 §2.2)', () => {
  it('I-2: a signed client assertion authenticates the call: iss = sub = client_id, aud = the issuer, fresh jti, short exp', async () => {
    const server = await serve({ assertionKey: assertionKey.publicKey });
    const { evaluateToken } = guardFor(server, {
      clientAuth: 'private_key_jwt',
      privateKey: assertionKey.privateKey,
    });
    expectAllow(await evaluateToken(opaque(server), requireScopes('a')));
    // The server refuses a replayed jti: a second call succeeding proves each call signs a new assertion.
    expectAllow(await evaluateToken(opaque(server), requireScopes('a')));
    const [first, second] = server.requests.slice(-2);
    expect(first?.auth).toBe('private_key_jwt');
    expect(second?.auth).toBe('private_key_jwt');
    expect(first?.authorization).toBeUndefined();
    expect(first?.form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const claims = payloadOf(first?.form.client_assertion as string);
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: ISSUER });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(60);
    expect(claims.jti).not.toBe(payloadOf(second?.form.client_assertion as string).jti);
  });

  it('the key as a PEM string or a private JWK (RSA → RS256)', async () => {
    const server = await serve({ assertionKey: rsaAssertionKey.publicKey });
    const pem = rsaAssertionKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const jwk = rsaAssertionKey.privateKey.export({ format: 'jwk' });
    for (const privateKey of [pem, jwk]) {
      const { evaluateToken } = guardFor(server, { clientAuth: 'private_key_jwt', privateKey });
      expectAllow(await evaluateToken(opaque(server)));
      const header = segment(server.requests.at(-1)?.form.client_assertion, 0);
      expect(header.alg).toBe('RS256');
    }
  });

  it('assertionAudience: a provider that wants its endpoint URL as aud', async () => {
    const own = await serve({
      assertionKey: assertionKey.publicKey,
      assertionAudiences: ['https://idp.test/token/introspection'],
    });
    const base = { clientAuth: 'private_key_jwt' as const, privateKey: assertionKey.privateKey };
    // By default the assertion names the issuer, which this provider does not accept.
    expectDeny(await guardFor(own, base).evaluateToken(opaque(own)), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
    const configured = guardFor(own, { ...base, assertionAudience: 'https://idp.test/token/introspection' });
    expectAllow(await configured.evaluateToken(opaque(own)));
  });

  it('an assertion signed with another key is refused by the provider: 503, never an allow', async () => {
    const server = await serve({ assertionKey: assertionKey.publicKey });
    const other = generateTestKey('ES256', 'other-client-key');
    const { evaluateToken } = guardFor(server, {
      clientAuth: 'private_key_jwt',
      privateKey: other.privateKey,
    });
    expectDeny(await evaluateToken(opaque(server)), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
    expect(server.requests.at(-1)?.auth).toMatch(/^refused/);
  });
});

describe('HTTPS endpoints: keyFetch.ca and mutual TLS (RFC 8705 §2)', () => {
  const https = () => ({ key: tls.serverKey, cert: tls.serverCert, clientCa: tls.ca });

  it('an endpoint behind a private CA: 503 without keyFetch.ca, allowed with it', async () => {
    const server = await serve({ clientSecret: 's3cret', tls: https() });
    expect(server.endpoint).toMatch(/^https:/);
    const untrusted = guardFor(server, { clientSecret: 's3cret' });
    const refused = expectDeny(
      await untrusted.evaluateToken(opaque(server)),
      'ERR_INTROSPECTION_UNAVAILABLE',
      503,
    );
    expect(refused.audit.detail ?? '').not.toContain('s3cret');
    const trusted = guardFor(server, { clientSecret: 's3cret' }, tls.ca);
    expectAllow(await trusted.evaluateToken(opaque(server)));
    expect(server.requests.at(-1)?.auth).toBe('client_secret_basic');
  });

  it('tls_client_auth: the CA-issued client certificate authenticates, with client_id in the body', async () => {
    const server = await serve({ tlsSubject: 'CN=service-a', tls: https() });
    const mtls = { clientAuth: 'tls_client_auth' as const, tlsCert: tls.clientCert, tlsKey: tls.clientKey };
    const { evaluateToken } = guardFor(server, mtls, tls.ca);
    expectAllow(await evaluateToken(opaque(server), requireScopes('a')));
    expect(server.requests.at(-1)).toMatchObject({ auth: 'tls_client_auth', authorization: undefined });
    expect(server.requests.at(-1)?.form.client_id).toBe(CLIENT_ID);
    // Another workload's certificate of the same CA is not this client: the provider refuses, 503.
    const other = guardFor(
      server,
      { ...mtls, tlsCert: tls.otherClientCert, tlsKey: createPrivateKey(tls.otherClientKey) },
      tls.ca,
    );
    expectDeny(await other.evaluateToken(opaque(server)), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
  });

  it('RFC 8705 §5: with discovery, mTLS calls go to mtls_endpoint_aliases.introspection_endpoint', async () => {
    const server = await serve({ tlsSubject: 'CN=service-a', tls: https() });
    const metadata = await startKeyServer();
    servers.push({ close: () => metadata.close() } as IntrospectionServer);
    // The plain endpoint is unreachable: only the alias can answer.
    metadata.setMetadata({
      introspection_endpoint: 'https://127.0.0.1:9/token/introspection',
      mtls_endpoint_aliases: { introspection_endpoint: server.endpoint },
    });
    const { evaluateToken } = introspectingHarness(
      server,
      {
        clientId: CLIENT_ID,
        clientAuth: 'tls_client_auth',
        tlsCert: tls.clientCert,
        tlsKey: tls.clientKey,
      },
      { start: NOW, issuerId: metadata.url, discover: true, guard: { keyFetch: { ca: tls.ca } } },
    );
    expectAllow(await evaluateToken(knownToken(server, NOW, { iss: metadata.url })));
    expect(server.requests.at(-1)?.auth).toBe('tls_client_auth');
    expect(metadata.count('/.well-known/openid-configuration')).toBe(1);
  });

  it('self_signed_tls_client_auth: the registered self-signed certificate authenticates', async () => {
    const server = await serve({ selfSignedCert: tls.selfSignedCert, tls: https() });
    const mtls = { tlsCert: tls.selfSignedCert, tlsKey: tls.selfSignedKey };
    const { evaluateToken } = guardFor(
      server,
      { clientAuth: 'self_signed_tls_client_auth', ...mtls },
      tls.ca,
    );
    expectAllow(await evaluateToken(opaque(server)));
    expect(server.requests.at(-1)?.auth).toBe('self_signed_tls_client_auth');
    // Without a client certificate the same endpoint refuses the call.
    const none = guardFor(server, { clientSecret: 'not-registered' }, tls.ca);
    expectDeny(await none.evaluateToken(opaque(server)), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
  });
});

describe('introspection.breaker', () => {
  it('failures and openMs replace the defaults (5, 10 s)', async () => {
    const server = await serve({ clientSecret: 's' });
    const { evaluateToken, clock } = guardFor(server, {
      clientSecret: 's',
      breaker: { failures: 2, openMs: 3000 },
    });
    server.setMode('error');
    for (let index = 0; index < 2; index++) {
      expectDeny(await evaluateToken(opaque(server)), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
    }
    server.setMode('up');
    const calls = server.requests.length;
    const open = expectDeny(await evaluateToken(opaque(server)), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
    expect(server.requests.length).toBe(calls);
    expect(open.headers['retry-after']).toBe('3');
    clock.ms += 3000;
    expectAllow(await evaluateToken(opaque(server)));
  });
});

describe('start-up checks of the credential options, naming the option and never the key', () => {
  const start = (introspection: Record<string, unknown>) => () =>
    createGuard({
      issuers: [
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          keys: [testKey().jwk],
          introspection: {
            clientId: CLIENT_ID,
            endpoint: 'https://idp.test/introspect',
            ...introspection,
          } as IntrospectionOptions,
        },
      ],
      logger: false,
    });
  const message = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };
  const pem = assertionKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

  it.each([
    [
      { clientAuth: 'private_key_jwt' },
      'issuers[0].introspection.privateKey: required by clientAuth private_key_jwt',
    ],
    [{}, 'issuers[0].introspection.clientSecret: required by clientAuth client_secret_basic'],
    [
      { clientAuth: 'private_key_jwt', privateKey: pem, clientSecret: 's' },
      'introspection.clientSecret: not used by clientAuth private_key_jwt',
    ],
    [
      { clientAuth: 'tls_client_auth', tlsCert: 'x' },
      'introspection.tlsKey: required by clientAuth tls_client_auth',
    ],
    [{ clientAuth: 'client_secret_jwt', clientSecret: 's' }, 'introspection.clientAuth'],
    [{ clientSecret: 's', breaker: { failures: 0 } }, 'introspection.breaker.failures'],
    [{ clientSecret: 's', responseFormat: 'xml' }, 'introspection.responseFormat'],
  ])('%j → %s', (options, expected) => {
    expect(message(start(options))).toContain(expected);
  });

  it('a public key, a key of the wrong type for privateKeyAlg, or a mismatched TLS pair is refused, the PEM never echoed', async () => {
    const publicPem = assertionKey.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const cases = [
      [
        { clientAuth: 'private_key_jwt', privateKey: publicPem },
        'introspection.privateKey: expected a private key',
      ],
      [
        { clientAuth: 'private_key_jwt', privateKey: pem, privateKeyAlg: 'RS256' },
        'introspection.privateKey: RS256 needs an RSA key',
      ],
      [
        { clientAuth: 'private_key_jwt', privateKey: pem, privateKeyAlg: 'HS256' },
        'introspection.privateKey: expected an asymmetric',
      ],
      [
        { clientAuth: 'tls_client_auth', tlsCert: tls.clientCert, tlsKey: tls.otherClientKey },
        'introspection.tlsKey: expected the private key of tlsCert',
      ],
      [
        { clientAuth: 'tls_client_auth', tlsCert: 'not a certificate', tlsKey: tls.clientKey },
        'introspection.tlsCert: expected a PEM certificate',
      ],
    ] as const;
    for (const [options, expected] of cases) {
      const text = message(start(options));
      expect(text).toContain(expected);
      for (const secret of [pem, tls.otherClientKey, tls.clientKey]) {
        expect(text).not.toContain(secret.split('\n')[1]);
      }
    }
  });
});
