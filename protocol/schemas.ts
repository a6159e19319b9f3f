// The data model as zod schemas: the one source of the shapes in model.ts
// (types by z.infer), of the configuration file's validation
// (server/store/config-schema.ts) and of the OpenAPI document
// (server/http/openapi.ts). Descriptions live here, as zod metadata, so the
// document says what the code means. Pages import model.ts for types only,
// so this module (and zod) stays out of their bundles.
import { z } from 'zod';
import { respondentSchema, surveyScoresSchema } from './survey.ts';
import { DEVICE_KINDS, FINISH_OUTCOMES, PAUSE_REASONS, PRIORITY_GROUPS, ROLES, TICKET_SOURCES, TICKET_STATES } from './model.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const instant = z.string().meta({ format: 'date-time' });
const officeDay = z.string().meta({ format: 'date', description: 'The office-local date, YYYY-MM-DD.' });
const count = z.number().int().min(0);
export const hhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).describe('Local time, 24h "HH:MM".');

export const bilingualSchema = z
  .object({ id: z.string().min(1).describe('Bahasa Indonesia.'), en: z.string().min(1).describe('English.') })
  .meta({ id: 'Bilingual', description: 'Text shown to people: Bahasa Indonesia first, English second.' });

const period = z.tuple([hhmmSchema, hhmmSchema]).refine(([a, b]) => a < b, 'opening must be before closing');
export const openingHoursSchema = z
  .partialRecord(z.enum(WEEKDAYS), z.array(period))
  .meta({ id: 'OpeningHours', description: 'Local opening periods, "HH:MM" 24h, per weekday; a missing day is closed.' });

export const requirementSchema = z
  .object({
    id,
    text: bilingualSchema,
    mandatory: z.boolean().describe('Without it no ticket is issued at the kiosk (staff may override).'),
    staffJudged: z.boolean().describe('Only staff can judge it (e.g. "the photo meets the standard").'),
    alternatives: z
      .array(z.object({ id, text: bilingualSchema }).meta({ id: 'RequirementAlternative' }))
      .max(5)
      .optional()
      .describe('Documents that do instead: the item is met by its own document or any one of these ("the police report OR the damaged card"). Ids unique within the sub-case, items included.'),
    condition: z
      .object({ id, question: bilingualSchema.describe('A yes/no question: "Apakah Anda pindah dari kabupaten/kota lain?".') })
      .meta({ id: 'RequirementCondition' })
      .optional()
      .describe('The item applies only if the citizen answers yes to the question. Items sharing a condition id share its one question, asked once.'),
  })
  .meta({ id: 'Requirement', description: 'One item of a checklist. See docs/requirements.md for the two shapes.' });

export const subcaseSchema = z
  .object({
    id,
    name: bilingualSchema,
    requirements: z.array(requirementSchema),
    eligibility: z
      .object({ minAge: z.number().int().min(0).optional(), maxAge: z.number().int().min(0).optional(), note: bilingualSchema.optional() })
      .optional()
      .describe('Age limits checked from a NIK when the citizen gives one.'),
  })
  .meta({ id: 'Subcase' });

export const serviceConfigSchema = z
  .object({
    id,
    prefix: z.string().regex(/^[A-Z]$/, 'one capital letter').describe('Ticket letter, "A".."Z".'),
    name: bilingualSchema,
    description: bilingualSchema,
    standard: bilingualSchema.describe('Completion standard, e.g. "1 jam".'),
    standardMinutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .nullable()
      .optional()
      .describe('The completion standard in minutes, from issue to finished (reports count every ticket over it); null or absent = not measured.'),
    fee: z.number().min(0).describe('Fee in rupiah; Dukcapil services are free.'),
    icon: z.string().max(40),
    subcases: z.array(subcaseSchema),
    quota: z.object({ walkIn: count.nullable(), online: count.nullable() }).describe('Daily caps; null = unlimited.'),
    active: z.boolean(),
    booking: z
      .object({
        enabled: z.boolean().describe('Citizens may book this service online (the office\'s booking must be on too).'),
        places: count.nullable().describe('Places per slot; null = counters serving it × slot length ÷ serviceMinutes.'),
        serviceMinutes: z.number().positive().max(480).describe('Service time assumed for the capacity when places is null.'),
      })
      .optional()
      .describe('Online booking of this service (docs/booking.md); absent = not bookable.'),
  })
  .meta({ id: 'ServiceConfig' });

