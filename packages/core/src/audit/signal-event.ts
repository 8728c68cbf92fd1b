/**
 * The `signal` record of the audit trail: the identity provider told the API that a user's sessions,
 * credentials or assurance changed (OpenID Connect Back-Channel Logout, or a Shared Signals / CAEP event
 * pushed per RFC 8935), and the API either applied it — a cut-off in the revocation store — or refused it.
 * Every logout token and every Security Event Token received is on the trail, accepted or not, so a forged
 * or replayed one is as visible as a real logout. Never holds the token itself.
 */
import * as z from 'zod/mini';
import type { Recorded } from '../model/audit.js';
import { recordFields } from '../model/audit-schema.js';

const optionalText = z.optional(z.string());

/**
 * zod schema of a `signal` record, the source of {@link SignalEvent}.
 *
 * @example
 * ```ts
 * if (signalEventSchema.safeParse(record).success && record.outcome === 'refused') alert(record);
 * ```
 */
export const signalEventSchema = z.object({
  ...recordFields,
  type: z.literal('signal'),
  /** How the signal arrived: a back-channel logout token, or a SET pushed by a Shared Signals transmitter. */
  channel: z.enum(['backchannel-logout', 'shared-signals']),
  /** `applied` (a cut-off was recorded), `ignored` (a verified event type the API does not act on), or `refused`. */
  outcome: z.enum(['applied', 'ignored', 'refused']),
  /** `OK`, or why the signal was refused (`ERR_SIGNAL_…`). */
  reason: z.string(),
  /** What the refusal says, without the token. */
  detail: optionalText,
  /** The event type URI (for CAEP, e.g. `https://schemas.openid.net/secevent/caep/event-type/session-revoked`). */
  event: optionalText,
  /** `iss` of the logout token or SET, once it named a configured issuer or transmitter. */
  issuer: optionalText,
  /** `jti` of the logout token or SET, once verified. */
  tokenId: optionalText,
  /** The token issuer whose tokens were cut off, when it differs from `issuer` (a transmitter's subjects). */
  subjectIssuer: optionalText,
  subject: optionalText,
  /** The `sid` whose tokens were cut off. */
  sessionId: optionalText,
  /** Which cut-offs were recorded: by subject, by session, by authentication time. */
  cutOffs: z.optional(z.array(z.enum(['subject', 'session', 'authentication']))),
  /** The HTTP status answered to the sender. */
  status: z.number().check(z.int(), z.gte(100), z.lte(599)),
  remoteAddress: optionalText,
});

/**
 * One logout token or Security Event Token received: the type of {@link signalEventSchema}.
 *
 * @example
 * ```ts
 * // { type: 'signal', channel: 'backchannel-logout', outcome: 'applied', reason: 'OK',
 * //   issuer: 'https://idp.example.com/', subject: 'alice', cutOffs: ['subject'], status: 200 }
 * ```
 */
export interface SignalEvent extends Recorded<z.output<typeof signalEventSchema>> {}
