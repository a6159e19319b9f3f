// The OpenAPI operations of server/http/booking.ts (docs/booking.md);
// server/http/openapi.ts adds them to the document under the tag `booking`.
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import {
  bookingChallengeSchema,
  bookingChangeBodySchema,
  bookingCheckedInSchema,
  bookingCheckInBodySchema,
  bookingCreatedSchema,
  bookingDayQuerySchema,
  bookingDayResponseSchema,
  bookingHoldBodySchema,
  bookingKeyBodySchema,
  bookingKeyQuerySchema,
  bookingPrecheckFailedBodySchema,
  bookingResponseSchema,
  bookingSlotBlockBodySchema,
  bookingSlotBlockedSchema,
  bookingSlotsResponseSchema,
  bookingSlotUnblockBodySchema,
  bookingStaffBodySchema,
  bookingStaffCancelBodySchema,
  slotsQuerySchema,
} from '../../protocol/booking.ts';
import type { ErrorCode } from '../../protocol/errors.ts';

type Security = Array<Record<string, string[]>>;
const NONE: Security = [];
const STAFF: Security = [{ staffSession: [] }];
const STAFF_OR_DEVICE: Security = [{ staffSession: [] }, { deviceBearer: [] }, { deviceToken: [] }];

export interface BookingOperation {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  tag: 'booking';
  summary: string;
  description: string;
  security: Security;
  body?: [string, z.ZodType];
  query?: z.ZodObject;
  responses: Record<string, ZodOpenApiResponseObject>;
  errors: ErrorCode[];
}

const json = (schema: z.ZodType, description: string): ZodOpenApiResponseObject => ({ description, content: { 'application/json': { schema } } });
const none = (description: string): ZodOpenApiResponseObject => ({ description });

const HOLD_ERRORS: ErrorCode[] = [
  'office_not_found', 'service_not_found', 'booking_disabled', 'booking_date_past', 'booking_day_closed', 'booking_day_not_open', 'booking_slot_not_found', 'booking_slot_full',
  'booking_slot_blocked', 'booking_quota_full', 'nik_invalid', 'booking_age_ineligible', 'booking_nik_duplicate', 'booking_nik_week_limit', 'booking_nik_blocked', 'booking_precheck_missing', 'rate_limited', 'unavailable',
];
const MANAGE: ErrorCode[] = ['office_not_found', 'booking_not_found', 'manage_key_invalid'];

