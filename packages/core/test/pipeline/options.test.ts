import { generateKeyPairSync } from 'node:crypto';
import { generateTestKey } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, createGuard, type GuardOptions, isNevertrustError } from '../../src/index.js';

const SECRET = 'Zq7-RECOGNISABLE-SECRET-9xK'; // 27 bytes: too short for HS256, and easy to spot
const key = generateTestKey('ES256', 'k1');
const base = { issuer: 'https://idp.test/', audience: 'api', keys: [key.jwk] };

function configError(options: unknown): ConfigError {
  try {
    createGuard(options as GuardOptions);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected createGuard to throw');
}

describe('bad options throw ConfigError naming the path and the expectation', () => {
  const cases: [string, unknown, RegExp][] = [
    ['options not an object', undefined, /^\(options\): .*expected object/],
    ['unknown top-level key', { issuers: [base], realms: 'x' }, /^realms: unknown option$/],
    ['unknown issuer key', { issuers: [{ ...base, jwks: 'x' }] }, /^issuers\[0\]\.jwks: unknown option$/],
    [
      'unknown keyFetch key',
      { issuers: [base], keyFetch: { timeout: 1 } },
      /^keyFetch\.timeout: unknown option$/,
    ],
    ['empty issuers', { issuers: [] }, /^issuers: expected at least one issuer$/],
    ['issuers not an array', { issuers: base }, /^issuers: .*expected array/],
    [
      'duplicate issuer',
      { issuers: [base, { ...base }] },
      /^issuers\[1\]\.issuer: expected each issuer only once$/,
    ],
    [
      'empty issuer',
      { issuers: [{ ...base, issuer: '' }] },
      /^issuers\[0\]\.issuer: expected a non-empty string$/,
    ],
    [
      'bad audience',
      { issuers: [{ ...base, audience: 5 }] },
      /^issuers\[0\]\.audience: expected a non-empty string or an array/,
    ],
    [
      'empty audience list',
      { issuers: [{ ...base, audience: [] }] },
      /^issuers\[0\]\.audience: expected at least one audience$/,
    ],
    [
      'two key sources',
      { issuers: [{ ...base, jwksUri: 'https://idp.test/jwks' }] },
      /^issuers\[0\]: expected one key source, got jwksUri and keys$/,
    ],
    [
      'HS* without secret',
      { issuers: [{ ...base, algorithms: ['HS256'] }] },
      /^issuers\[0\]\.algorithms: expected a secret with HS256/,
    ],
    [
      'secret with RS256',
      { issuers: [{ issuer: 'i', audience: 'a', secret: SECRET.repeat(2), algorithms: ['RS256'] }] },
      /^issuers\[0\]\.algorithms: expected only HS256, HS384 or HS512/,
    ],
    [
      'secret without algorithms',
      { issuers: [{ issuer: 'i', audience: 'a', secret: SECRET.repeat(2) }] },
      /^issuers\[0\]\.algorithms: expected only HS256, HS384 or HS512/,
    ],
    [
      'discovery with a non-URL issuer',
      { issuers: [{ issuer: 'my-idp', audience: 'a', discovery: 'openid-configuration' }] },
      /^issuers\[0\]\.issuer: discovery needs an issuer URL: expected an absolute URL$/,
    ],
    [
      'default discovery with an http issuer',
      { issuers: [{ issuer: 'http://idp.example.com', audience: 'a' }] },
      /^issuers\[0\]\.issuer: discovery needs an issuer URL: expected an https: URL/,
    ],
    [
      'unknown discovery kind',
      { issuers: [{ issuer: 'https://idp.test', audience: 'a', discovery: 'oidc' }] },
      /^issuers\[0\]\.discovery: .*expected one of "openid-configuration"\|"oauth-authorization-server"/,
    ],
    [
      'non-https jwksUri',
      { issuers: [{ issuer: 'i', audience: 'a', jwksUri: 'http://idp.example.com/jwks' }] },
      /^issuers\[0\]\.jwksUri: expected an https: URL/,
    ],
    [
      'unknown algorithm',
      { issuers: [{ ...base, algorithms: ['none'] }] },
      /^issuers\[0\]\.algorithms\[0\]: .*expected one of "RS256"/,
    ],
    [
      'empty algorithms',
      { issuers: [{ ...base, algorithms: [] }] },
      /^issuers\[0\]\.algorithms: expected at least one algorithm$/,
    ],
    [
      'bad tokenType',
      { issuers: [{ ...base, tokenType: 'JWT' }] },
      /^issuers\[0\]\.tokenType: .*expected one of "at\+jwt"\|"jwt-compatible"/,
    ],
    [
      'bad scope claim format',
      { issuers: [{ ...base, scopeClaims: { scp: 'list' } }] },
      /^issuers\[0\]\.scopeClaims\.scp: /,
    ],
    [
      'realm with a quote',
      { issuers: [base], realm: 'a"b' },
      /^realm: expected printable ASCII without " or \\$/,
    ],
    ['realm with CR LF', { issuers: [base], realm: 'a\r\nb' }, /^realm: expected printable ASCII/],
    [
      'clockToleranceSeconds too big',
      { issuers: [base], clockToleranceSeconds: 301 },
      /^clockToleranceSeconds: .*<=300/,
    ],
    [
      'clockToleranceSeconds negative',
      { issuers: [base], clockToleranceSeconds: -1 },
      /^clockToleranceSeconds: .*>=0/,
    ],
    [
      'clockToleranceSeconds NaN',
      { issuers: [base], clockToleranceSeconds: Number.NaN },
      /^clockToleranceSeconds: .*expected number/,
    ],
    ['maxTokenBytes too small', { issuers: [base], maxTokenBytes: 100 }, /^maxTokenBytes: .*>=256/],
    [
      'maxTokenBytes fractional',
      { issuers: [base], maxTokenBytes: 1000.5 },
      /^maxTokenBytes: .*expected int/,
    ],
    [
      'maxLifetimeSeconds zero',
      { issuers: [{ ...base, maxLifetimeSeconds: 0 }] },
      /^issuers\[0\]\.maxLifetimeSeconds: .*>0/,
    ],
    ['timeoutMs zero', { issuers: [base], keyFetch: { timeoutMs: 0 } }, /^keyFetch\.timeoutMs: .*>0/],
    [
      'timeoutMs too long',
      { issuers: [base], keyFetch: { timeoutMs: 600_000 } },
      /^keyFetch\.timeoutMs: .*<=60000/,
    ],
    [
      'timeoutMs infinite',
      { issuers: [base], keyFetch: { timeoutMs: Number.POSITIVE_INFINITY } },
      /^keyFetch\.timeoutMs: /,
    ],
    [
      'cooldownMs negative',
      { issuers: [base], keyFetch: { cooldownMs: -1 } },
      /^keyFetch\.cooldownMs: .*>=0/,
    ],
    ['maxKeys zero', { issuers: [base], keyFetch: { maxKeys: 0 } }, /^keyFetch\.maxKeys: .*>0/],
    [
      'ca not PEM text',
      { issuers: [base], keyFetch: { ca: 42 } },
      /^keyFetch\.ca: expected a PEM string or an array of them$/,
    ],
    [
      'cache true',
      { issuers: [base], cache: true },
      /^cache: expected false or \{ maxEntries\?, maxTtlSeconds\? \}$/,
    ],
    ['cache maxEntries zero', { issuers: [base], cache: { maxEntries: 0 } }, /^cache\.maxEntries: .*>0/],
    [
      'allowQueryToken a string',
      { issuers: [base], allowQueryToken: 'yes' },
      /^allowQueryToken: .*expected boolean/,
    ],
    ['non-function onAudit', { issuers: [base], onAudit: 'console.log' }, /^onAudit: expected a function$/],
    [
      'non-function onFetch',
      { issuers: [base], keyFetch: { onFetch: {} } },
      /^keyFetch\.onFetch: expected a function$/,
    ],
    ['non-function clock', { issuers: [base], clock: 5 }, /^clock: expected a function/],
  ];

  it.each(cases)('%s', (_, options, expected) => {
    const error = configError(options);
    expect(error.code).toBe('ERR_CONFIG');
    expect(isNevertrustError(error)).toBe(true);
    expect(
      error.problems.some((problem) => expected.test(problem)),
      error.problems.join('\n'),
    ).toBe(true);
    expect(error.message).toContain(error.problems[0]);
  });

  it('reports every problem at once', () => {
    const error = configError({ issuers: [{ ...base, audience: '' }], realm: '"', onAudit: 1 });
    expect(error.problems).toHaveLength(3);
  });
});

describe('a secret is never echoed', () => {
  const placements: [string, unknown][] = [
    [
      'too short for HS256',
      { issuers: [{ issuer: 'i', audience: 'a', secret: SECRET, algorithms: ['HS256'] }] },
    ],
    ['with RS256', { issuers: [{ issuer: 'i', audience: 'a', secret: SECRET, algorithms: ['RS256'] }] }],
    ['with a second key source', { issuers: [{ ...base, secret: SECRET, algorithms: ['HS256'] }] }],
    ['under a misspelt key', { issuers: [{ issuer: 'i', audience: 'a', secrett: SECRET }] }],
    ['as the realm', { issuers: [base], realm: `"${SECRET}"` }],
    ['as an algorithm', { issuers: [{ ...base, algorithms: [SECRET] }] }],
    ['as the discovery kind', { issuers: [{ issuer: 'https://i', audience: 'a', discovery: SECRET }] }],
    ['as a number option', { issuers: [base], maxTokenBytes: SECRET }],
    ['as a CA', { issuers: [base], keyFetch: { ca: [SECRET, 1] } }],
    [
      'as a secret of the wrong type',
      { issuers: [{ issuer: 'i', audience: 'a', secret: [SECRET], algorithms: ['HS256'] }] },
    ],
  ];

  it.each(placements)('%s', (_, options) => {
    const error = configError(options);
    const rendered = `${error.message}\n${error.problems.join('\n')}\n${String(error)}\n${JSON.stringify(error)}`;
    expect(rendered).not.toContain('RECOGNISABLE');
    expect(rendered).not.toContain(SECRET.slice(0, 6));
  });

  it('the short secret is named by its rule', () => {
    const error = configError(placements[0]?.[1]);
    expect(error.problems).toEqual(['issuers[0].secret: secret must be at least 32 bytes for HS256']);
  });
});

describe('static keys that cannot be used fail at createGuard, not at request time', () => {
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const p384 = generateTestKey('ES384');
  const privatePem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const cases: [string, unknown, RegExp][] = [
    ['a private PEM', privatePem, /a private key was given where a public key belongs/],
    [
      'a private JWK',
      { ...key.privateKey.export({ format: 'jwk' }), kid: 'p' },
      /private or symmetric members/,
    ],
    [
      'a 1024-bit RSA PEM',
      rsa1024.publicKey.export({ format: 'pem', type: 'spki' }),
      /shorter than 2048 bits/,
    ],
    ['a P-384 key for ES256', { ...p384.jwk, alg: 'ES256' }, /ES256 needs curve P-256/],
    ['a P-384 key, ES256 pinned', { ...p384.jwk, alg: undefined }, /no allowed algorithm fits this key/],
    [
      'garbage PEM',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      /PEM could not be imported/,
    ],
    ['an encryption JWK', { ...key.jwk, use: 'enc' }, /not for signatures/],
  ];

  it.each(cases)('%s', (_, bad, expected) => {
    const error = configError({
      issuers: [
        {
          issuer: 'https://idp.test/',
          audience: 'api',
          algorithms: ['ES256', 'RS256'],
          keys: [key.jwk, bad],
        },
      ],
    });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^issuers\[0\]\.keys\[1\]: /);
    expect(error.problems[0]).toMatch(expected);
    expect(error.message).not.toContain('PRIVATE KEY');
    expect(error.message).not.toContain(
      String((key.privateKey.export({ format: 'jwk' }) as { d: string }).d),
    );
  });

  it('problems of every issuer are reported together', () => {
    const error = configError({
      issuers: [
        { issuer: 'a', audience: 'api', keys: [privatePem] },
        { issuer: 'b', audience: 'api', secret: 'short', algorithms: ['HS512'] },
      ],
    });
    expect(error.problems).toEqual([
      'issuers[0].keys[0]: a private key was given where a public key belongs',
      'issuers[1].secret: secret must be at least 64 bytes for HS512',
    ]);
  });
});

