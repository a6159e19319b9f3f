// The online-booking contract (issue 12): URL paths, request and response
// bodies of every booking endpoint, and the booking QR payload. The server
// (server/http/booking.ts) validates with these schemas and the OpenAPI
// document is generated from them; the pages (book/, kiosk, counter, admin)
// import the types. Change only additively; note each change in docs/booking.md.
import { z } from 'zod';
import { precheckAnswersSchema } from './commands.ts';
import { bilingualSchema, bookingStateSchema, precheckResultSchema, ticketSchema } from './schemas.ts';

// ---------------------------------------------------------------- paths

const base = (office: string) => `/api/v1/offices/${encodeURIComponent(office)}`;

/** Every booking URL, built in one place (pages and tests use these). */
export const BOOKING_PATHS = {
  /** GET ?service=&from=&to= → BookingSlotsResponse (public). */
  slots: (office: string) => `${base(office)}/booking-slots`,
  /** POST → BookingChallenge (public): the proof-of-work for the next hold. */
  challenge: (office: string) => `${base(office)}/booking-challenge`,
  /** POST BookingHoldBody → 201 BookingCreated (public, proof of work). */
  hold: (office: string) => `${base(office)}/bookings`,
  /** POST BookingPrecheckFailedBody → 204 (public): a pre-check that ended in "what to bring". */
  precheckFailed: (office: string) => `${base(office)}/booking-prechecks`,
  /** GET ?k= → BookingResponse; the manage page. */
  one: (office: string, code: string) => `${base(office)}/bookings/${encodeURIComponent(code)}`,
  /** POST {k} → BookingResponse: confirms a hold. */
  confirm: (office: string, code: string) => `${base(office)}/bookings/${encodeURIComponent(code)}/confirm`,
  /** POST {k} → BookingResponse: cancels (the place comes back after releaseDelayMinutes). */
  cancel: (office: string, code: string) => `${base(office)}/bookings/${encodeURIComponent(code)}/cancel`,
  /** POST BookingChangeBody → 201 BookingCreated: a new booking in the new slot; the old one is cancelled. */
  change: (office: string, code: string) => `${base(office)}/bookings/${encodeURIComponent(code)}/change`,
  /** GET ?k= → text/calendar. */
  ics: (office: string, code: string) => `${base(office)}/bookings/${encodeURIComponent(code)}/booking.ics`,
  /** GET ?k= → image/svg+xml, the QR of bookingQrPayload. */
  qr: (office: string, code: string) => `${base(office)}/bookings/${encodeURIComponent(code)}/qr.svg`,
  /** POST BookingCheckInBody → 201 BookingCheckedIn (paired kiosk, or staff). */
  checkIn: (office: string) => `${base(office)}/bookings/check-in`,
  /** POST BookingStaffBody → 201 BookingCreated (clerk or above; no proof of work; confirmed at once). */
  staffCreate: (office: string) => `${base(office)}/staff/bookings`,
  /** GET ?day=&service= → BookingDayResponse (supervisor or above). */
  staffDay: (office: string) => `${base(office)}/staff/bookings`,
  /** POST {reason?} → BookingResponse (staff cancel, supervisor or above). */
  staffCancel: (office: string, code: string) => `${base(office)}/staff/bookings/${encodeURIComponent(code)}/cancel`,
  /** POST BookingSlotBlockBody → BookingSlotBlocked (supervisor or above). */
  block: (office: string) => `${base(office)}/staff/booking-slots/block`,
  /** POST BookingSlotUnblockBody → 204 (supervisor or above). */
  unblock: (office: string) => `${base(office)}/staff/booking-slots/unblock`,
} as const;

/** The route patterns as Express and the OpenAPI document spell them. */
export const BOOKING_ROUTES = {
  slots: '/api/v1/offices/:office/booking-slots',
  challenge: '/api/v1/offices/:office/booking-challenge',
  hold: '/api/v1/offices/:office/bookings',
  precheckFailed: '/api/v1/offices/:office/booking-prechecks',
  checkIn: '/api/v1/offices/:office/bookings/check-in',
  one: '/api/v1/offices/:office/bookings/:booking',
  confirm: '/api/v1/offices/:office/bookings/:booking/confirm',
  cancel: '/api/v1/offices/:office/bookings/:booking/cancel',
  change: '/api/v1/offices/:office/bookings/:booking/change',
  ics: '/api/v1/offices/:office/bookings/:booking/booking.ics',
  qr: '/api/v1/offices/:office/bookings/:booking/qr.svg',
  staffCreate: '/api/v1/offices/:office/staff/bookings',
  staffDay: '/api/v1/offices/:office/staff/bookings',
  staffCancel: '/api/v1/offices/:office/staff/bookings/:booking/cancel',
  block: '/api/v1/offices/:office/staff/booking-slots/block',
  unblock: '/api/v1/offices/:office/staff/booking-slots/unblock',
} as const;

