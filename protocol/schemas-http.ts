// Shapes only the REST API sends (responses beyond the data model of
// schemas.ts): the one error body, command results, users, devices, pairing,
// the audit log, kiosk availability, health and metrics. The OpenAPI
// document is generated from them; server/http/openapi.ts holds the server's
// own types to them at compile time.
import { z } from 'zod';
import { ERRORS, type ErrorCode } from './errors.ts';
import { NAMESPACES } from './events.ts';
import { DEVICE_KINDS, ROLES } from './model.ts';
import { actorSchema, bilingualSchema, hhmmSchema, publicOfficeSchema, ticketSchema } from './schemas.ts';

const instant = z.string().meta({ format: 'date-time' });
const officeDay = z.string().meta({ format: 'date', description: 'The office-local date, YYYY-MM-DD.' });
const count = z.number().int().min(0);

export const apiErrorSchema = z.object({
  code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]).describe('Stable machine-readable code; the HTTP status follows from it (see each response).'),
  message: bilingualSchema,
  details: z
    .array(z.object({ path: z.string().describe('Dotted path of the field that is wrong.'), message: z.string() }))
    .optional()
    .describe('Which fields were wrong (validation errors only).'),
  fields: z
    .array(z.object({ path: z.array(z.union([z.string(), z.number()])).describe('Path from the body, e.g. ["value", "services", 2, "prefix"].'), message: bilingualSchema }))
    .optional()
    .describe('invalid_body only: each wrong field with a message in both languages.'),
});

export const errorBodySchema = z.object({ error: apiErrorSchema }).meta({ id: 'Error', description: 'The one error shape of every response that is not 2xx.' });

export const commandResultSchema = z
  .object({
    ticket: ticketSchema.nullable().describe('The ticket acted on, in its new state (null for counter-only commands).'),
    version: count.describe('Queue version after the command.'),
    replayed: z.boolean().describe('True when the idempotency key had been seen: nothing changed, this is the first result.'),
  })
  .meta({ id: 'CommandResult' });

export const officeSummarySchema = z.object({ id: z.string(), name: bilingualSchema, shortName: z.string(), timeZone: z.string() }).meta({ id: 'OfficeSummary' });

export const officeListSchema = z.object({ offices: z.array(officeSummarySchema) });
export const officeResponseSchema = z.object({ office: publicOfficeSchema });

export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    offices: z.array(z.string()).describe('Office ids this user works for; ["*"] for every office.'),
  })
  .meta({ id: 'User' });

export const sessionSchema = z.object({ user: userSchema, expiresAt: instant });

export const deviceSchema = z
  .object({ id: z.string(), kind: z.enum(DEVICE_KINDS), officeId: z.string().describe('"*" for the loopback demo device.'), name: z.string() })
  .meta({ id: 'Device' });

export const deviceRecordSchema = z
  .object({
    id: z.string(),
    kind: z.enum(DEVICE_KINDS),
    officeId: z.string(),
    name: z.string(),
    createdAt: instant,
    approvedBy: z.string().describe('Username of the approving admin.'),
  })
  .meta({ id: 'DeviceRecord' });

const pairingCode = z.string().regex(/^\d{6}$/).describe('The 6-digit code the screen shows.');

export const pendingPairingSchema = z
  .object({ code: pairingCode, kind: z.enum(DEVICE_KINDS), name: z.string(), expiresAt: instant })
  .meta({ id: 'PendingPairing' });

export const pendingListSchema = z.object({ pending: z.array(pendingPairingSchema) });
export const deviceResponseSchema = z.object({ device: deviceSchema });
export const deviceListSchema = z.object({ devices: z.array(deviceRecordSchema) });
export const ownDeviceSchema = z.object({ device: deviceSchema, loopback: z.boolean() });
export const kioskConfigSchema = z.object({ publicUrl: z.string().nullable().describe('Base address for tracking links, or null.') });

export const pairingStartedSchema = z.object({
  requestId: z.string(),
  code: pairingCode,
  secret: z.string().describe('Proves the poller is the screen that asked; send it as `X-Pairing-Secret`.'),
  expiresAt: instant,
});

