/**
 * Strict compact JWS decoding: checklist J-3, J-6, J-14; attacks #3, #33, #34, #38.
 */
import { b64url, signRaw } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { isCanonicalBase64Url, parseCompactJws } from '../../src/token/compact-jws.js';
import { expectAllow, expectDeny, handmade, harness, testKey, validClaims } from '../support.js';

const HEADER = { alg: 'ES256', typ: 'at+jwt', kid: 'main-es256' };

/** A token over raw header/payload bytes, signed with the test key so only the format can be at fault. */
function fromBytes(header: Uint8Array | string, payload: Uint8Array | string): string {
  const key = testKey('ES256');
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${b64url(signRaw('ES256', key.privateKey, signingInput))}`;
}

/** Changes the unused low bits of a segment's last character: same bytes, other text. */
function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(segment.charAt(segment.length - 1));
  const twin = alphabet.charAt(last | (segment.length % 4 === 2 ? 0x01 : 0x02));
  return `${segment.slice(0, -1)}${twin}`;
}

describe('compact serialisation only', () => {
  it('a valid token parses into header, payload and signature', () => {
    const token = handmade(testKey('ES256'), HEADER);
    const parsed = parseCompactJws(token);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.jws.header.alg).toBe('ES256');
      expect(parsed.jws.signature).toHaveLength(64);
      expect(parsed.jws.signingInput).toBe(token.slice(0, token.lastIndexOf('.')));
    }
  });

  it('J-3/#34: a five-segment JWE is refused as an unsupported format, without decryption', async () => {
    const jwe = [
      b64url('{"alg":"dir","enc":"A256GCM"}'),
      '',
      b64url('iv-iv-iv-iv-'),
      b64url('ciphertext'),
      b64url('tag'),
    ].join('.');
    expect(parseCompactJws(jwe)).toMatchObject({ ok: false, code: 'ERR_TOKEN_UNSUPPORTED_FORMAT' });
    const { evaluateToken } = harness();
    const denied = expectDeny(await evaluateToken(jwe), 'ERR_TOKEN_UNSUPPORTED_FORMAT', 401);
    expect(denied.body.error).toBe('invalid_token');
  });

  it.each([
    ['two segments', 'abc.def'],
    ['four segments', 'abc.def.ghi.jkl'],
    ['10 000 dots', '.'.repeat(10_000)],
    ['one segment', 'abcdef'],
  ])('J-14/#33: %s is malformed', (_name, token) => {
    expect(parseCompactJws(token)).toMatchObject({ ok: false, code: 'ERR_TOKEN_MALFORMED' });
  });

  it('#33: the JSON serialisation of a valid JWS is refused (at extraction and at parsing)', async () => {
    const token = handmade(testKey('ES256'), HEADER);
    const [protectedHeader, payload, signature] = token.split('.');
    const json = JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] });
    expect(parseCompactJws(json).ok).toBe(false);
    const flattened = JSON.stringify({ payload, protected: protectedHeader, signature });
    expect(parseCompactJws(flattened).ok).toBe(false);
    const { evaluateToken } = harness();
    expectDeny(await evaluateToken(json), 'ERR_MALFORMED_CREDENTIALS', 400);
    // A polyglot: a valid compact token with a JSON object glued to its signature.
    expectDeny(await evaluateToken(`${token}{"a":1}`), 'ERR_MALFORMED_CREDENTIALS', 400);
    expect(parseCompactJws(`${token}{"a":1}`).ok).toBe(false);
  });

  it.each([
    ['a space inside a segment', (t: string) => t.replace('.', ' .')],
    ['a trailing newline', (t: string) => `${t}\n`],
    ['a tab', (t: string) => t.replace('.', '\t.')],
    ['standard base64 "+"', (t: string) => `+${t}`],
    ['standard base64 "/"', (t: string) => `/${t}`],
    ['"=" padding on the signature', (t: string) => `${t}==`],
    ['"=" padding inside', (t: string) => t.replace('.', '=.')],
    ['a "?"', (t: string) => t.replace('.', '?.')],
  ])('J-14/#38: %s is refused by the strict parser (jose would be lenient)', (_name, mutate) => {
    const token = mutate(handmade(testKey('ES256'), HEADER));
    expect(parseCompactJws(token)).toMatchObject({ ok: false, code: 'ERR_TOKEN_MALFORMED' });
  });

  it('#38: "=" padding reaches the parser through the header and is refused there (401)', async () => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(`${mint()}=`), 'ERR_TOKEN_MALFORMED', 401);
  });

  it('#38: a non-canonical signature that decodes to the very same bytes is refused', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const signature = token.slice(token.lastIndexOf('.') + 1);
    expect(signature.length % 4).toBe(2);
    const twin = nonCanonical(signature);
    expect(twin).not.toBe(signature);
    // Proof that a lenient decoder would verify this token: the decoded signature is unchanged.
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
    const altered = `${token.slice(0, token.lastIndexOf('.') + 1)}${twin}`;
    expectAllow(await evaluateToken(token));
    expectDeny(await evaluateToken(altered), 'ERR_TOKEN_MALFORMED', 401);
  });

  it.each([1, 2])(
    '#38: non-canonical header and payload segments are refused (%i trailing bytes)',
    async (extra) => {
      const { key, evaluateToken } = harness();
      // JSON text whose length is not a multiple of 3 encodes to a segment with unused bits.
      const pad = (json: string) => json + ' '.repeat((extra - (json.length % 3) + 3) % 3);
      const header = pad(JSON.stringify({ ...HEADER, kid: key.kid }));
      const payload = pad(JSON.stringify(validClaims()));
      const token = handmade(key, header, payload);
      const [h, p, s] = token.split('.') as [string, string, string];
      expect([h.length % 4, p.length % 4]).toEqual([extra + 1, extra + 1]);
      expectAllow(await evaluateToken(token));
      expectDeny(await evaluateToken(`${nonCanonical(h)}.${p}.${s}`), 'ERR_TOKEN_MALFORMED', 401);
      expectDeny(await evaluateToken(`${h}.${nonCanonical(p)}.${s}`), 'ERR_TOKEN_MALFORMED', 401);
    },
  );

  it('isCanonicalBase64Url: canonical encodings only', () => {
    expect(isCanonicalBase64Url(b64url('a'))).toBe(true); // "YQ"
    expect(isCanonicalBase64Url('YR')).toBe(false); // same byte, unused bits set
    expect(isCanonicalBase64Url(b64url('ab'))).toBe(true); // "YWI"
    expect(isCanonicalBase64Url('YWJ')).toBe(false);
    expect(isCanonicalBase64Url(b64url('abc'))).toBe(true); // "YWJj"
    expect(isCanonicalBase64Url('Y')).toBe(false); // no byte has a 1-character encoding
    expect(isCanonicalBase64Url('')).toBe(false);
    expect(isCanonicalBase64Url('YQ==')).toBe(false);
    expect(isCanonicalBase64Url('Y Q')).toBe(false);
  });

  it('#3: a stripped signature (header.payload.) is refused', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const stripped = token.slice(0, token.lastIndexOf('.') + 1);
    expect(parseCompactJws(stripped)).toMatchObject({ ok: false, code: 'ERR_TOKEN_MALFORMED' });
    expectDeny(await evaluateToken(stripped), 'ERR_TOKEN_MALFORMED', 401);
    // An empty header or payload segment is refused the same way.
    const [h, p, s] = token.split('.');
    expect(parseCompactJws(`.${p}.${s}`).ok).toBe(false);
    expect(parseCompactJws(`${h}..${s}`).ok).toBe(false);
  });
});

describe('J-6: UTF-8 JSON objects only', () => {
  it('a payload with invalid UTF-8 bytes is refused even with a valid signature', async () => {
    const payload = Buffer.concat([
      Buffer.from(JSON.stringify(validClaims()).slice(0, -1)),
      Buffer.from(',"name":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const token = fromBytes(JSON.stringify(HEADER), payload);
    expect(parseCompactJws(token)).toMatchObject({ ok: false, detail: 'payload is not UTF-8' });
    const { evaluateToken } = harness();
    expectDeny(await evaluateToken(token), 'ERR_TOKEN_MALFORMED', 401);
  });

  it('UTF-16 encoded JSON (with BOM, or without) is refused', () => {
    const text = JSON.stringify(validClaims());
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parseCompactJws(fromBytes(JSON.stringify(HEADER), utf16)).ok).toBe(false);
    expect(parseCompactJws(fromBytes(JSON.stringify(HEADER), Buffer.from(text, 'utf16le'))).ok).toBe(false);
    expect(parseCompactJws(fromBytes(Buffer.from(JSON.stringify(HEADER), 'utf16le'), text)).ok).toBe(false);
  });

  it('a UTF-8 byte-order mark before the JSON is refused', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(validClaims()))]);
    expect(parseCompactJws(fromBytes(JSON.stringify(HEADER), bom)).ok).toBe(false);
  });

  it('valid UTF-8 beyond ASCII is accepted', async () => {
    const { key, evaluateToken } = harness();
    const token = handmade(key, { ...HEADER, kid: key.kid }, validClaims({ name: 'Zoë 🛡️' }));
    const allowed = expectAllow(await evaluateToken(token));
    expect(allowed.principal?.claims.name).toBe('Zoë 🛡️');
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"at+jwt"'],
    ['a number', '42'],
    ['null', 'null'],
    ['not JSON', '{alg:ES256}'],
    ['truncated JSON', '{"alg":"ES256"'],
    ['trailing garbage', '{"alg":"ES256"} x'],
  ])('a header that is %s is refused', (_name, header) => {
    expect(parseCompactJws(fromBytes(header, JSON.stringify(validClaims())))).toMatchObject({
      ok: false,
      code: 'ERR_TOKEN_MALFORMED',
    });
    expect(parseCompactJws(fromBytes(JSON.stringify(HEADER), header)).ok).toBe(false);
  });
});