export const counterConfigSchema = z
  .object({
    id,
    name: z.string().min(1).max(40),
    word: z.string().min(1).max(20).describe('Word used when the call is spoken: "loket", "meja", "ruang".'),
    services: z.array(id).describe('Services this counter serves, in order of preference.'),
    autoCallNext: z.boolean().optional().describe('Whether the next ticket is called automatically when one finishes, at the start of each day (staff may change it for the day); absent = no.'),
  })
  .meta({ id: 'CounterConfig' });

export const queueRulesSchema = z.object({
  priorityPerRegular: z.number().int().min(0).max(20).describe('Priority-group tickets called for each regular one when both wait.'),
  reinstateWindowMinutes: z.number().min(0),
  noShowAfterRecalls: z.number().int().min(0),
  noShowAfterMinutes: z.number().min(0),
  defaultServiceMinutes: z.number().positive().describe('Service time assumed before any has been measured today.'),
  etaSampleSize: z.number().int().min(1).max(50).describe('How many recent service times the running mean uses.'),
  enforceHours: z.boolean().describe('Refuse kiosk/API tickets outside opening hours.'),
});

export const displayProfileSchema = z
  .object({
    id,
    name: z.string().min(1).max(80),
    services: z.array(id).describe('Service ids shown; empty = all.'),
    counters: z.array(id).describe('Counter ids shown; empty = all.'),
    layout: z.enum(['landscape', 'portrait']),
    secondLanguage: z.enum(['en']).nullable().describe('Language of the second line under Indonesian; null = Indonesian only.'),
    historySize: z.number().int().min(0).max(20).describe('How many past calls are listed.'),
    showCounterStates: z.boolean(),
    voice: z.enum(['clips', 'speech', 'off']).describe("'clips' = bundled recorded words; 'speech' = the browser's Indonesian voice where one exists; 'off'."),
    reloadAt: hhmmSchema.nullable().describe('Local "HH:MM" at which the page reloads itself (quiet hour), or null.'),
  })
  .meta({ id: 'DisplayProfile', description: 'What one waiting-room TV shows (a big office has several rooms).' });

/** An Indonesian WhatsApp (mobile) number in E.164: "+62" then a number starting with 8. */
export const whatsappNumberSchema = z
  .string()
  .regex(/^\+628\d{7,11}$/, 'an Indonesian mobile number in E.164, e.g. +6281234567890')
  .meta({ description: 'An Indonesian WhatsApp number in E.164, e.g. "+6281234567890".' });

const calendarDay = z.iso.date().describe('A local calendar date, YYYY-MM-DD.');

export const closedDaySchema = z
  .object({ date: calendarDay, name: bilingualSchema.describe('Why the office is closed, e.g. "Hari Raya Idulfitri".') })
  .meta({ id: 'ClosedDay', description: 'A date the office is closed whatever its weekly hours say (a public holiday, collective leave).' });

const secretValue = z.string().min(1).max(500);
const httpUrl = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL');

/** Notification provider settings (secrets included: never in PublicOffice, masked in every admin answer and audit line). */
export const notifySettingsSchema = z
  .object({
    webhook: z.object({
      url: httpUrl.nullable().describe('Where delivery webhooks are sent; null = off.'),
      secret: secretValue.nullable().describe('Shared secret signing the webhook (write-only through the admin API).'),
    }),
    whatsapp: z.object({
      apiUrl: httpUrl.nullable().describe('The WhatsApp provider API base URL; null = off.'),
      token: secretValue.nullable().describe('API token (write-only through the admin API).'),
      sender: whatsappNumberSchema.nullable().describe('The number messages are sent from.'),
      phoneId: z
        .string()
        .regex(/^\d{5,30}$/, 'the numeric phone-number id')
        .nullable()
        .optional()
        .describe("The WhatsApp Cloud API phone-number id (POST {apiUrl}/{phoneId}/messages). With apiUrl and token set, this office's WhatsApp messages go through its own Cloud API account; absent = the server's."),
    }),
  })
  .meta({ id: 'NotifySettings' });

