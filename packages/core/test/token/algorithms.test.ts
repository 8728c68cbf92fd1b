/**
 * Algorithms and signatures: checklist AT-1, J-1, J-2; attacks #1–#7, #15–#17.
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import { b64url, signRaw, signToken } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { publicRoute } from '../../src/index.js';
import { verifySignature } from '../../src/token/algorithms.js';
import { expectAllow, expectDeny, harness, ISSUER, testKey, validClaims } from '../support.js';

// Order of the P-256 group (FIPS 186-4 D.1.2.3).
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

function withSignature(token: string, signature: Uint8Array): string {
  return `${token.slice(0, token.lastIndexOf('.') + 1)}${b64url(signature)}`;
}

function signingInputOf(token: string): string {
  return token.slice(0, token.lastIndexOf('.'));
}

describe('AT-1: signed tokens of every supported algorithm verify with static keys', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const)('%s', async (alg) => {
    const { mint, evaluateToken } = harness({ alg });
    const allowed = expectAllow(await evaluateToken(mint()));
    expect(allowed.principal?.issuer).toBe(ISSUER);
    expect(allowed.audit.keyId).toBe(testKey(alg).kid);
  });

  it('HS256 with a configured 32-byte secret', async () => {
    const secret = Buffer.alloc(32, 7);
    const { evaluateToken } = harness({ issuer: { secret, algorithms: ['HS256'] } });
    const token = signToken({ header: { alg: 'HS256', typ: 'at+jwt' }, payload: validClaims() }, secret);
    expectAllow(await evaluateToken(token));
    expectDeny(
      await evaluateToken(
        signToken({ header: { alg: 'HS256', typ: 'at+jwt' }, payload: validClaims() }, Buffer.alloc(32, 8)),
      ),
      'ERR_SIGNATURE_INVALID',
    );
  });

  it('RS256 with the key given as SPKI PEM, PKCS#1 PEM, or with a leading newline / CRLF', async () => {
    const key = testKey('RS256');
    const spki = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const pkcs1 = key.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    for (const pem of [spki, pkcs1, `\n${spki}`, spki.replaceAll('\n', '\r\n')]) {
      const { mint, evaluateToken } = harness({ alg: 'RS256', issuer: { keys: [pem] } });
      // A PEM carries no kid: the one key of the set answers tokens without one.
      expectAllow(await evaluateToken(mint({ header: { kid: undefined } })));
    }
  });
});

describe('J-2/#1/#2: "none" is never an algorithm', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('alg "%s" with an empty signature → 401', async (alg) => {
    const { evaluateToken } = harness();
    const token = `${b64url(JSON.stringify({ alg, typ: 'at+jwt' }))}.${b64url(JSON.stringify(validClaims()))}.`;
    const denied = expectDeny(await evaluateToken(token), 'ERR_TOKEN_MALFORMED', 401);
    expect(denied.body.error).toBe('invalid_token');
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'alg "%s" with some signature bytes → 401, on a public route too',
    async (alg) => {
      const { evaluateToken, guard } = harness();
      const token = `${b64url(JSON.stringify({ alg, typ: 'at+jwt', kid: 'main-es256' }))}.${b64url(JSON.stringify(validClaims()))}.${b64url('x')}`;
      expectDeny(await evaluateToken(token), 'ERR_ALGORITHM_NOT_ALLOWED', 401);
      expectDeny(
        await guard.evaluate(
          { method: 'GET', target: '/', headers: { authorization: [`Bearer ${token}`] } },
          publicRoute(),
        ),
        'ERR_ALGORITHM_NOT_ALLOWED',
      );
    },
  );

  it.each([
    ['missing', undefined],
    ['a number', 256],
    ['null', null],
    ['an array', ['ES256']],
    ['lower-case', 'es256'],
    ['unknown', 'ES256K'],
    ['an encryption algorithm', 'RSA-OAEP'],
    ['with whitespace', 'ES256 '],
  ])('an alg that is %s → 401 algorithm not allowed', async (_name, alg) => {
    const key = testKey('ES256');
    const { evaluateToken } = harness();
    const header = { alg, typ: 'at+jwt', kid: key.kid };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(validClaims()))}`;
    const token = `${signingInput}.${b64url(signRaw('ES256', key.privateKey, signingInput))}`;
    expectDeny(await evaluateToken(token), 'ERR_ALGORITHM_NOT_ALLOWED', 401);
  });
});

describe('#4: the signature is always verified', () => {
  it('a payload changed after signing (claims escalated) → 401 signature invalid', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint({ claims: { scope: 'orders:read' } });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const forged = `${h}.${b64url(JSON.stringify({ ...claims, scope: 'orders:read admin' }))}.${s}`;
    expectDeny(await evaluateToken(forged), 'ERR_SIGNATURE_INVALID', 401);
  });

  it('one flipped bit in the payload or the signature → 401 signature invalid', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    signature[10] = (signature[10] as number) ^ 0x01;
    expectDeny(await evaluateToken(withSignature(token, signature)), 'ERR_SIGNATURE_INVALID');
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = Buffer.from(p, 'base64url');
    const flipAt = payload.indexOf('user-1') + 5;
    payload[flipAt] = (payload[flipAt] as number) ^ 0x01; // user-1 → user-0
    expectDeny(await evaluateToken(`${h}.${b64url(payload)}.${s}`), 'ERR_SIGNATURE_INVALID');
  });

  it('a token signed by another key under the trusted kid → 401 signature invalid', async () => {
    const { mint, evaluateToken } = harness();
    expectDeny(
      await evaluateToken(mint({ signWith: testKey('ES256', 'attacker').privateKey })),
      'ERR_SIGNATURE_INVALID',
    );
  });
});

describe('#5: HS/RS algorithm confusion', () => {
  const rsa = testKey('RS256');
  const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const jwkJson = JSON.stringify(rsa.jwk);
  const macKeys: [string, Buffer][] = [
    ['SPKI PEM', Buffer.from(spki)],
    ['PKCS#1 PEM', Buffer.from(pkcs1)],
    ['PEM with a leading newline', Buffer.from(`\n${spki}`)],
    ['PEM with CRLF line ends', Buffer.from(spki.replaceAll('\n', '\r\n'))],
    ['JWK JSON', Buffer.from(jwkJson)],
    ['SPKI DER', rsa.publicKey.export({ type: 'spki', format: 'der' })],
    ['modulus bytes', Buffer.from(rsa.jwk.n as string, 'base64url')],
  ];
  const configured: [string, string | Record<string, unknown>][] = [
    ['a JWK', rsa.jwk],
    ['an SPKI PEM', spki],
    ['a PKCS#1 PEM', pkcs1],
    ['a PEM with a leading newline', `\n${spki}`],
  ];

  it.each(configured)(
    'with the RSA key configured as %s, HS256 tokens MACed with any form of it are refused',
    async (_form, configuredKey) => {
      const { evaluateToken, mint } = harness({ alg: 'RS256', issuer: { keys: [configuredKey] } });
      expectAllow(
        await evaluateToken(
          mint({ header: { kid: typeof configuredKey === 'string' ? undefined : rsa.kid } }),
        ),
      );
      for (const [name, macKey] of macKeys) {
        for (const kid of [rsa.kid, undefined]) {
          const header =
            kid === undefined ? { alg: 'HS256', typ: 'at+jwt' } : { alg: 'HS256', typ: 'at+jwt', kid };
          const token = signToken({ header, payload: validClaims() }, macKey);
          const decision = await evaluateToken(token);
          expect(decision.outcome, name).toBe('deny');
          expectDeny(decision, 'ERR_ALGORITHM_NOT_ALLOWED', 401);
        }
      }
    },
  );

  it('even when the issuer pins RS256 explicitly, HS256 never reaches a key', async () => {
    const { evaluateToken } = harness({ alg: 'RS256', issuer: { algorithms: ['RS256'] } });
    const token = signToken(
      { header: { alg: 'HS256', typ: 'at+jwt', kid: rsa.kid }, payload: validClaims() },
      Buffer.from(spki),
    );
    expectDeny(await evaluateToken(token), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('verifySignature refuses an HMAC check with a public key object', () => {
    const data = Buffer.from('a.b');
    const mac = signRaw('HS256', Buffer.from(spki), 'a.b');
    expect(verifySignature('HS256', rsa.publicKey, data, mac)).toBe(false);
  });
});

describe('J-1/#6/#7: one key, one algorithm', () => {
  const rsa = testKey('RS256');
  const { alg: _alg, ...jwkWithoutAlg } = rsa.jwk;

  it('an RSA JWK without alg is pinned to RS256: a PS256 token signed by the same key is refused', async () => {
    const { mint, evaluateToken } = harness({ alg: 'RS256', issuer: { keys: [jwkWithoutAlg] } });
    expectAllow(await evaluateToken(mint()));
    const ps256 = mint({ header: { alg: 'PS256' } });
    expectDeny(await evaluateToken(ps256), 'ERR_ALGORITHM_NOT_ALLOWED', 401);
    expectDeny(
      await evaluateToken(mint({ header: { alg: 'PS256', kid: undefined } })),
      'ERR_ALGORITHM_NOT_ALLOWED',
    );
  });

  it('the pin follows the order of the issuer algorithms: PS256 first refuses RS256', async () => {
    const { mint, evaluateToken } = harness({
      alg: 'RS256',
      issuer: { keys: [jwkWithoutAlg], algorithms: ['PS256', 'RS256'] },
    });
    expectAllow(await evaluateToken(mint({ header: { alg: 'PS256' } })));
    expectDeny(await evaluateToken(mint()), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('#6: a JWK whose alg is PS256 does not verify an RS256 token', async () => {
    const { mint, evaluateToken } = harness({
      alg: 'RS256',
      issuer: { keys: [{ ...rsa.jwk, alg: 'PS256' }] },
    });
    expectDeny(await evaluateToken(mint()), 'ERR_ALGORITHM_NOT_ALLOWED');
    expectAllow(await evaluateToken(mint({ header: { alg: 'PS256' } })));
  });

  it('an algorithm outside the issuer allow-list is refused even with a matching key', async () => {
    const { mint, evaluateToken } = harness({ alg: 'ES256', issuer: { algorithms: ['RS256', 'ES256'] } });
    expectAllow(await evaluateToken(mint()));
    const onlyRsa = harness({ alg: 'RS256', issuer: { algorithms: ['RS256'] } });
    const es = testKey('ES256');
    const token = signToken(
      { header: { alg: 'ES256', typ: 'at+jwt', kid: es.kid }, payload: validClaims() },
      es.privateKey,
    );
    expectDeny(await onlyRsa.evaluateToken(token), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('an EC key without alg is pinned to its curve: ES384 on a P-256 key is refused', async () => {
    const ec = testKey('ES256');
    const { alg: _ignored, ...ecWithoutAlg } = ec.jwk;
    const { mint, evaluateToken } = harness({ issuer: { keys: [ecWithoutAlg] } });
    expectAllow(await evaluateToken(mint()));
    expectDeny(await evaluateToken(mint({ header: { alg: 'ES384' } })), 'ERR_ALGORITHM_NOT_ALLOWED');
  });
});

describe('#15: ECDSA edge signatures (CVE-2022-21449, Wycheproof 386–401)', () => {
  const values: [string, bigint][] = [
    ['0', 0n],
    ['1', 1n],
    ['n-1', P256_N - 1n],
    ['n', P256_N],
  ];
  const cases = values.flatMap(([rName, r]) =>
    values.map(([sName, s]) => [`r=${rName}, s=${sName}`, r, s] as const),
  );

  it.each(cases)('%s is refused', async (_name, r, s) => {
    const { mint, evaluateToken } = harness();
    const token = withSignature(mint(), Buffer.concat([toBytes(r, 32), toBytes(s, 32)]));
    expectDeny(await evaluateToken(token), 'ERR_SIGNATURE_INVALID', 401);
  });

  it('64 zero bytes never verify, whatever is signed', () => {
    const key = testKey('ES256');
    expect(verifySignature('ES256', key.publicKey, Buffer.from('anything'), Buffer.alloc(64))).toBe(false);
  });
});

describe('#16: ECDSA malleability and encodings', () => {
  it('the high-s twin (r, n−s) verifies — documented — but is a different token for the cache', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const raw = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    const r = raw.subarray(0, 32);
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    const twin = withSignature(token, Buffer.concat([r, toBytes(P256_N - s, 32)]));
    expect(twin).not.toBe(token);
    const first = expectAllow(await evaluateToken(token));
    expect(first.audit.cacheHit).toBe(false);
    // ECDSA malleability: the twin is valid (jose and OpenSSL agree). It must not share a cache entry, and
    // anything keyed per token (deny-lists, replay caches) must use (iss, jti) instead.
    const twinDecision = expectAllow(await evaluateToken(twin));
    expect(twinDecision.audit.cacheHit).toBe(false);
    expect(twinDecision.audit.tokenFingerprint).not.toBe(first.audit.tokenFingerprint);
    expect(twinDecision.principal?.tokenId).toBe(first.principal?.tokenId);
    // The second verification admits each to the cache, under its own key.
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
    expect(expectAllow(await evaluateToken(twin)).audit.cacheHit).toBe(false);
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(true);
    expect(expectAllow(await evaluateToken(twin)).audit.cacheHit).toBe(true);
  });

  it('a DER-encoded signature of the right input is refused', async () => {
    const { mint, key, evaluateToken } = harness();
    const token = mint();
    const der = sign('sha256', Buffer.from(signingInputOf(token)), {
      key: key.privateKey,
      dsaEncoding: 'der',
    });
    expect(der.length).not.toBe(64);
    expectDeny(await evaluateToken(withSignature(token, der)), 'ERR_SIGNATURE_INVALID', 401);
  });

  it.each([
    ['65 bytes (trailing zero)', (sig: Buffer) => Buffer.concat([sig, Buffer.alloc(1)])],
    ['65 bytes (leading zero)', (sig: Buffer) => Buffer.concat([Buffer.alloc(1), sig])],
    ['63 bytes', (sig: Buffer) => sig.subarray(0, 63)],
    ['128 bytes (doubled)', (sig: Buffer) => Buffer.concat([sig, sig])],
    ['r and s swapped', (sig: Buffer) => Buffer.concat([sig.subarray(32), sig.subarray(0, 32)])],
  ])('a signature of %s is refused', async (_name, change) => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const raw = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    expectDeny(await evaluateToken(withSignature(token, change(raw))), 'ERR_SIGNATURE_INVALID', 401);
  });
});

describe('#17: RSA signature encodings', () => {
  it.each([
    ['one byte short', (sig: Buffer) => sig.subarray(1)],
    ['one zero byte longer', (sig: Buffer) => Buffer.concat([Buffer.alloc(1), sig])],
    ['all zero', (sig: Buffer) => Buffer.alloc(sig.length)],
    [
      'with its last byte changed',
      (sig: Buffer) => Buffer.concat([sig.subarray(0, -1), Buffer.from([(sig.at(-1) as number) ^ 1])]),
    ],
  ])('an RS256 signature %s is refused', async (_name, change) => {
    const { mint, evaluateToken } = harness({ alg: 'RS256' });
    const token = mint();
    const raw = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    expectDeny(await evaluateToken(withSignature(token, change(raw))), 'ERR_SIGNATURE_INVALID', 401);
  });

  it('a PKCS#1 v1.5 signature under a PS256 header is refused, and a PSS signature under RS256', async () => {
    const key = testKey('RS256');
    const pss = harness({ alg: 'RS256', issuer: { keys: [{ ...key.jwk, alg: 'PS256' }] } });
    const psToken = pss.mint({ header: { alg: 'PS256' } });
    expectAllow(await pss.evaluateToken(psToken));
    const v15 = withSignature(psToken, signRaw('RS256', key.privateKey, signingInputOf(psToken)));
    expectDeny(await pss.evaluateToken(v15), 'ERR_SIGNATURE_INVALID');
    const pkcs = harness({ alg: 'RS256' });
    const rsToken = pkcs.mint();
    const pssSignature = signRaw('PS256', key.privateKey, signingInputOf(rsToken));
    expectDeny(await pkcs.evaluateToken(withSignature(rsToken, pssSignature)), 'ERR_SIGNATURE_INVALID');
  });
});

describe('verifySignature never throws for attacker-controlled input', () => {
  const inputs: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.alloc(1)],
    ['random 256 bytes', createHash('sha512').update('x').digest().subarray(0, 64)],
    ['1 kB', Buffer.alloc(1024, 0xff)],
  ];
  const keys: [string, string, KeyObject][] = [
    ['RS256', 'RS256', testKey('RS256').publicKey],
    ['PS256', 'PS256', testKey('RS256').publicKey],
    ['ES256', 'ES256', testKey('ES256').publicKey],
    ['EdDSA', 'EdDSA', testKey('EdDSA').publicKey],
  ];
  it.each(keys)('%s', (_name, alg, key) => {
    for (const [, signature] of inputs) {
      expect(verifySignature(alg as 'RS256', key, Buffer.from('a.b'), signature)).toBe(false);
    }
  });
});

describe('K-4: a token without kid', () => {
  it('is verified when the issuer holds exactly one key of its algorithm', async () => {
    const { mint, evaluateToken } = harness();
    expectAllow(await evaluateToken(mint({ header: { kid: undefined } })));
  });

  it('is refused when several keys of its algorithm could answer', async () => {
    const a = testKey('ES256');
    const b = testKey('ES256', 'second');
    const { mint, evaluateToken } = harness({ issuer: { keys: [a.jwk, b.jwk] } });
    expectAllow(await evaluateToken(mint()));
    expectDeny(await evaluateToken(mint({ header: { kid: undefined } })), 'ERR_KEY_NOT_FOUND', 401);
  });
});
