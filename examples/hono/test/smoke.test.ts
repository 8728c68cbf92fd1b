/**
 * Smoke test: the example starts with its one command against a real key server, allows a request that
 * carries the right scope, refuses one without credentials, and stops (the testkit's shared scenario).
 */
import { smokeTestExample } from '@nevertrust/testkit';
import { it } from 'vitest';

it('serves one allowed and one denied request, then stops', () =>
  smokeTestExample(new URL('..', import.meta.url)));