/** Office-wide booking settings (docs/booking.md). */
export const bookingSettingsSchema = z
  .object({
    enabled: z.boolean(),
    windowDays: z.number().int().min(1).max(60).describe('How many days ahead a slot can be booked.'),
    sameDay: z.boolean().describe('Whether today can be booked (else from tomorrow).'),
    opensAt: hhmmSchema.describe('Local time at which the last day of the window opens for booking ("06:00").'),
    slotMinutes: z.number().int().min(5).max(240),
    holdSeconds: z.number().int().min(30).max(1800).describe('How long a place is held while the form is completed.'),
    releaseDelayMinutes: z.number().int().min(0).max(1440).describe('A cancelled place is bookable again only after this delay (against reselling).'),
    checkInBeforeMinutes: z.number().int().min(0).max(240),
    checkInAfterMinutes: z.number().int().min(0).max(240).describe('After this many minutes past the slot start a booking not checked in is a no-show.'),
    perNikPerWeek: z.number().int().min(1).max(50).describe('Active bookings a NIK may have at this office in one week (Monday to Sunday).'),
    noShowBlock: z
      .object({ count: z.number().int().min(1).max(20), days: z.number().int().min(1).max(90) })
      .nullable()
      .describe('After `count` no-shows within `days` days a NIK cannot book; null = never blocked.'),
    address: z.string().max(300).nullable().describe('The address printed on the confirmation and the calendar file.'),
  })
  .meta({ id: 'BookingSettings' });
/** How an office handles complaints (pengaduan): the answer deadline and when a contact is erased. */
export const complaintSettingsSchema = z
  .strictObject({
    answerDays: z.number().int().min(1).max(60).describe('Days to answer a complaint before it is flagged overdue to the supervisor.'),
    eraseContactDays: z.number().int().min(0).max(365).describe("Days after a complaint is closed before the citizen's contact is erased."),
  })
  .meta({ id: 'ComplaintSettings' });

const officeFields = {
  id,
  name: bilingualSchema,
  shortName: z.string().min(1),
  timeZone: z.string().describe('IANA time zone, e.g. "Asia/Makassar".'),
  hours: openingHoursSchema,
  closedDays: z
    .array(closedDaySchema)
    .max(366)
    .optional()
    .describe('Dates the office is closed (holidays): no kiosk tickets while opening hours are enforced, and the kiosk says "closed today"; absent = none.'),
  services: z.array(serviceConfigSchema).min(1),
  counters: z.array(counterConfigSchema),
  complaintChannel: bilingualSchema,
  marquee: bilingualSchema,
  whatsapp: whatsappNumberSchema.nullable().optional().describe("The office's WhatsApp number for citizens; null or absent = none."),
  kiosk: z.object({ idleSeconds: z.number().int().min(5).max(600) }),
  waitTargetMinutes: z
    .number()
    .int()
    .min(1)
    .max(600)
    .nullable()
    .optional()
    .describe('The office\'s waiting-time target in minutes, queued to called (reports list every wait over it); null or absent = none.'),
  displays: z.array(displayProfileSchema).default([]),
  booking: bookingSettingsSchema.optional().describe('Online booking; absent = off.'),
  logo: z
    .string()
    .regex(/^(\/[^\s]*|data:image\/(png|svg\+xml|jpeg|webp);base64,[A-Za-z0-9+/=]+)$/, 'a same-origin path or a data:image URL')
    .max(200_000)
    .nullable()
    .default(null)
    .describe('Office logo for screens: a same-origin path or a data: URL (the CSP allows no other); null = none.'),
};

