/**
 * @nevertrust/testkit — helpers shared by every test of the repository: fresh keys, a byte-exact token
 * builder, a real key server over HTTP(S), TLS material, request facts and a strict challenge parser.
 *
 * @packageDocumentation
 */
export {
  type AdapterFixture,
  type AdapterFixtureOptions,
  adapterFixture,
  type ServedHandler,
  serve,
  settled,
} from './adapter-fixture.js';
export { type ParsedChallenge, parseChallenges } from './challenge-parser.js';
export {
  accessTokenHash,
  createDpopProof,
  type DpopProofOptions,
  dpopThumbprint,
  publicJwk,
} from './dpop.js';
export { smokeTestExample } from './example-smoke.js';
export { bearer, type FactsInput, requestFacts } from './facts.js';
export { type CollectedResponse, collectResponse } from './http-response.js';
export {
  type IntrospectionRequest,
  type IntrospectionServer,
  type IntrospectionServerMode,
  type IntrospectionServerSettings,
  type SignedAnswerTweak,
  startIntrospectionServer,
} from './introspection-server.js';
export type { IntrospectionClientAuth } from './introspection-server-auth.js';
export { type KeyServer, type KeyServerMode, type KeyServerOptions, startKeyServer } from './key-server.js';
export { generateTestKey, type TestAlgorithm, type TestKey } from './keys.js';
export { type LaunchedProcess, type LaunchOptions, launchProcess } from './launch.js';
export {
  BILLING_API,
  DEFAULT_ACRS,
  DEFAULT_OIDC_FIXTURES,
  OAuthResponseError,
  type OidcAcr,
  type OidcClient,
  type OidcProviderOptions,
  type OidcResource,
  type OidcTestProvider,
  ORDERS_API,
  startOidcProvider,
  type TokenSet,
  type UserTokenRequest,
} from './oidc-provider.js';
export {
  type BoundTokenSet,
  type ClientCertificate,
  createDpopKey,
  type DpopKey,
} from './oidc-provider-bound.js';
export { type RedisCluster, startRedisCluster } from './redis-cluster.js';
export { type RedisSentinel, startRedisSentinel } from './redis-sentinel.js';
export {
  type RedisServer,
  type RedisServerOptions,
  redisServerBinary,
  startRedisServer,
} from './redis-server.js';
export {
  BACKCHANNEL_LOGOUT_EVENT_TYPE,
  CAEP_EVENT_TYPES,
  createLogoutTokenIssuer,
  type LogoutTokenSettings,
  type SetOptions,
  type SignalTransmitter,
  startSignalTransmitter,
} from './signal-transmitter.js';
export { SPIFFE_TRUST_DOMAIN, type TlsMaterial, testTls } from './tls.js';
export {
  b64url,
  createTokenIssuer,
  type MintOptions,
  signRaw,
  signToken,
  type TokenIssuerSettings,
  type TokenParts,
} from './tokens.js';