export function bookingOperations(): BookingOperation[] {
  const o = '/api/v1/offices/{office}';
  return [
    {
      method: 'get', path: `${o}/booking-slots`, operationId: 'getBookingSlots', tag: 'booking', summary: 'Places left per slot',
      description: 'Public. The days from `from` to `to` (default: the booking window) with their status ("penuh", closed, not open yet) and each slot\'s places left; `nextWithRoom` points to the first day with room. Computed from per-slot counters: flat in the number of bookings.',
      security: NONE, query: slotsQuerySchema, responses: { 200: json(bookingSlotsResponseSchema, 'The slots.') }, errors: ['office_not_found', 'service_not_found', 'booking_disabled', 'unavailable'],
    },
    {
      method: 'post', path: `${o}/booking-challenge`, operationId: 'createBookingChallenge', tag: 'booking', summary: 'A proof-of-work challenge',
      description: 'Public. An altcha (v1) challenge for the next hold, good once, for a few minutes. Self-hosted: no third-party service.',
      security: NONE, responses: { 200: json(bookingChallengeSchema, 'The challenge.') }, errors: ['office_not_found', 'rate_limited'],
    },
    {
      method: 'post', path: `${o}/bookings`, operationId: 'holdBooking', tag: 'booking', summary: 'Hold (and optionally confirm) a place',
      description: 'Public, with a solved proof of work (`altcha`, used once). Decided in the one writer of the slot\'s day, durable before the answer: no overbooking. The NIK is kept only as a keyed hash and its last 4 digits. `confirm: true` confirms at once; else confirm within `holdSeconds`.',
      security: NONE, body: ['BookingHoldBody', bookingHoldBodySchema], responses: { 201: json(bookingCreatedSchema, 'Held (or confirmed).') },
      errors: [...HOLD_ERRORS, 'pow_invalid', 'pow_reused'],
    },
    {
      method: 'post', path: `${o}/booking-prechecks`, operationId: 'recordBookingPrecheck', tag: 'booking', summary: 'A pre-check that ended in "what to bring"',
      description: 'Public. Recorded like the kiosk\'s (`precheck_failed`, source `booking`) in today\'s journal so reports count it. Anonymous.',
      security: NONE, body: ['BookingPrecheckFailedBody', bookingPrecheckFailedBodySchema], responses: { 204: none('Recorded.') }, errors: ['office_not_found', 'service_not_found', 'rate_limited'],
    },
    {
      method: 'post', path: `${o}/bookings/check-in`, operationId: 'checkInBooking', tag: 'booking', summary: 'Check in at the kiosk',
      description: '**Who may call it:** a paired kiosk (or agent) of the office, or staff. `code` as typed or the QR payload `GB:<office>:<code>`. Inside the window (checkInBeforeMinutes before to checkInAfterMinutes after the slot start) a ticket of source `booking` with its slot is issued (printed like a kiosk ticket) in the same commit as `booking_checked_in`.',
      security: STAFF_OR_DEVICE, body: ['BookingCheckInBody', bookingCheckInBodySchema], responses: { 201: json(bookingCheckedInSchema, 'Checked in.'), 200: json(bookingCheckedInSchema, 'A repeat of the same idempotency key.') },
      errors: ['unauthenticated', 'forbidden', 'office_not_found', 'booking_not_found', 'booking_other_office', 'booking_other_day', 'check_in_too_early', 'check_in_too_late', 'booking_not_active', 'booking_already_checked_in', 'service_closed', 'unavailable'],
    },
    {
      method: 'get', path: `${o}/bookings/{booking}`, operationId: 'getBooking', tag: 'booking', summary: 'A booking (manage page)',
      description: 'With the manage key `k`.', security: NONE, query: bookingKeyQuerySchema, responses: { 200: json(bookingResponseSchema, 'The booking.') }, errors: MANAGE,
    },
    {
      method: 'post', path: `${o}/bookings/{booking}/confirm`, operationId: 'confirmBooking', tag: 'booking', summary: 'Confirm a hold',
      description: 'With the manage key. A hold that ran out: `booking_hold_expired`.', security: NONE, body: ['BookingKeyBody', bookingKeyBodySchema],
      responses: { 200: json(bookingResponseSchema, 'Confirmed.') }, errors: [...MANAGE, 'booking_hold_expired', 'booking_not_active', 'unavailable'],
    },
    {
      method: 'post', path: `${o}/bookings/{booking}/cancel`, operationId: 'cancelBooking', tag: 'booking', summary: 'Cancel a booking',
      description: 'With the manage key. A confirmed place comes back after `releaseDelayMinutes` (against reselling); a hold is given back at once.', security: NONE, body: ['BookingKeyBody', bookingKeyBodySchema],
      responses: { 200: json(bookingResponseSchema, 'Cancelled.') }, errors: [...MANAGE, 'booking_not_active', 'booking_already_checked_in', 'unavailable'],
    },
    {
      method: 'post', path: `${o}/bookings/{booking}/change`, operationId: 'changeBooking', tag: 'booking', summary: 'Move a booking to another slot',
      description: 'With the manage key: a new booking (new code and key) in the new slot, confirmed, then the old one cancelled (`changed`).', security: NONE, body: ['BookingChangeBody', bookingChangeBodySchema],
      responses: { 201: json(bookingCreatedSchema, 'The new booking.') }, errors: [...MANAGE, ...HOLD_ERRORS, 'booking_not_active', 'booking_already_checked_in'],
    },
    {
      method: 'get', path: `${o}/bookings/{booking}/booking.ics`, operationId: 'getBookingCalendar', tag: 'booking', summary: 'The booking as a calendar file',
      description: 'With the manage key.', security: NONE, query: bookingKeyQuerySchema,
      responses: { 200: { description: 'iCalendar.', content: { 'text/calendar': { schema: z.string() } } } }, errors: MANAGE,
    },
    {
      method: 'get', path: `${o}/bookings/{booking}/qr.svg`, operationId: 'getBookingQr', tag: 'booking', summary: 'The booking QR',
      description: 'With the manage key. The QR holds `GB:<office>:<code>`.', security: NONE, query: bookingKeyQuerySchema,
      responses: { 200: { description: 'SVG.', content: { 'image/svg+xml': { schema: z.string() } } } }, errors: MANAGE,
    },
    {
      method: 'post', path: `${o}/staff/bookings`, operationId: 'createStaffBooking', tag: 'booking', summary: 'Book on behalf of a citizen',
      description: '**Who may call it:** clerk, supervisor or admin of the office. No proof of work; confirmed at once; audited.', security: STAFF,
      body: ['BookingStaffBody', bookingStaffBodySchema], responses: { 201: json(bookingCreatedSchema, 'Booked.') }, errors: [...HOLD_ERRORS, 'unauthenticated', 'forbidden'],
    },
    {
      method: 'get', path: `${o}/staff/bookings`, operationId: 'getBookingDay', tag: 'booking', summary: 'A day\'s bookings per slot',
      description: '**Who may call it:** supervisor or admin of the office. Names and NIK last 4 only.', security: STAFF, query: bookingDayQuerySchema,
      responses: { 200: json(bookingDayResponseSchema, 'The day.') }, errors: ['unauthenticated', 'forbidden', 'office_not_found', 'service_not_found', 'unavailable'],
    },
    {
      method: 'post', path: `${o}/staff/bookings/{booking}/cancel`, operationId: 'cancelBookingByStaff', tag: 'booking', summary: 'Cancel a booking (staff)',
      description: '**Who may call it:** supervisor or admin. Audited.', security: STAFF, body: ['BookingStaffCancelBody', bookingStaffCancelBodySchema],
      responses: { 200: json(bookingResponseSchema, 'Cancelled.') }, errors: ['unauthenticated', 'forbidden', 'office_not_found', 'booking_not_found', 'booking_not_active', 'booking_already_checked_in'],
    },
    {
      method: 'post', path: `${o}/staff/booking-slots/block`, operationId: 'blockBookingSlot', tag: 'booking', summary: 'Block a slot',
      description: '**Who may call it:** supervisor or admin. The slot\'s live bookings are cancelled (`slot_blocked`) and their holders told. Audited.', security: STAFF,
      body: ['BookingSlotBlockBody', bookingSlotBlockBodySchema], responses: { 200: json(bookingSlotBlockedSchema, 'Blocked.') }, errors: ['unauthenticated', 'forbidden', 'office_not_found', 'service_not_found', 'booking_slot_not_found', 'booking_slot_blocked'],
    },
    {
      method: 'post', path: `${o}/staff/booking-slots/unblock`, operationId: 'unblockBookingSlot', tag: 'booking', summary: 'Unblock a slot',
      description: '**Who may call it:** supervisor or admin. Audited.', security: STAFF, body: ['BookingSlotUnblockBody', bookingSlotUnblockBodySchema],
      responses: { 204: none('Unblocked.') }, errors: ['unauthenticated', 'forbidden', 'office_not_found', 'service_not_found', 'booking_slot_not_found', 'invalid_state'],
    },
  ];
}