/** One office as the configuration file holds it (cross-field rules: server/store/config-schema.ts). */
export const officeConfigSchema = z.object({
  ...officeFields,
  rules: queueRulesSchema,
  notify: notifySettingsSchema.optional().describe('Notification providers; absent = none set up.'),
  complaints: complaintSettingsSchema.optional().describe('Complaint deadline and contact erasure; absent = 5 days to answer, contacts erased 30 days after closing.'),
});

/** What a page needs to know about an office (no secrets). */
export const publicOfficeSchema = z
  .object({ ...officeFields, rules: queueRulesSchema.pick({ reinstateWindowMinutes: true, enforceHours: true, priorityPerRegular: true }) })
  .meta({ id: 'PublicOffice', description: 'What a page needs to know about an office (no secrets).' });

export const actorSchema = z
  .object({
    kind: z.enum(['user', 'device', 'system', 'citizen']).describe("'citizen': the ticket's holder, from a phone with the holder key (id 'ticket-holder', no personal data)."),
    id: z.string(),
    name: z.string().optional(),
    role: z.enum([...ROLES, ...DEVICE_KINDS]).optional().describe('Staff role, or device kind for devices.'),
  })
  .meta({ id: 'Actor', description: 'Who did something: recorded with every change (the audit log).' });

export const precheckResultSchema = z
  .object({
    subcase: z.string(),
    passed: z.boolean(),
    missing: z.array(z.string()).describe('Requirement ids not brought (items whose condition was answered no are not listed).'),
    alternatives: z
      .record(z.string(), z.string())
      .optional()
      .describe('Items met by an alternative document: requirement id → alternative id (for the counter).'),
    conditions: z.record(z.string(), z.boolean()).optional().describe('The conditional questions as answered: condition id → yes/no.'),
  })
  .meta({ id: 'PrecheckResult' });

export const BOOKING_STATES = ['held', 'confirmed', 'released', 'cancelled', 'checked_in', 'no_show'] as const;
export const bookingStateSchema = z.enum(BOOKING_STATES).describe("'held' while the form is completed; 'confirmed'; 'released' a hold that expired or was withdrawn; 'cancelled'; 'checked_in' a ticket was issued; 'no_show' not checked in in time.");

/** A booking as the journal of its slot's day holds it. Personal data: the NIK only as a keyed hash and its last 4 digits; no phone number. */
export const bookingSchema = z
  .object({
    code: z.string(),
    serviceId: z.string(),
    subcase: z.string(),
    officeDay,
    slot: instant.describe('Slot start (UTC ISO).'),
    state: bookingStateSchema,
    channel: z.enum(['online', 'staff']),
    name: z.string(),
    nikHash: z.string().describe('HMAC-SHA256 of the NIK under the server secret "nik-hash", hex.'),
    nikLast4: z.string().regex(/^\d{4}$/),
    reminders: z.boolean().describe('A phone was given with consent (the number itself is not journaled).'),
    heldAt: instant,
    holdExpiresAt: instant.nullable(),
    confirmedAt: instant.nullable(),
    endedAt: instant.nullable().describe('When released, cancelled, checked in or marked no-show.'),
    ticketId: z.string().nullable(),
    precheck: precheckResultSchema.nullable(),
    replaces: z.string().nullable().describe('The code of the booking this one replaced (a change of slot).'),
  })
  .meta({ id: 'Booking' });

export const waitRangeSchema = z
  .object({ low: count.describe('Minutes, at least.'), high: count.describe('Minutes, at most (0 = called soon).') })
  .refine((r) => r.low <= r.high, 'low must not exceed high')
  .meta({ id: 'WaitRange', description: 'An estimated wait in whole minutes, low to high (server/domain/eta.ts; docs/eta.md).' });

