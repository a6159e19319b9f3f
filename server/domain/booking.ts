// The booking rules (issue 12, docs/booking.md): which days and slots exist,
// how many places a slot has and has left, and what a hold, confirm, cancel,
// check-in, no-show sweep or slot block records in the journal of the slot's
// day. Pure: the instant, the actor, the new code and what other days know
// (the NIK's week and no-shows) are passed in; nothing here reads a clock.
import type { ErrorCode } from '../../protocol/errors.ts';
import { BOOKING_CODE_ALPHABET } from '../../protocol/booking.ts';
import type { Actor, Booking, BookingSettings, OfficeConfig, PrecheckResult, QueueEvent, ServiceConfig, Subcase } from '../../protocol/model.ts';
import { ageOn, parseNik, type NikProblem } from '../../protocol/nik.ts';
import { evaluatePrecheck, type PrecheckAnswers } from '../../protocol/rules.ts';
import { addDays, periodsOn, weekdayOf, zonedInstant } from './availability.ts';
import { newTicket, resolveService } from './commands.ts';
import { slotKey, type BookingIndex, type DayState, type SlotCount } from './state.ts';
import { localParts } from './time.ts';

export type BookingOutcome = { ok: true; events: QueueEvent[]; code: string | null; ticketId: string | null } | { ok: false; code: ErrorCode; at?: string };

export interface BookingContext {
  now: Date;
  actor: Actor;
}

/** A slot of a day: start and end instants (ISO, UTC) and the local start time. */
export interface SlotDef {
  start: string;
  end: string;
  time: string;
}

// ---------------------------------------------------------------- configuration

/** The office's booking settings, when booking is on. */
export function bookingSettings(office: OfficeConfig): BookingSettings | null {
  return office.booking?.enabled ? office.booking : null;
}

/** Whether a service can be booked online at this office. */
export function bookable(office: OfficeConfig, service: ServiceConfig): boolean {
  return !!bookingSettings(office) && service.active && !!service.booking?.enabled;
}

