// zod schemas of what a citizen's phone exchanges with the server (/track
// socket and /api/v1/track): the one source of protocol/track.ts's types and
// of the OpenAPI document. Pages import protocol/track.ts (types only), so
// zod stays out of their bundles.
import { z } from 'zod';
import { bilingualSchema, openingHoursSchema } from './schemas.ts';

const instant = z.string().meta({ format: 'date-time' });
const officeId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const officeDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const ticketNumber = z.string().regex(/^[A-Z]\d{3,4}$/, 'a ticket number like A001');
/** What a client may send as a holder key: checked against the MAC afterwards (a wrong one is refused alike whatever it looks like). */
export const holderKeyInputSchema = z.string().min(1).max(64).describe('The holder key from the ticket\'s QR link (`?k=`).');

export const NOTIFY_CHANNELS = ['page', 'push', 'whatsapp', 'sms'] as const;

/** Moved to protocol/notify.ts at merge (helper notify, contract C4); the shape is C4's. */
export const notifyStatusSchema = z
  .object({
    threshold: z.number().int().min(0).describe('Alert when this many (or fewer) are ahead.'),
    channels: z.array(z.enum(NOTIFY_CHANNELS)),
    phoneLast4: z.string().nullable().describe('Last four digits of the phone number given, never the whole number.'),
    delivered: z.array(
      z.object({
        kind: z.enum(['near', 'called']),
        channel: z.enum(NOTIFY_CHANNELS),
        at: instant,
        status: z.enum(['sent', 'delivered', 'failed']),
      }),
    ),
  })
  .meta({ id: 'NotifyStatus', description: 'The alerts the holder asked for and what was sent.' });

export const TRACK_STATES = ['waiting', 'called', 'serving', 'done', 'no_show', 'cancelled'] as const;

export const trackViewSchema = z
  .object({
    officeId: z.string(),
    officeDay: z.string().meta({ format: 'date' }),
    ticketId: z.string().describe('`${officeDay}/${number}`.'),
    number: z.string(),
    service: z.object({ id: z.string(), name: bilingualSchema }),
    state: z.enum(TRACK_STATES).describe('A ticket a counter set aside (parked) shows as waiting.'),
    counter: z.object({ id: z.string(), name: z.string(), word: z.string() }).nullable().describe('The counter calling or serving it (called, serving), else null.'),
    ahead: z.number().int().min(0).nullable().describe('Tickets to be called before this one (while waiting), else null.'),
    wait: z.object({ low: z.number().int().min(0), high: z.number().int().min(0) }).nullable().describe('Estimated wait, whole minutes (while waiting), else null.'),
    calls: z.number().int().min(0),
    calledAt: instant.nullable(),
    recentCalls: z
      .array(z.object({ number: z.string(), counterName: z.string(), at: instant }))
      .max(5)
      .describe('The last calls of the office as the waiting-room TV shows them, newest first.'),
    office: z.object({
      name: bilingualSchema,
      shortName: z.string(),
      timeZone: z.string(),
      hours: openingHoursSchema,
      complaintChannel: bilingualSchema,
      whatsapp: z.string().nullable().describe("The office's WhatsApp number, when it has one."),
    }),
    holder: z.boolean().describe('True when the request carried the ticket\'s holder key: cancel and alerts are open to it.'),
    notify: notifyStatusSchema.nullable().describe('The holder\'s alerts (holder only), else null.'),
    serverTime: instant,
    version: z.number().int().min(0).describe('The office queue version this view was computed at.'),
  })
  .meta({ id: 'TrackView', description: "One ticket as its holder's phone shows it: nothing about any other citizen." });

/** Socket.IO /track handshake `auth`. */
export const trackHandshakeSchema = z.object({
  office: officeId,
  ticket: z.string().regex(/^\d{4}-\d{2}-\d{2}\/[A-Z]\d{3,4}$/, 'a ticket id like 2026-11-23/A001'),
  key: holderKeyInputSchema.optional(),
});

/** REST path of one ticket. */
export const trackParamsSchema = z.strictObject({ office: officeId, day: officeDay, number: ticketNumber });
export const trackQuerySchema = z.object({ k: holderKeyInputSchema.optional() });
export const trackCancelBodySchema = z.strictObject({ k: holderKeyInputSchema });
