// The booking page's rules as plain functions: which day still has room, how
// a code is shown, a phone number, and the saved draft (what the citizen
// typed, kept in sessionStorage so that a reload or a dropped line loses
// nothing). No state and no I/O here.
import type { PrecheckAnswers } from '../protocol/rules.ts';
import type { BookingDay } from './booking-api.ts';

export type Step = 'service' | 'subcase' | 'precheck' | 'bring' | 'slot' | 'person';

export interface Draft {
  step: Step;
  serviceId: string | null;
  subcaseId: string | null;
  answers: PrecheckAnswers;
  date: string | null;
  /** The chosen slot's start (ISO). */
  slot: string | null;
  nik: string;
  name: string;
  phone: string;
  consent: boolean;
}

export const STEPS: readonly Step[] = ['service', 'subcase', 'precheck', 'bring', 'slot', 'person'];

export function emptyDraft(): Draft {
  return { step: 'service', serviceId: null, subcaseId: null, answers: { brought: {}, conditions: {} }, date: null, slot: null, nik: '', name: '', phone: '', consent: false };
}

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');
const strOrNull = (v: unknown, max = 100): string | null => (typeof v === 'string' && v.length <= max ? v : null);

/** A saved draft read back; anything that is not a draft's shape gives an empty one. */
export function parseDraft(text: string | null): Draft {
  const d = emptyDraft();
  if (!text) return d;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return d;
  }
  if (!o || typeof o !== 'object') return d;
  if (STEPS.includes(o.step as Step)) d.step = o.step as Step;
  d.serviceId = strOrNull(o.serviceId);
  d.subcaseId = strOrNull(o.subcaseId);
  const a = o.answers as Record<string, unknown> | undefined;
  if (a && typeof a === 'object' && a.brought && typeof a.brought === 'object' && a.conditions && typeof a.conditions === 'object') {
    d.answers = { brought: { ...(a.brought as PrecheckAnswers['brought']) }, conditions: { ...(a.conditions as PrecheckAnswers['conditions']) } };
  }
  d.date = strOrNull(o.date, 10);
  d.slot = strOrNull(o.slot, 40);
  d.nik = str(o.nik, 16).replace(/\D/g, '');
  d.name = str(o.name, 60);
  d.phone = str(o.phone, 20);
  d.consent = o.consent === true;
  return d;
}

/** The first open day after `date` with a place left in an unblocked slot, or null. */
export function nextDayWithRoom(days: readonly BookingDay[], date: string | null): BookingDay | null {
  return days.find((d) => (date === null || d.date > date) && hasRoom(d)) ?? null;
}

export function hasRoom(d: BookingDay): boolean {
  return d.status === 'open' && d.slots.some((s) => !s.blocked && s.left > 0);
}

/** Days a citizen can pick: those the office is open on (full ones too, to say "penuh"). */
export function shownDays(days: readonly BookingDay[]): BookingDay[] {
  return days.filter((d) => d.status === 'open' || d.status === 'full' || d.status === 'quota_full');
}

/** "K7M 4QX": a code read aloud or typed in groups of three or four. */
export function spacedCode(code: string): string {
  const c = code.replace(/\s+/g, '');
  const size = c.length > 6 && c.length % 4 === 0 ? 4 : 3;
  return c.replace(new RegExp(`(.{${size}})(?=.)`, 'g'), '$1 ');
}

/** An Indonesian mobile number typed any usual way (08…, +62 8…, 62 8…), or null when it is not one. */
export function normalPhone(input: string): string | null {
  const digits = input.replace(/[\s\-().]/g, '');
  const m = /^(?:\+?62|0)(8\d{7,12})$/.exec(digits);
  return m ? `+62${m[1]}` : null;
}
