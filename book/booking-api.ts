// The booking page's requests and the shapes it reads, in one place (the
// server's schemas are protocol/booking.ts).
import type { PrecheckAnswers } from '../protocol/rules.ts';
import { api, type ApiResult } from '../ui/api.ts';
import type { PowChallenge } from './pow.ts';

export interface SlotView {
  /** ISO instant of the slot's start. */
  start: string;
  /** Office-local "HH:MM". */
  time: string;
  left: number;
  blocked: boolean;
}

export interface DayView {
  /** Office-local YYYY-MM-DD. */
  date: string;
  open: boolean;
  slots: SlotView[];
}

export interface BookingView {
  code: string;
  service: string;
  subcase: string | null;
  slotStart: string;
  slotEnd: string;
  status: 'confirmed' | 'checked_in' | 'cancelled' | 'no_show';
  name: string;
  nikLast4: string;
  checkInFrom: string;
  checkInUntil: string;
}

export interface Confirmation {
  booking: BookingView;
  manageUrl: string;
  address: string | null;
}

export interface ManagedBooking {
  booking: BookingView;
}

const o = (office: string) => `/api/v1/offices/${encodeURIComponent(office)}`;
const TIMEOUT = 20_000;

export function slots(office: string, service: string): Promise<ApiResult<{ days: DayView[]; serverTime: string }>> {
  return api('GET', `${o(office)}/booking-slots?service=${encodeURIComponent(service)}`, undefined, {}, TIMEOUT);
}

export function challenge(office: string): Promise<ApiResult<PowChallenge>> {
  return api('GET', `${o(office)}/booking-challenge`, undefined, {}, TIMEOUT);
}

export function hold(office: string, body: { service: string; slot: string; pow: string }): Promise<ApiResult<{ holdId: string; expiresAt: string }>> {
  return api('POST', `${o(office)}/booking-holds`, body, {}, TIMEOUT);
}

export function releaseHold(office: string, id: string): Promise<ApiResult<null>> {
  return api('DELETE', `${o(office)}/booking-holds/${encodeURIComponent(id)}`, undefined, {}, TIMEOUT);
}

export interface ConfirmBody {
  holdId: string;
  nik: string;
  name: string;
  phone: string | null;
  consent: boolean;
  subcase: string | null;
  answers: PrecheckAnswers;
  lang: 'id' | 'en';
}

export function confirm(office: string, body: ConfirmBody): Promise<ApiResult<Confirmation>> {
  return api('POST', `${o(office)}/bookings`, body, {}, TIMEOUT);
}

const manage = (office: string, code: string) => `${o(office)}/bookings/${encodeURIComponent(code)}`;
const secretHeader = (secret: string) => ({ 'x-booking-secret': secret });

export function getBooking(office: string, code: string, secret: string): Promise<ApiResult<ManagedBooking>> {
  return api('GET', manage(office, code), undefined, secretHeader(secret), TIMEOUT);
}

export function cancel(office: string, code: string, secret: string): Promise<ApiResult<ManagedBooking>> {
  return api('POST', `${manage(office, code)}/cancel`, {}, secretHeader(secret), TIMEOUT);
}

export function change(office: string, code: string, secret: string, body: { slot: string; pow: string }): Promise<ApiResult<ManagedBooking>> {
  return api('POST', `${manage(office, code)}/change`, body, secretHeader(secret), TIMEOUT);
}
