/**
 * The DPoP guard profiles (RFC 9449): the conformance API accepts DPoP proofs addressed to its public
 * origin, with every other option as in the default profile; `dpop-nonce` also requires server nonces.
 * Each target has its own guard, hence its own replay store; the nonce secret is shared, as it would be
 * by every instance of one API.
 */
import { dpopThumbprint, generateTestKey } from '@nevertrust/testkit';
import type { Profile } from './profiles.js';

/** The public origin of the conformance API, the base of every proof's `htu`. */
export const DPOP_ORIGIN = 'https://api.conformance.test';
/** The DPoP client's key: tokens minted with `dpopBound` are bound to it (`cnf.jkt`, by jose). */
export const DPOP_CLIENT = generateTestKey('ES256', 'dpop-client');
export const DPOP_JKT = await dpopThumbprint(DPOP_CLIENT);
/** A key no token is bound to. */
export const DPOP_STRANGER = generateTestKey('ES256', 'dpop-stranger');
const NONCE_SECRET = 'conformance DPoP nonce secret, 32 bytes or more';

export const DPOP_PROFILE: Profile = {
  options: async (base) => ({ ...base, dpop: { origin: DPOP_ORIGIN } }),
};

export const DPOP_NONCE_PROFILE: Profile = {
  options: async (base) => ({ ...base, dpop: { origin: DPOP_ORIGIN, nonce: { secrets: [NONCE_SECRET] } } }),
};
