/**
 * The demo itself: starts a real OpenID Connect provider (and a second one nobody trusts), the example
 * orders API protected by nevertrust (with an anomaly detector and Prometheus metrics, DPoP and
 * certificate-bound tokens, over HTTP and over HTTPS with client certificates), then drives the tour
 * with a real HTTP client, printing each request, the decision, the status and the reason, and a summary of
 * the audit trail.
 */
import { randomBytes } from 'node:crypto';
import type { AuditEvent, GuardOptions } from '@nevertrust/core';
import { type OidcTestProvider, ORDERS_API, startOidcProvider, testTls } from '@nevertrust/testkit';
import { type ApiUrls, type RunningApi, startApi } from './api/index.js';
import { createAuditTrail } from './audit-trail.js';
import type { DemoOptions } from './cli.js';
import type { Output } from './output.js';
import { runTour } from './run-tour.js';
import { startServeSession } from './serve.js';
import {
  INTROSPECTING_CLIENT,
  INTROSPECTION_CACHE_SECONDS,
  OPAQUE_CLIENT,
  PROVIDER_FIXTURES,
} from './steps/introspection.js';
import { BACKCHANNEL_LOGOUT_PATH } from './steps/signals.js';
import { TOUR } from './tour.js';
import { createTourContext } from './tour-context.js';

// nevertrust's default; stated here because the expiry step waits for it.
const CLOCK_TOLERANCE_SECONDS = 5;
// Low enough for the tour's burst to trip it within a few requests, high enough that the bad tokens of the
// earlier steps alone (every request of the tour comes from one address) do not.
const BURST_THRESHOLD = 16;
// Short, because the tour waits for the block to end before it scrapes the metrics.
const BLOCK_SECONDS = 3;

/**
 * Runs the demo; resolves to the exit code: 0 when every step behaved as expected, 1 otherwise.
 *
 * @example
 * ```ts
 * process.exitCode = await runDemo({ framework: 'koa', serve: false, help: false, instances: 1 }, out);
 * ```
 */
export async function runDemo(options: DemoOptions, out: Output): Promise<number> {
  const running: { close(): Promise<void> }[] = [];
  try {
    out.line(
      `nevertrust demo: zero trust against a real OpenID Connect provider (API on ${options.framework})`,
    );
    out.line();
    let done = out.progress('generating a CA, a server certificate and two client certificates');
    const tls = await testTls();
    done('for the API over TLS and the services service-a and service-b');
    done = out.progress('starting the OpenID Connect provider (oidc-provider, fresh RS256 key)');
    // Its mTLS endpoint binds tokens to client certificates (RFC 8705); DPoP proofs need its nonce (RFC 9449).
    // One of its clients (partner-service) gets opaque reference tokens for the orders API (RFC 7662).
    const idp: OidcTestProvider = await startOidcProvider({
      ...PROVIDER_FIXTURES,
      mtlsEndpoint: true,
      requireDpopNonce: true,
    });
    running.push(idp);
    done(idp.issuer);
    done = out.progress('starting a second, untrusted OpenID Connect provider');
    const rogue = await startOidcProvider();
    running.push(rogue);
    done(rogue.issuer);

    const trail = createAuditTrail();
    let live: ((event: AuditEvent) => void) | undefined;
    const guardOptions = ({ url, tlsUrl }: ApiUrls): GuardOptions => ({
      // The whole configuration: who issues tokens and who they must be for. Keys come from discovery.
      issuers: [
        {
          issuer: idp.issuer,
          audience: ORDERS_API,
          // Tokens that are not JWTs go to the discovered introspection endpoint, as the API's own client;
          // an answer is reused for a few seconds at most (and never beyond the token's exp).
          introspection: {
            clientId: INTROSPECTING_CLIENT,
            clientSecret: idp.clientSecret(INTROSPECTING_CLIENT),
            cacheTtlSeconds: INTROSPECTION_CACHE_SECONDS,
          },
        },
      ],
      realm: 'orders',
      clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
      onAudit: (event) => {
        trail.listener(event);
        live?.(event);
      },
      // Detection records reach sinks only (outside the request), not onAudit.
      audit: { sinks: [trail.sink] },
      detectors: {
        authFailureBurst: { threshold: BURST_THRESHOLD, windowSeconds: 60, blockSeconds: BLOCK_SECONDS },
      },
      // The provider posts a logout token here when a session of the web app ends.
      backChannelLogout: { path: BACKCHANNEL_LOGOUT_PATH, clientIds: ['orders-web'] },
      // DPoP-bound tokens (RFC 9449) with their proofs: htu must name one of the API's own origins (never
      // the Host header), and every proof must carry a nonce of the API (stateless, under this secret).
      dpop: { origin: [url, tlsUrl], nonce: { secrets: [randomBytes(32)] } },
      // Certificate-bound tokens (RFC 8705), checked against the certificate of the TLS connection.
      mtls: {},
    });
    done = out.progress(`starting the orders API on ${options.framework}, protected by nevertrust`);
    const api: RunningApi = await startApi(options.framework, guardOptions, {
      key: tls.serverKey,
      cert: tls.serverCert,
    });
    running.push(api);
    done(`${api.url}, and ${api.tlsUrl} asking for client certificates`);
    await idp.registerBackchannelLogout('orders-web', `${api.url}${BACKCHANNEL_LOGOUT_PATH}`);
    out.note(
      `trusted issuer ${idp.issuer}, audience ${ORDERS_API}; keys found through its discovery document`,
    );
    out.note(
      `back-channel logout endpoint ${BACKCHANNEL_LOGOUT_PATH}, registered at the provider for orders-web`,
    );
    out.note(
      `opaque tokens (${OPAQUE_CLIENT}) introspected at the provider as ${INTROSPECTING_CLIENT}, answers cached ${INTROSPECTION_CACHE_SECONDS} s at most`,
    );
    out.note(`DPoP-bound tokens with proofs and server nonces; certificate-bound tokens on ${api.tlsUrl}`);
    out.note(
      `auth-failure-burst detector: ${BURST_THRESHOLD} refused tokens per address in 60 s block it for ${BLOCK_SECONDS} s`,
    );

    const context = createTourContext({
      idp,
      rogue,
      api: { url: api.url, tlsUrl: api.tlsUrl, ca: tls.ca },
      tls,
      clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
      trail,
      revocation: api.guard.revocation,
      say: out.note,
    });
    const results = await runTour(TOUR, context, trail, out);
    out.summary(trail.summary(), trail.events.length);
    out.verdict(results);
    const code = results.every((result) => result.passed) ? 0 : 1;
    out.line(
      options.serve
        ? `Prometheus metrics: ${api.url}/metrics`
        : `Prometheus metrics were at ${api.url}/metrics; \`npm run demo -- --serve\` keeps the API up to scrape them.`,
    );

    if (options.serve) {
      const session = await startServeSession(out, idp, api.url);
      live = session.live;
      await session.stopped();
      await session.cleanUp();
    }
    return code;
  } finally {
    await Promise.allSettled(running.reverse().map((server) => server.close()));
  }
}
