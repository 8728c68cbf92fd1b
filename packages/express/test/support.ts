/** The Express adapter tests' issuer, on the testkit's shared adapter fixture. */
import type { AuditEvent } from '@nevertrust/core';
import { adapterFixture } from '@nevertrust/testkit';

export { serve, settled } from '@nevertrust/testkit';

/** One issuer with a fresh static key, the options of a guard trusting it, and its audit trail. */
export const setup = () =>
  adapterFixture<AuditEvent>('https://idp.express.test/', 'https://api.express.test');
