/** The Fastify adapter tests' issuer, on the testkit's shared adapter fixture. */
import type { AuditEvent } from '@nevertrust/core';
import { adapterFixture } from '@nevertrust/testkit';

export { settled } from '@nevertrust/testkit';

/** One issuer with a fresh static key, the options of a guard trusting it, and its audit trail. */
export const setup = () =>
  adapterFixture<AuditEvent>('https://idp.fastify.test/', 'https://api.fastify.test');