describe('good options', () => {
  it('static JWKs, a JWK set, PEM, HMAC and remote sources all build', () => {
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(() =>
      createGuard({
        issuers: [
          { issuer: 'a', audience: 'api', keys: [key.jwk] },
          { issuer: 'b', audience: ['api', 'api2'], keys: { keys: [key.jwk] } },
          { issuer: 'c', audience: 'api', keys: [pem], algorithms: ['ES256'] },
          { issuer: 'd', audience: 'api', secret: SECRET.repeat(2), algorithms: ['HS256'] },
          { issuer: 'e', audience: 'api', jwksUri: 'https://idp.example.com/jwks' },
          { issuer: 'https://idp.example.com/t', audience: 'api', discovery: 'oauth-authorization-server' },
          { issuer: 'https://idp2.example.com', audience: 'api', tokenType: 'jwt-compatible' },
        ],
        realm: 'api',
        clockToleranceSeconds: 0,
        cache: false,
        keyFetch: { timeoutMs: 1000, cooldownMs: 0, staleIfErrorMs: 0, retryAfterFailureMs: 0 },
        onAudit: () => {},
        clock: Date.now,
      }),
    ).not.toThrow();
  });

  it('an explicit undefined keeps the default', () => {
    expect(() =>
      createGuard({ issuers: [base], keyFetch: { timeoutMs: undefined } } as unknown as GuardOptions),
    ).not.toThrow();
  });
});
