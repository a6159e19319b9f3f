// The booking page's requests, in one place. Only types come from
// protocol/booking.ts: its schemas (zod) stay out of the page's bundle, so the
// paths are spelled here as BOOKING_PATHS spells them (test/ui/book-state.test.ts
// checks they agree).
import type { BookingChallenge, BookingCreated, BookingHoldBody, BookingResponse, BookingSlotsResponse } from '../protocol/booking.ts';
import { api, type ApiResult } from '../ui/api.ts';

export type { BookingCreated, BookingDay, BookingSlot, BookingView } from '../protocol/booking.ts';

const TIMEOUT = 20_000;
export const PATHS = {
  slots: (o: string) => `/api/v1/offices/${encodeURIComponent(o)}/booking-slots`,
  challenge: (o: string) => `/api/v1/offices/${encodeURIComponent(o)}/booking-challenge`,
  hold: (o: string) => `/api/v1/offices/${encodeURIComponent(o)}/bookings`,
  precheckFailed: (o: string) => `/api/v1/offices/${encodeURIComponent(o)}/booking-prechecks`,
  one: (o: string, code: string) => `/api/v1/offices/${encodeURIComponent(o)}/bookings/${encodeURIComponent(code)}`,
};

export function slots(office: string, service: string): Promise<ApiResult<BookingSlotsResponse>> {
  return api('GET', `${PATHS.slots(office)}?service=${encodeURIComponent(service)}`, undefined, {}, TIMEOUT);
}

export function challenge(office: string): Promise<ApiResult<BookingChallenge>> {
  return api('POST', PATHS.challenge(office), {}, {}, TIMEOUT);
}

/** Holds and confirms in one request (`confirm: true`): the page asks nothing after it. */
export function book(office: string, body: BookingHoldBody): Promise<ApiResult<BookingCreated>> {
  return api('POST', PATHS.hold(office), body, {}, TIMEOUT);
}

export function precheckFailed(office: string, body: { service: string; subcase: string; missing: string[]; answers: BookingHoldBody['answers'] }): Promise<ApiResult<null>> {
  return api('POST', PATHS.precheckFailed(office), body, {}, TIMEOUT);
}

export function getBooking(office: string, code: string, k: string): Promise<ApiResult<BookingResponse>> {
  return api('GET', `${PATHS.one(office, code)}?k=${encodeURIComponent(k)}`, undefined, {}, TIMEOUT);
}

export function cancel(office: string, code: string, k: string): Promise<ApiResult<BookingResponse>> {
  return api('POST', `${PATHS.one(office, code)}/cancel`, { k }, {}, TIMEOUT);
}

export function change(office: string, code: string, k: string, slot: string): Promise<ApiResult<BookingCreated>> {
  return api('POST', `${PATHS.one(office, code)}/change`, { k, slot }, {}, TIMEOUT);
}