export const ticketSchema = z
  .object({
    id: z.string().describe('Unique across days: `${officeDay}/${number}`, e.g. "2026-11-23/A001".'),
    number: z.string().regex(/^[A-Z]\d{3,4}$/).describe('Number of the day, e.g. "A001".'),
    serviceId: z.string(),
    seq: z.number().int().min(1).describe('The per-service sequence number of the day (1 for A001).'),
    officeDay,
    priority: z.enum(PRIORITY_GROUPS).nullable(),
    source: z.enum(TICKET_SOURCES),
    state: z.enum(TICKET_STATES),
    counterId: z.string().nullable().describe('The counter holding it (called, serving, parked), else null.'),
    targetCounterId: z.string().nullable().describe('After a transfer to a counter, only that counter may call it.'),
    precedence: z.boolean().describe('Transferred in with a promise to be called before others.'),
    bookingSlot: instant.nullable().describe('Booking slot start (ISO) for booked tickets.'),
    issuedAt: instant,
    queuedAt: instant.describe('Since when it has waited in its current queue (orders FIFO).'),
    calledAt: instant.nullable(),
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
    calls: count.describe('Times called, recalls included.'),
    outcome: z.enum(FINISH_OUTCOMES).nullable(),
    precheck: precheckResultSchema.nullable(),
    etaMinutesAtIssue: z.number().min(0).describe('Estimated wait in minutes when issued (to measure the estimate\'s error).'),
    waitAtIssue: waitRangeSchema
      .nullable()
      .default(null)
      .describe('The wait range promised when issued (kiosk, receipt); null in journals older than the range. Its error is published (GET /offices/{office}/eta-accuracy).'),
    aheadAtIssue: count.describe('People waiting for the same service when it was issued (printed and shown on the kiosk).'),
    transfers: count.describe('Number of transfers so far (multi-step services).'),
  })
  .meta({ id: 'Ticket', description: 'One queue ticket.' });

export const counterStateSchema = z
  .object({
    id: z.string(),
    services: z.array(z.string()).describe('Services served today, in order of preference.'),
    paused: z.object({ reason: z.enum(PAUSE_REASONS), note: z.string().nullable(), since: instant }).nullable(),
    autoCallNext: z.boolean(),
    ticketId: z.string().nullable().describe('The ticket called or being served here.'),
    staff: actorSchema.nullable().describe('Who is signed in at this counter (sign_in; see protocol/rules.ts bindingRefusal).'),
    priorityStreak: count.describe('Regular calls owed after a run of priority calls (see priorityPerRegular).'),
    served: count,
    serviceSecondsTotal: z.number().min(0),
  })
  .meta({ id: 'CounterState' });

const eventBase = {
  at: instant,
  actor: actorSchema,
  key: z.string().optional().describe('Idempotency key of the command that produced it.'),
};
const event = <T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) => z.object({ ...eventBase, type: z.literal(type), ...shape });