// ---------------------------------------------------------------- codes and QR

/** The booking code's alphabet: no 0/O, 1/I (and no L, U, to stay unambiguous when read aloud). */
export const BOOKING_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 8 characters: 2 give the booking's day (days since 2020-01-01, mod 900), 6 are random. */
export const BOOKING_CODE_LENGTH = 8;
export const bookingCodeSchema = z
  .string()
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(new RegExp(`^[${BOOKING_CODE_ALPHABET}]{${BOOKING_CODE_LENGTH}}$`), 'a booking code of 8 letters and digits'))
  .meta({ description: 'Booking code, 8 characters of 23456789ABCDEFGHJKMNPQRSTVWXYZ (lower case, spaces and dashes accepted).' });

/** The manage secret (`k`): 16 base64url characters, an HMAC of the office and code. */
export const manageKeySchema = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'the key from the booking link');

/** What the booking QR holds: "GB:<office>:<code>". The kiosk's scanner path recognises this prefix. */
export const BOOKING_QR_PREFIX = 'GB:';
export function bookingQrPayload(officeId: string, code: string): string {
  return `${BOOKING_QR_PREFIX}${officeId}:${code}`;
}
/** A scanned or typed text read as a booking: "GB:kupang:ABCD2345" or the bare code. */
export function parseBookingScan(text: string): { officeId: string | null; code: string } | null {
  const t = text.trim();
  const m = /^GB:([A-Za-z0-9._-]{1,64}):([A-Za-z0-9 -]{8,12})$/i.exec(t);
  const raw = m ? m[2]! : t;
  const code = bookingCodeSchema.safeParse(raw);
  if (!code.success) return null;
  return { officeId: m ? m[1]! : null, code: code.data };
}

/** The citizen's manage page: /book/?office=ID&code=CODE&k=KEY. */
export function bookingManagePath(officeId: string, code: string, key: string): string {
  return `/book/?office=${encodeURIComponent(officeId)}&code=${encodeURIComponent(code)}&k=${encodeURIComponent(key)}`;
}

// ---------------------------------------------------------------- shared pieces

const serviceRef = z.string().min(1).max(64).describe('Service id ("ktp-el") or its ticket letter ("A").');
const subcaseId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const instant = z.iso.datetime({ offset: true }).describe('An instant, ISO 8601 (a slot start as the slots endpoint gives it).');
const date = z.iso.date().describe('Office-local date, YYYY-MM-DD.');
const personName = z.string().trim().min(2).max(60).describe('The name to be called by (shown to staff, never on a display).');
const nik = z.string().max(40).describe('NIK, 16 digits (spaces allowed). Validated as at the kiosk; stored only as a keyed hash and its last 4 digits.');
const phone = z
  .strictObject({
    number: z.string().min(6).max(24).describe('Indonesian mobile number, "0812…" or "+62812…".'),
    consent: z.literal(true).describe('The citizen agreed to receive reminders on this number.'),
  })
  .describe('Optional: reminders the day before and an hour before. Kept only until the booking\'s day ends.');
/** The altcha payload: base64 of {algorithm, challenge, number, salt, signature} (the altcha widget's value). */
const altcha = z.string().min(10).max(2000).describe('The solved proof of work (the altcha widget\'s base64 payload) of a challenge from booking-challenge.');

// ---------------------------------------------------------------- slots

export const slotsQuerySchema = z.strictObject({
  service: serviceRef,
  from: date.optional().describe('First day; default the first bookable day.'),
  to: date.optional().describe('Last day; default the end of the booking window (at most 62 days after from).'),
});
export type SlotsQuery = z.infer<typeof slotsQuerySchema>;

export const bookingSlotSchema = z
  .object({
    start: z.string().meta({ format: 'date-time' }).describe('Slot start (UTC ISO): the `slot` of a hold.'),
    end: z.string().meta({ format: 'date-time' }),
    time: z.string().describe('Office-local "HH:MM" of the start.'),
    capacity: z.number().int().min(0),
    left: z.number().int().min(0).describe('Places left now (holds in progress and recently cancelled places count as taken).'),
    full: z.boolean(),
    blocked: z.boolean().describe('Blocked by a supervisor (system down, staff shortage): no booking.'),
  })
  .meta({ id: 'BookingSlot' });
export type BookingSlot = z.infer<typeof bookingSlotSchema>;