/** Places per slot: explicit, or counters serving the service × slot length ÷ service time. */
export function slotCapacity(office: OfficeConfig, service: ServiceConfig): number {
  const b = service.booking;
  const s = office.booking;
  if (!b || !s) return 0;
  if (b.places !== null) return b.places;
  const counters = office.counters.filter((c) => c.services.includes(service.id)).length;
  return Math.floor((counters * s.slotMinutes) / b.serviceMinutes);
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function hhmm(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * Slots per configuration object and date: a saved configuration is a new
 * object (ConfigStore.update), so a cached list never outlives its settings.
 * Zone arithmetic is the largest cost of a slot listing.
 */
const slotCache = new WeakMap<OfficeConfig, Map<string, readonly SlotDef[]>>();

/** The slots of a date: every slotMinutes from each opening period's start, ending by the period's end (breaks are the gaps). */
export function slotsOn(office: OfficeConfig, date: string): readonly SlotDef[] {
  let byDate = slotCache.get(office);
  if (!byDate) slotCache.set(office, (byDate = new Map()));
  let slots = byDate.get(date);
  if (!slots) {
    slots = Object.freeze(computeSlots(office, date).map((x) => Object.freeze(x)));
    if (byDate.size > 400) byDate.clear();
    byDate.set(date, slots);
  }
  return slots;
}

function computeSlots(office: OfficeConfig, date: string): SlotDef[] {
  const s = office.booking;
  if (!s) return [];
  const out: SlotDef[] = [];
  for (const [from, to] of periodsOn(office.hours, date, office.closedDays ?? [])) {
    for (let t = minutes(from); t + s.slotMinutes <= minutes(to); t += s.slotMinutes) {
      const start = zonedInstant(date, hhmm(t), office.timeZone);
      out.push({ start: start.toISOString(), end: new Date(start.getTime() + s.slotMinutes * 60_000).toISOString(), time: hhmm(t) });
    }
  }
  return out;
}

/** When a date opens for booking (opensAt on date − windowDays), per configuration object and date (zone arithmetic is not cheap). */
const opensCache = new WeakMap<OfficeConfig, Map<string, Date>>();

function opensAtOf(office: OfficeConfig, date: string): Date {
  const s = office.booking!;
  let byDate = opensCache.get(office);
  if (!byDate) opensCache.set(office, (byDate = new Map()));
  let at = byDate.get(date);
  if (!at) {
    at = zonedInstant(addDays(date, -s.windowDays), s.opensAt, office.timeZone);
    if (byDate.size > 400) byDate.clear();
    byDate.set(date, at);
  }
  return at;
}

/** The office-local start time ("HH:MM") of a slot of a date, from the slot list (no zone arithmetic). */
export function slotTime(office: OfficeConfig, date: string, slot: string): string | null {
  return slotsOn(office, date).find((x) => x.start === slot)?.time ?? null;
}

export type DayBookability = { status: 'open' } | { status: 'past' } | { status: 'closed' } | { status: 'not_open_yet'; opensAt: string };

/** Whether a date can be booked at `now`: not past (today only with sameDay), open, inside the window (the last day from opensAt). */
export function dayBookability(office: OfficeConfig, date: string, now: Date): DayBookability {
  const s = office.booking;
  if (!s) return { status: 'closed' };
  const today = localParts(now, office.timeZone).date;
  if (date < today || (date === today && !s.sameDay)) return { status: 'past' };
  if (periodsOn(office.hours, date, office.closedDays ?? []).length === 0) return { status: 'closed' };
  const opensAt = opensAtOf(office, date);
  if (now.getTime() < opensAt.getTime()) return { status: 'not_open_yet', opensAt: opensAt.toISOString() };
  return { status: 'open' };
}

// ---------------------------------------------------------------- places

function slotCount(ix: BookingIndex, serviceId: string, slot: string): SlotCount | undefined {
  return ix.slots.get(slotKey(serviceId, slot));
}

/**
 * A slot's holds that ran out by `nowIso` (codes). Holds added in expiry
 * order (one hold time, the usual case) are read only up to the first live
 * one: a rush's 200 holds of a slot are not walked for each of its 1,000 requests.
 */
export function expiredHolds(c: SlotCount, nowIso: string): string[] {
  const out: string[] = [];
  for (const [code, until] of c.holds) {
    if (until <= nowIso) out.push(code);
    else if (c.holdsOrdered) break;
  }
  return out;
}

/** Places taken at `now`: confirmed, live holds, cancelled places not back yet. O(expired holds + returning) of this slot only. */
export function takenIn(ix: BookingIndex, serviceId: string, slot: string, nowIso: string): number {
  const c = slotCount(ix, serviceId, slot);
  if (!c) return 0;
  let n = c.confirmed + c.holds.size - expiredHolds(c, nowIso).length;
  for (let i = c.returning.length - 1; i >= 0 && c.returning[i]! > nowIso; i--) n += 1;
  return n;
}

/**
 * The first instant after `nowIso` at which a service's places on this day
 * change by the clock alone (a hold runs out, a cancelled place comes back;
 * the online quota's count moves at the same instants), or null.
 */
export function placesChangeAt(ix: BookingIndex, serviceId: string, nowIso: string): string | null {
  let next: string | null = null;
  const prefix = `${serviceId} `;
  for (const [k, c] of ix.slots) {
    if (!k.startsWith(prefix)) continue;
    for (const until of c.holds.values()) {
      if (until <= nowIso) continue;
      if (next === null || until < next) next = until;
      if (c.holdsOrdered) break;
    }
    for (const back of c.returning) if (back > nowIso && (next === null || back < next)) next = back;
  }
  return next;
}

export function blockOf(ix: BookingIndex, serviceId: string, slot: string): string | null {
  return ix.blocked.get(slotKey(serviceId, slot)) ?? ix.blocked.get(slotKey(null, slot)) ?? null;
}

/** Active (held and live, confirmed, checked-in) bookings of a service on the day: the online quota's count. */
export function activeOf(ix: BookingIndex, serviceId: string, nowIso: string): number {
  let n = ix.activeByService.get(serviceId) ?? 0;
  // Holds that ran out but are not swept yet do not count.
  for (const [k, c] of ix.slots) {
    if (!k.startsWith(`${serviceId} `)) continue;
    n -= expiredHolds(c, nowIso).length;
  }
  return n;
}

function live(b: Booking, nowIso: string): boolean {
  if (b.state === 'held') return (b.holdExpiresAt ?? '') > nowIso;
  return b.state === 'confirmed' || b.state === 'checked_in';
}

/** The NIK's live bookings of the day: for one service, and in all. */
export function nikActive(ix: BookingIndex, nikHash: string, nowIso: string, serviceId?: string, except?: string): number {
  let n = 0;
  for (const code of ix.byNik.get(nikHash) ?? []) {
    if (code === except) continue;
    const b = ix.byCode.get(code);
    if (b && live(b, nowIso) && (serviceId === undefined || b.serviceId === serviceId)) n += 1;
  }
  return n;
}

// ---------------------------------------------------------------- NIK and codes

export type NikCheck = { ok: true; last4: string; digits: string } | { ok: false; code: 'nik_invalid'; problem: NikProblem } | { ok: false; code: 'booking_age_ineligible' };

/** The kiosk's NIK rules, and the sub-case's age rule on the slot's day. */
export function checkNik(nik: string, sub: Subcase | undefined, day: string): NikCheck {
  const parsed = parseNik(nik, day);
  if (!parsed.ok) return { ok: false, code: 'nik_invalid', problem: parsed.problem };
  const digits = nik.replace(/\s+/g, '');
  const e = sub?.eligibility;
  if (e && (e.minAge !== undefined || e.maxAge !== undefined)) {
    const age = ageOn(parsed.info.birthDate, day);
    if ((e.minAge !== undefined && age < e.minAge) || (e.maxAge !== undefined && age > e.maxAge)) return { ok: false, code: 'booking_age_ineligible' };
  }
  return { ok: true, last4: digits.slice(-4), digits };
}

const CODE_EPOCH = Date.UTC(2020, 0, 1);
const BASE = BOOKING_CODE_ALPHABET.length;

/** The two code characters that name a day (days since 2020-01-01, mod 900). */
export function dayPrefix(day: string): string {
  const n = Math.round((Date.parse(`${day}T00:00:00Z`) - CODE_EPOCH) / 86_400_000) % (BASE * BASE);
  return BOOKING_CODE_ALPHABET[Math.floor(n / BASE)]! + BOOKING_CODE_ALPHABET[n % BASE]!;
}

/** The day a code belongs to: the date with its prefix nearest to `today` (codes live at most a window ahead and a little behind). */
export function dayOfCode(code: string, today: string): string | null {
  const a = BOOKING_CODE_ALPHABET.indexOf(code[0] ?? '');
  const b = BOOKING_CODE_ALPHABET.indexOf(code[1] ?? '');
  if (a < 0 || b < 0) return null;
  const n = a * BASE + b;
  const t = Math.round((Date.parse(`${today}T00:00:00Z`) - CODE_EPOCH) / 86_400_000);
  const period = BASE * BASE;
  let d = t - (((t - n) % period) + period) % period;
  if (t - d > period / 2) d += period;
  return new Date(CODE_EPOCH + d * 86_400_000).toISOString().slice(0, 10);
}

/** A new code of a day from six random alphabet indexes (0 … 29) the shell drew. */
export function codeOf(day: string, random: readonly number[]): string {
  return dayPrefix(day) + random.map((i) => BOOKING_CODE_ALPHABET[i % BASE]!).join('');
}

/** The ISO week (Monday … Sunday) of a date. */
export function weekOf(date: string): string[] {
  const wd = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(weekdayOf(date));
  const monday = addDays(date, -wd);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

// ---------------------------------------------------------------- decisions

export interface HoldInput {
  service: string;
  subcase: string;
  /** Slot start as sent (any ISO spelling). */
  slot: string;
  nikHash: string;
  nikLast4: string;
  name: string;
  reminders: boolean;
  channel: 'online' | 'staff';
  /** The pre-check answers (online: required, every mandatory item brought). */
  answers: PrecheckAnswers | null;
  /** Confirm in the same commit (staff bookings, a change of slot, or the page's one-step form). */
  confirm: boolean;
  replaces: string | null;
  /** Candidate codes, tried in order until one is free on the day. */
  codes: readonly string[];
}

/** What the other days say about the NIK (the shell reads them through the same per-day index). */
export interface NikElsewhere {
  /** Live bookings of the NIK on the other days of the slot's week. */
  weekOthers: number;
  /** No-shows of the NIK within noShowBlock.days before the slot's day. */
  recentNoShows: number;
}

/** The slot of `state`'s day that starts at `slot`, or why not. */
export function findSlot(office: OfficeConfig, day: string, slot: string): SlotDef | null {
  const t = Date.parse(slot);
  if (Number.isNaN(t)) return null;
  const iso = new Date(t).toISOString();
  return slotsOn(office, day).find((s) => s.start === iso) ?? null;
}

/**
 * A bookable slot of an open day with no place left at `now`: the refusal
 * decideHold gives a hold of it when nothing before it refuses (read outside
 * the writer by BookingService.slotFull; decideHold decides again inside).
 */
export function slotFullNow(state: DayState, office: OfficeConfig, serviceRef: string, slot: string, now: Date): boolean {
  const service = resolveService(office, serviceRef);
  if (!service || !bookable(office, service)) return false;
  if (dayBookability(office, state.officeDay, now).status !== 'open') return false;
  const def = findSlot(office, state.officeDay, slot);
  const nowIso = now.toISOString();
  if (!def || def.start <= nowIso || blockOf(state.booking, service.id, def.start)) return false;
  return takenIn(state.booking, service.id, def.start, nowIso) >= slotCapacity(office, service);
}

/** Decides a hold (or a hold confirmed at once) in the journal of the slot's day. */
export function decideHold(state: DayState, office: OfficeConfig, input: HoldInput, elsewhere: NikElsewhere, ctx: BookingContext): BookingOutcome {
  const s = bookingSettings(office);
  const service = resolveService(office, input.service);
  if (!service) return { ok: false, code: 'service_not_found' };
  if (!s || !bookable(office, service)) return { ok: false, code: 'booking_disabled' };
  const sub = service.subcases.find((x) => x.id === input.subcase);
  if (!sub) return { ok: false, code: 'bad_request' };
  const day = state.officeDay;
  const nowIso = ctx.now.toISOString();
  // Staff book for a citizen at the counter outside the window's opening hour too, never in the past.
  const avail = dayBookability(office, day, ctx.now);
  if (avail.status === 'past') return { ok: false, code: 'booking_date_past' };
  if (avail.status === 'closed') return { ok: false, code: 'booking_day_closed' };
  if (avail.status === 'not_open_yet' && input.channel === 'online') return { ok: false, code: 'booking_day_not_open' };
  const slot = findSlot(office, day, input.slot);
  if (!slot) return { ok: false, code: 'booking_slot_not_found' };
  if (slot.start <= nowIso) return { ok: false, code: 'booking_date_past' };
  if (blockOf(state.booking, service.id, slot.start)) return { ok: false, code: 'booking_slot_blocked' };

  let precheck: PrecheckResult | null = null;
  if (input.answers) {
    const ev = evaluatePrecheck(sub, input.answers);
    if (ev.problems.length > 0) return { ok: false, code: 'bad_request' };
    if (ev.blocking.length > 0 && input.channel === 'online') return { ok: false, code: 'booking_precheck_missing' };
    precheck = ev.result;
  } else if (input.channel === 'online') return { ok: false, code: 'bad_request' };

  const ix = state.booking;
  if (s.noShowBlock && elsewhere.recentNoShows >= s.noShowBlock.count) return { ok: false, code: 'booking_nik_blocked' };
  if (nikActive(ix, input.nikHash, nowIso, service.id, input.replaces ?? undefined) > 0) return { ok: false, code: 'booking_nik_duplicate' };
  if (elsewhere.weekOthers + nikActive(ix, input.nikHash, nowIso, undefined, input.replaces ?? undefined) >= s.perNikPerWeek) return { ok: false, code: 'booking_nik_week_limit' };
  if (service.quota.online !== null && activeOf(ix, service.id, nowIso) >= service.quota.online) return { ok: false, code: 'booking_quota_full' };

  const events: QueueEvent[] = [];
  // Holds of this slot that ran out are given back in the same commit, so their places count again at once.
  const c = slotCount(ix, service.id, slot.start);
  if (c) for (const code of expiredHolds(c, nowIso)) events.push({ at: nowIso, actor: ctx.actor, type: 'booking_released', code, reason: 'expired' });
  if (takenIn(ix, service.id, slot.start, nowIso) >= slotCapacity(office, service)) return { ok: false, code: 'booking_slot_full' };

  const code = input.codes.find((x) => !ix.byCode.has(x));
  if (!code) return { ok: false, code: 'unavailable' };
  const booking: Booking = {
    code,
    serviceId: service.id,
    subcase: sub.id,
    officeDay: day,
    slot: slot.start,
    state: input.confirm ? 'confirmed' : 'held',
    channel: input.channel,
    name: input.name,
    nikHash: input.nikHash,
    nikLast4: input.nikLast4,
    reminders: input.reminders,
    heldAt: nowIso,
    holdExpiresAt: input.confirm ? null : new Date(ctx.now.getTime() + s.holdSeconds * 1000).toISOString(),
    confirmedAt: input.confirm ? nowIso : null,
    endedAt: null,
    ticketId: null,
    precheck,
    replaces: input.replaces,
  };
  events.push({ at: nowIso, actor: ctx.actor, type: 'booking_held', booking });
  return { ok: true, events, code, ticketId: null };
}

export function decideConfirm(state: DayState, code: string, ctx: BookingContext): BookingOutcome {
  const b = state.booking.byCode.get(code);
  if (!b) return { ok: false, code: 'booking_not_found' };
  if (b.state === 'confirmed') return { ok: true, events: [], code, ticketId: null };
  if (b.state !== 'held') return { ok: false, code: b.state === 'released' ? 'booking_hold_expired' : 'booking_not_active' };
  const nowIso = ctx.now.toISOString();
  if ((b.holdExpiresAt ?? '') <= nowIso) {
    // Nothing is recorded for the refusal: the sweep gives the place back.
    return { ok: false, code: 'booking_hold_expired' };
  }
  return { ok: true, events: [{ at: nowIso, actor: ctx.actor, type: 'booking_confirmed', code }], code, ticketId: null };
}

export function decideCancel(state: DayState, office: OfficeConfig, code: string, reason: 'citizen' | 'staff' | 'changed' | 'slot_blocked', ctx: BookingContext, note?: string): BookingOutcome {
  const b = state.booking.byCode.get(code);
  if (!b) return { ok: false, code: 'booking_not_found' };
  const nowIso = ctx.now.toISOString();
  if (b.state === 'checked_in') return { ok: false, code: 'booking_already_checked_in' };
  if (!live(b, nowIso)) return { ok: false, code: 'booking_not_active' };
  const delay = (office.booking?.releaseDelayMinutes ?? 0) * 60_000;
  const e: QueueEvent = { at: nowIso, actor: ctx.actor, type: 'booking_cancelled', code, reason, returnsAt: new Date(ctx.now.getTime() + delay).toISOString() };
  if (note !== undefined) e.note = note;
  return { ok: true, events: [e], code, ticketId: null };
}

/** The check-in window of a booking: checkInBeforeMinutes before the slot start to checkInAfterMinutes after. */
export function checkInWindow(office: OfficeConfig, b: Pick<Booking, 'slot'>): { from: string; to: string } {
  const s = office.booking;
  const start = Date.parse(b.slot);
  return {
    from: new Date(start - (s?.checkInBeforeMinutes ?? 30) * 60_000).toISOString(),
    to: new Date(start + (s?.checkInAfterMinutes ?? 15) * 60_000).toISOString(),
  };
}

/**
 * Check-in at the kiosk (or by staff) inside the window: the ticket of source
 * booking with its slot, in the same commit as booking_checked_in. Opening
 * hours do not refuse it (the window starts before the office opens); a
 * service closed by staff today does. `at` of a too-early refusal is the
 * window's start (the kiosk says "come back at").
 */
export function decideCheckIn(state: DayState, office: OfficeConfig, code: string, ctx: BookingContext): BookingOutcome {
  const b = state.booking.byCode.get(code);
  if (!b) return { ok: false, code: 'booking_not_found' };
  if (b.state === 'checked_in') return { ok: false, code: 'booking_already_checked_in' };
  if (b.state !== 'confirmed') return { ok: false, code: 'booking_not_active' };
  const w = checkInWindow(office, b);
  const nowIso = ctx.now.toISOString();
  if (nowIso < w.from) return { ok: false, code: 'check_in_too_early', at: w.from };
  if (nowIso > w.to) return { ok: false, code: 'check_in_too_late' };
  const service = office.services.find((s) => s.id === b.serviceId);
  if (!service) return { ok: false, code: 'service_not_found' };
  if (!service.active || state.closedServices.has(service.id)) return { ok: false, code: 'service_closed' };
  const ticket = newTicket(state, office, service, { source: 'booking', priority: null, precheck: b.precheck, bookingSlot: b.slot }, ctx.now);
  return {
    ok: true,
    events: [
      { at: nowIso, actor: ctx.actor, type: 'ticket_issued', ticket },
      { at: nowIso, actor: ctx.actor, type: 'booking_checked_in', code, ticketId: ticket.id },
    ],
    code,
    ticketId: ticket.id,
  };
}

/** The sweep: holds that ran out are released, confirmed bookings past their window become no-shows. */
export function dueBookingSweep(state: DayState, office: OfficeConfig, ctx: BookingContext): QueueEvent[] {
  const nowIso = ctx.now.toISOString();
  const events: QueueEvent[] = [];
  for (const c of state.booking.slots.values()) {
    for (const code of expiredHolds(c, nowIso)) events.push({ at: nowIso, actor: ctx.actor, type: 'booking_released', code, reason: 'expired' });
  }
  const after = (office.booking?.checkInAfterMinutes ?? 15) * 60_000;
  for (const [k, c] of state.booking.slots) {
    if (c.open.size === 0) continue;
    const slot = k.slice(k.indexOf(' ') + 1);
    if (Date.parse(slot) + after >= ctx.now.getTime()) continue;
    for (const code of c.open) events.push({ at: nowIso, actor: ctx.actor, type: 'booking_no_show', code });
  }
  return events;
}

/** Blocks a slot (one service, or all with null): its live bookings are cancelled with reason slot_blocked. */
export function decideBlock(state: DayState, office: OfficeConfig, serviceRef: string | null, slotIso: string, reason: string, ctx: BookingContext): BookingOutcome & { cancelled?: string[] } {
  let serviceId: string | null = null;
  if (serviceRef !== null) {
    const s = resolveService(office, serviceRef);
    if (!s) return { ok: false, code: 'service_not_found' };
    serviceId = s.id;
  }
  const slot = findSlot(office, state.officeDay, slotIso);
  if (!slot) return { ok: false, code: 'booking_slot_not_found' };
  if (state.booking.blocked.has(slotKey(serviceId, slot.start))) return { ok: false, code: 'booking_slot_blocked' };
  const nowIso = ctx.now.toISOString();
  const events: QueueEvent[] = [{ at: nowIso, actor: ctx.actor, type: 'slot_blocked', serviceId, slot: slot.start, reason }];
  const cancelled: string[] = [];
  for (const b of state.booking.byCode.values()) {
    if (b.slot !== slot.start || (serviceId !== null && b.serviceId !== serviceId) || !live(b, nowIso) || b.state === 'checked_in') continue;
    cancelled.push(b.code);
    events.push({ at: nowIso, actor: ctx.actor, type: 'booking_cancelled', code: b.code, reason: 'slot_blocked', note: reason, returnsAt: nowIso });
  }
  return { ok: true, events, code: null, ticketId: null, cancelled };
}

export function decideUnblock(state: DayState, office: OfficeConfig, serviceRef: string | null, slotIso: string, ctx: BookingContext): BookingOutcome {
  let serviceId: string | null = null;
  if (serviceRef !== null) {
    const s = resolveService(office, serviceRef);
    if (!s) return { ok: false, code: 'service_not_found' };
    serviceId = s.id;
  }
  const slot = findSlot(office, state.officeDay, slotIso);
  if (!slot) return { ok: false, code: 'booking_slot_not_found' };
  if (!state.booking.blocked.has(slotKey(serviceId, slot.start))) return { ok: false, code: 'invalid_state' };
  return { ok: true, events: [{ at: ctx.now.toISOString(), actor: ctx.actor, type: 'slot_unblocked', serviceId, slot: slot.start }], code: null, ticketId: null };
}