export const pairingStatusSchema = z
  .union([
    z.object({ status: z.literal('pending') }),
    z.object({ status: z.literal('approved'), token: z.string().describe('The device token (shown once).'), device: deviceSchema }),
  ])
  .meta({ unionOneOf: true });

export const auditEntrySchema = z
  .object({
    version: z.number().int().min(1).describe('Queue version of the commit.'),
    at: instant,
    actor: actorSchema,
    action: z.string().describe('The event type, e.g. "ticket_called".'),
    ticketId: z.string().nullable(),
    reason: z.string().optional(),
  })
  .meta({ id: 'AuditEntry' });

export const auditSchema = z.object({ officeDay, entries: z.array(auditEntrySchema) });

export const healthSchema = z.object({ status: z.literal('ok'), uptimeSeconds: count, version: z.string() }).meta({ id: 'Health' });

export const spreadSchema = z.object({ p50: z.number(), p99: z.number(), max: z.number() }).meta({ id: 'Spread' });

export const metricsSchema = z
  .object({
    version: z.string(),
    uptimeSeconds: count,
    memoryMb: z.object({ rss: z.number(), heapUsed: z.number() }),
    eventLoopDelayMs: spreadSchema.describe('How late the event loop ran a 10 ms timer, over the last full minute.'),
    commits: z.object({
      total: count,
      lastMinute: count,
      durableWriteMs: spreadSchema.nullable().describe('Time from handing a change to the store to it being on disk, over the last 1,000 changes.'),
    }),
    sockets: z.object(Object.fromEntries(NAMESPACES.map((r) => [r, count])) as Record<(typeof NAMESPACES)[number], typeof count>).describe('Sockets connected per namespace.'),
  })
  .meta({ id: 'Metrics' });

export const openingMomentSchema = z
  .object({
    date: officeDay,
    time: hhmmSchema,
    at: instant.describe('The same moment as an instant.'),
    text: bilingualSchema.describe('Ready to show, e.g. "besok, Senin 25 November, pukul 08.00 WITA".'),
  })
  .meta({ id: 'OpeningMoment', description: "A moment the office or a service opens (again), in the office's time zone." });

export const serviceAvailabilitySchema = z
  .object({
    serviceId: z.string(),
    available: z.boolean().describe('A kiosk ticket can be issued now: the server would accept one.'),
    closedToday: z.boolean().describe('Closed for the whole of today: inactive, closed by staff, or no opening hours today.'),
    fullToday: z.boolean().describe("Today's walk-in quota is used up."),
    remainingToday: count.nullable().describe('Walk-in tickets left today; null = no cap.'),
    reason: z
      .enum(['inactive', 'closed_by_staff', 'quota_full', 'office_closed_today', 'before_opening', 'break', 'after_closing'])
      .nullable()
      .describe('Why it is not available; null when it is.'),
    message: bilingualSchema.nullable().describe('Why, and from when it is open or has room again; null when available.'),
    staffNote: z.string().nullable().describe('The reason staff typed when closing the service, as typed.'),
    next: openingMomentSchema.nullable().describe('When it is open or has room again, when known.'),
  })
  .meta({ id: 'ServiceAvailability', description: 'Whether one service can be offered at the kiosk now.' });

export const officeAvailabilitySchema = z
  .object({
    officeId: z.string(),
    officeDay,
    at: instant.describe('The instant this was computed for (server time).'),
    hours: z.object({
      state: z.enum(['open', 'before_opening', 'break', 'after_closing', 'closed_today']),
      openNow: z.boolean(),
      enforced: z.boolean().describe('Tickets are refused outside opening hours (rules.enforceHours).'),
      today: z.array(z.tuple([hhmmSchema, hhmmSchema])).describe("Today's opening periods."),
      next: openingMomentSchema.nullable().describe('The next opening when not open now.'),
    }),
    services: z.array(serviceAvailabilitySchema),
  })
  .meta({ id: 'OfficeAvailability', description: 'What the kiosk may offer now, per service, with reasons.' });