export const DAY_STATUSES = ['open', 'full', 'closed', 'not_open_yet', 'past', 'quota_full'] as const;
export const bookingDaySchema = z
  .object({
    date,
    status: z.enum(DAY_STATUSES).describe("'open' has places; 'full' every slot taken (\"penuh\"); 'closed' office closed (weekday, holiday); 'not_open_yet' opens at opensAt; 'quota_full' the online daily quota is used."),
    label: bilingualSchema.describe('"Senin, 7 Desember 2026"'),
    note: bilingualSchema.nullable().describe('"Penuh", the holiday\'s name, "Dibuka pukul 06.00 WITA pada …".'),
    opensAt: z.string().meta({ format: 'date-time' }).nullable().describe("When status is 'not_open_yet': the instant booking opens."),
    left: z.number().int().min(0).describe('Places left on the day (all slots).'),
    slots: z.array(bookingSlotSchema),
  })
  .meta({ id: 'BookingDay' });
export type BookingDay = z.infer<typeof bookingDaySchema>;

export const bookingSlotsResponseSchema = z
  .object({
    officeId: z.string(),
    serviceId: z.string(),
    serverTime: z.string().meta({ format: 'date-time' }),
    slotMinutes: z.number().int(),
    days: z.array(bookingDaySchema),
    nextWithRoom: z.object({ date, start: z.string() }).nullable().describe('The first day (and slot) with room from `from` on, up to the window\'s end; null = none.'),
  })
  .meta({ id: 'BookingSlotsResponse' });
export type BookingSlotsResponse = z.infer<typeof bookingSlotsResponseSchema>;

// ---------------------------------------------------------------- proof of work

export const bookingChallengeSchema = z
  .object({
    algorithm: z.literal('SHA-256'),
    challenge: z.string(),
    maxnumber: z.number().int(),
    salt: z.string(),
    signature: z.string(),
  })
  .meta({ id: 'BookingChallenge', description: 'An altcha (v1) challenge: give it to the altcha widget or solveChallenge; it expires after a few minutes and is good for one hold.' });
export type BookingChallenge = z.infer<typeof bookingChallengeSchema>;

// ---------------------------------------------------------------- citizen requests

export const bookingHoldBodySchema = z
  .strictObject({
    service: serviceRef,
    subcase: subcaseId,
    slot: instant,
    answers: precheckAnswersSchema.describe('The pre-check answers (as the kiosk sends): every mandatory item must be brought.'),
    nik,
    name: personName,
    phone: phone.optional(),
    altcha,
    confirm: z.boolean().default(false).describe('true = hold and confirm in one step (the page asks nothing after the hold).'),
  })
  .meta({ id: 'BookingHoldBody' });
export type BookingHoldBody = z.input<typeof bookingHoldBodySchema>;

export const bookingKeyBodySchema = z.strictObject({ k: manageKeySchema }).meta({ id: 'BookingKeyBody' });
export const bookingKeyQuerySchema = z.object({ k: manageKeySchema });

export const bookingChangeBodySchema = z
  .strictObject({ k: manageKeySchema, slot: instant, altcha: altcha.optional().describe('Not needed: the manage key already proves the holder.') })
  .meta({ id: 'BookingChangeBody' });

export const bookingPrecheckFailedBodySchema = z
  .strictObject({ service: serviceRef, subcase: subcaseId, missing: z.array(subcaseId).min(1).max(50), answers: precheckAnswersSchema.optional() })
  .meta({ id: 'BookingPrecheckFailedBody' });

// ---------------------------------------------------------------- staff and kiosk requests

export const bookingCheckInBodySchema = z
  .strictObject({
    code: z.string().min(8).max(90).describe('The code as typed ("ABCD 2345") or the QR payload as scanned ("GB:kupang:ABCD2345").'),
    idempotencyKey: z.string().min(8).max(128).regex(/^[A-Za-z0-9:._-]+$/).optional(),
  })
  .meta({ id: 'BookingCheckInBody' });

export const bookingStaffBodySchema = z
  .strictObject({
    service: serviceRef,
    subcase: subcaseId,
    slot: instant,
    answers: precheckAnswersSchema.optional().describe('Optional at the counter: staff judge the documents.'),
    nik,
    name: personName,
    phone: phone.optional(),
  })
  .meta({ id: 'BookingStaffBody' });

export const bookingDayQuerySchema = z.object({ day: date.optional().describe('Default today.'), service: serviceRef.optional() });

export const bookingSlotBlockBodySchema = z
  .strictObject({
    service: serviceRef.nullable().describe('null = every service.'),
    slot: instant,
    reason: z.string().trim().min(1).max(200),
  })
  .meta({ id: 'BookingSlotBlockBody' });
