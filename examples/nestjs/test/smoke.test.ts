/**
 * Smoke test: the example starts with its one command against a real key server, on each Nest platform,
 * allows a request that carries the right scope, refuses one without credentials and one without the
 * admin scope, and stops (the testkit's shared scenario).
 */
import { smokeTestExample } from '@nevertrust/testkit';
import { it } from 'vitest';

it('serves one allowed and one denied request on the Express platform, then stops', () =>
  smokeTestExample(new URL('..', import.meta.url)));

it('serves one allowed and one denied request on the Fastify platform, then stops', () =>
  smokeTestExample(new URL('..', import.meta.url), { PLATFORM: 'fastify' }));