export const queueEventSchema = z
  .discriminatedUnion('type', [
    event('ticket_issued', { ticket: ticketSchema }),
    event('ticket_called', { ticketId: z.string(), counterId: z.string(), mode: z.enum(['next', 'specific', 'auto', 'return']), reason: z.string().optional() }),
    event('ticket_recalled', { ticketId: z.string(), counterId: z.string() }),
    event('service_started', { ticketId: z.string(), counterId: z.string() }),
    event('ticket_finished', { ticketId: z.string(), counterId: z.string(), outcome: z.enum(FINISH_OUTCOMES) }),
    event('ticket_no_show', { ticketId: z.string(), counterId: z.string().nullable() }),
    event('ticket_reinstated', { ticketId: z.string() }),
    event('ticket_transferred', {
      ticketId: z.string(),
      fromCounterId: z.string().nullable(),
      toServiceId: z.string(),
      toCounterId: z.string().nullable(),
      precedence: z.boolean(),
    }),
    event('ticket_parked', { ticketId: z.string(), counterId: z.string(), reason: z.string().optional() }),
    event('ticket_cancelled', { ticketId: z.string(), counterId: z.string().nullable(), reason: z.string() }),
    event('counter_paused', { counterId: z.string(), reason: z.enum(PAUSE_REASONS), note: z.string().nullable() }),
    event('counter_resumed', { counterId: z.string() }),
    event('counter_configured', { counterId: z.string(), services: z.array(z.string()), autoCallNext: z.boolean() }),
    /** The actor signs in at the counter: it is theirs until they (or a supervisor) sign out. */
    event('counter_signed_in', { counterId: z.string() }),
    event('counter_signed_out', { counterId: z.string() }),
    event('service_closed', { serviceId: z.string(), reason: z.string() }),
    event('service_reopened', { serviceId: z.string() }),
    /** A kiosk pre-check that ended in "what to bring": anonymous, for reports. */
    event('precheck_failed', { serviceId: z.string(), subcase: z.string(), missing: z.array(z.string()), source: z.enum(['kiosk', 'booking']).optional().describe('Where the pre-check was done; absent = kiosk.') }),
    /** Booking events live in the journal of the slot's day (docs/booking.md). */
    event('booking_held', { booking: bookingSchema }),
    event('booking_confirmed', { code: z.string() }),
    event('booking_released', { code: z.string(), reason: z.enum(['expired', 'withdrawn']) }),
    event('booking_cancelled', { code: z.string(), reason: z.enum(['citizen', 'staff', 'changed', 'slot_blocked']), note: z.string().optional(), returnsAt: instant.describe('When the place becomes bookable again (releaseDelayMinutes after the cancel).') }),
    /** In the same commit as the ticket_issued of source booking. */
    event('booking_checked_in', { code: z.string(), ticketId: z.string() }),
    event('booking_no_show', { code: z.string() }),
    event('slot_blocked', { serviceId: z.string().nullable().describe('null = every service.'), slot: instant, reason: z.string() }),
    event('slot_unblocked', { serviceId: z.string().nullable(), slot: instant }),
    /** The IKM survey of a finished ticket (one per ticket): never sent to any screen (server/realtime/feeds.ts). */
    event('survey_answered', {
      ticketId: z.string(),
      serviceId: z.string().describe('The service the ticket was finished in.'),
      counterId: z.string().nullable().describe('The counter that finished it.'),
      scores: surveyScoresSchema,
      respondent: respondentSchema.nullable(),
      comment: z.string().nullable(),
    }),
  ])
  .meta({ id: 'QueueEvent', description: 'One recorded change of the queue.' });

export const serviceStatsSchema = z
  .object({
    serviceId: z.string(),
    waiting: count,
    oldestWaitingSince: instant.nullable(),
    etaMinutes: z.number().min(0).describe('Estimated wait for a ticket issued now, minutes (the naive mean; see waitRange).'),
    waitRange: waitRangeSchema.optional().describe('The wait range for a ticket issued now (what the kiosk shows before issuing).'),
    countersServing: count.describe('Counters open (not paused) that serve it.'),
    issuedToday: count,
    closedToday: z.boolean(),
  })
  .meta({ id: 'ServiceStats' });

export const callViewSchema = z
  .object({ ticketId: z.string(), number: z.string(), serviceId: z.string(), counterId: z.string(), at: instant, recall: z.boolean() })
  .meta({ id: 'CallView' });

export const queueSnapshotSchema = z
  .object({
    officeId: z.string(),
    officeDay,
    version: count.describe('Increases by one per committed change; deltas carry the next one.'),
    serverTime: instant,
    tickets: z.array(ticketSchema).describe('Tickets not yet finished (waiting, called, serving, parked) and no-shows still reinstatable.'),
    counters: z.array(counterStateSchema),
    services: z.array(serviceStatsSchema),
    recentCalls: z.array(callViewSchema),
  })
  .meta({ id: 'QueueSnapshot', description: 'The whole state of an office day.' });

export const queueDeltaSchema = z
  .object({
    officeId: z.string(),
    officeDay,
    version: count,
    fromVersion: count
      .optional()
      .describe('The first version this delta covers when it merges several commits (kiosks and phones get at most a few merged deltas a second); absent = `version`.'),
    events: z.array(queueEventSchema),
    tickets: z.array(ticketSchema).describe('Tickets changed by these events, in their new state (terminal ones included, to be removed).'),
    counters: z.array(counterStateSchema),
    services: z.array(serviceStatsSchema),
  })
  .meta({ id: 'QueueDelta', description: 'One committed change (or several merged), pushed over Socket.IO.' });