export const bookingSlotUnblockBodySchema = bookingSlotBlockBodySchema.pick({ service: true, slot: true }).meta({ id: 'BookingSlotUnblockBody' });

export const bookingStaffCancelBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(200).optional() }).meta({ id: 'BookingStaffCancelBody' });

// ---------------------------------------------------------------- responses

/** A booking as its holder sees it (with the manage key): no NIK but its last 4, no phone. */
export const bookingViewSchema = z
  .object({
    code: z.string(),
    officeId: z.string(),
    serviceId: z.string(),
    serviceName: bilingualSchema,
    subcase: z.string(),
    subcaseName: bilingualSchema,
    day: date,
    slot: z.string().meta({ format: 'date-time' }),
    slotEnd: z.string().meta({ format: 'date-time' }),
    slotText: bilingualSchema.describe('"Senin, 7 Desember 2026 pukul 09.00 WITA".'),
    state: bookingStateSchema,
    holdExpiresAt: z.string().meta({ format: 'date-time' }).nullable().describe("While state is 'held': when the place is given back."),
    name: z.string(),
    nikMasked: z.string().describe('"••••••••••••1234"'),
    reminders: z.boolean().describe('A phone was given for reminders.'),
    checkIn: z.object({ from: z.string().meta({ format: 'date-time' }), to: z.string().meta({ format: 'date-time' }) }).describe('The window for check-in at the kiosk.'),
    whatToBring: z.array(bilingualSchema).describe('The sub-case\'s documents, in checklist order.'),
    fee: z.number().describe('0: "GRATIS".'),
    feeText: bilingualSchema,
    office: z.object({ name: bilingualSchema, shortName: z.string(), address: z.string().nullable(), timeZone: z.string() }),
    qrPayload: z.string().describe('"GB:<office>:<code>": what the QR holds (the kiosk scanner reads it).'),
    ticketId: z.string().nullable().describe('After check-in: the ticket issued.'),
  })
  .meta({ id: 'BookingView' });
export type BookingView = z.infer<typeof bookingViewSchema>;

export const bookingResponseSchema = z.object({ booking: bookingViewSchema }).meta({ id: 'BookingResponse' });
export type BookingResponse = z.infer<typeof bookingResponseSchema>;

export const bookingCreatedSchema = z
  .object({
    booking: bookingViewSchema,
    manageKey: z.string().describe('The `k` of the manage link: shown once, keep it (it guards cancel and change).'),
    manageUrl: z.string().describe('/book/?office=…&code=…&k=…'),
    icsUrl: z.string(),
    qrUrl: z.string().describe('SVG of the booking QR.'),
  })
  .meta({ id: 'BookingCreated' });
export type BookingCreated = z.infer<typeof bookingCreatedSchema>;

export const bookingCheckedInSchema = z
  .object({
    booking: bookingViewSchema,
    ticket: ticketSchema,
    holderKey: z.string().describe("The ticket's holder key (for its tracking QR), to the kiosk only."),
    replayed: z.boolean(),
  })
  .meta({ id: 'BookingCheckedIn' });
export type BookingCheckedIn = z.infer<typeof bookingCheckedInSchema>;

/** A booking as staff see it: the name and the NIK's last 4, never the hash or the phone. */
export const bookingStaffViewSchema = z
  .object({
    code: z.string(),
    serviceId: z.string(),
    subcase: z.string(),
    slot: z.string().meta({ format: 'date-time' }),
    state: bookingStateSchema,
    name: z.string(),
    nikLast4: z.string(),
    channel: z.enum(['online', 'staff']),
    ticketId: z.string().nullable(),
    precheck: precheckResultSchema.nullable(),
  })
  .meta({ id: 'BookingStaffView' });
export type BookingStaffView = z.infer<typeof bookingStaffViewSchema>;

export const bookingDayResponseSchema = z
  .object({
    officeId: z.string(),
    day: date,
    slots: z.array(
      z.object({
        serviceId: z.string(),
        start: z.string(),
        time: z.string(),
        capacity: z.number().int(),
        taken: z.number().int(),
        blocked: z.string().nullable().describe('The block reason, or null.'),
        bookings: z.array(bookingStaffViewSchema),
      }),
    ),
    counts: z.object({ confirmed: z.number().int(), checkedIn: z.number().int(), noShow: z.number().int(), cancelled: z.number().int() }),
  })
  .meta({ id: 'BookingDayResponse' });
export type BookingDayResponse = z.infer<typeof bookingDayResponseSchema>;

export const bookingSlotBlockedSchema = z
  .object({ cancelled: z.array(z.string()).describe('Codes of the bookings cancelled by the block (their holders are told).') })
  .meta({ id: 'BookingSlotBlocked' });
