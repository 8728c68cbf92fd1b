/**
 * The DPoP guard profiles (RFC 9449): the conformance API accepts DPoP proofs addressed to its public
 * origin, with every other option as in the default profile; `dpop-nonce` also requires server nonces.
 * Each target has its own guard, hence its own replay store; the nonce secret is shared, as it would be
 * by every instance of one API.
 */
import type { Profile } from './profiles.js';

/** The public origin of the conformance API, the base of every proof's `htu`. */
export const DPOP_ORIGIN = 'https://api.conformance.test';
const NONCE_SECRET = 'conformance DPoP nonce secret, 32 bytes or more';

export const DPOP_PROFILE: Profile = {
  options: async (base) => ({ ...base, dpop: { origin: DPOP_ORIGIN } }),
};

export const DPOP_NONCE_PROFILE: Profile = {
  options: async (base) => ({ ...base, dpop: { origin: DPOP_ORIGIN, nonce: { secrets: [NONCE_SECRET] } } }),
};
