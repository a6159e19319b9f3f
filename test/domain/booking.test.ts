// The booking rules without a server: slots from opening hours, breaks and
// closed days in the office's zone, capacity, holds that run out, the delay
// before a cancelled place returns, the NIK rules, the window's opening hour,
// check-in and the no-show sweep, and the booked ticket's place in the queue.
import { describe, expect, it } from 'vitest';
import type { Actor, OfficeConfig } from '../../protocol/model.ts';
import { nextFor } from '../../protocol/rules.ts';
import { parseBookingScan } from '../../protocol/booking.ts';
import {
  checkNik,
  codeOf,
  dayBookability,
  dayOfCode,
  decideBlock,
  decideCancel,
  decideCheckIn,
  decideConfirm,
  decideHold,
  dueBookingSweep,
  slotCapacity,
  slotsOn,
  takenIn,
  type BookingOutcome,
  type HoldInput,
} from '../../server/domain/booking.ts';
import { applyCommit, emptyDay, type DayState } from '../../server/domain/state.ts';
import { decide } from '../../server/domain/commands.ts';
import { kupang, padangPanjang } from '../helpers/domain.ts';
import { deltaOf } from '../../server/domain/views.ts';
import { deltaFor } from '../../server/realtime/feeds.ts';

const CITIZEN: Actor = { kind: 'citizen', id: 'booking-holder' };
const NIK_A = '5371010501900001';
const NIK_B = '5371014501900002';
// Monday 23 November 2026, 09:00 WITA.
const MON_9 = new Date('2026-11-23T01:00:00.000Z');
const TUE = '2026-11-24';
const TUE_8 = '2026-11-24T00:00:00.000Z'; // 08:00 WITA
const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };

function office(places = 2, patch: Partial<NonNullable<OfficeConfig['booking']>> = {}): OfficeConfig {
  const o = kupang();
  o.booking = { ...o.booking!, ...patch };
  o.services = o.services.map((s) => (s.id === 'ktp-el' ? { ...s, booking: { enabled: true, places, serviceMinutes: 15 } } : s));
  return o;
}

let codeSeq = 0;
function hold(nik: string, over: Partial<HoldInput> = {}): HoldInput {
  codeSeq += 1;
  const tail = String(codeSeq).padStart(6, '0').split('').map(Number);
  return { service: 'ktp-el', subcase: 'baru', slot: TUE_8, nikHash: `h-${nik}`, nikLast4: nik.slice(-4), name: 'Maria', reminders: false, channel: 'online', answers: ANSWERS, confirm: false, replaces: null, codes: [codeOf(TUE, tail)], ...over };
}

function commit(state: DayState, o: OfficeConfig, out: BookingOutcome): string | null {
  if (!out.ok) throw new Error(`refused: ${out.code}`);
  applyCommit(state, o, { version: state.version + 1, ticketId: out.ticketId, events: out.events });
  return out.code;
}

const none = { weekOthers: 0, recentNoShows: 0 };
const at = (d: Date) => ({ now: d, actor: CITIZEN });

describe('slots', () => {
  it('follow opening hours: 14 half-hour slots on a Monday 08:00–15:00 WITA, in UTC', () => {
    const s = slotsOn(office(), TUE);
    expect(s).toHaveLength(14);
    expect(s[0]).toEqual({ start: TUE_8, end: '2026-11-24T00:30:00.000Z', time: '08:00' });
    expect(s.at(-1)!.time).toBe('14:30');
  });

  it('leave out the Friday break and keep the late period', () => {
    const times = slotsOn(office(), '2026-11-27').map((s) => s.time);
    expect(times).not.toContain('12:00');
    expect(times).not.toContain('12:30');
    expect(times).toContain('13:00');
    expect(times.at(-1)).toBe('15:00');
  });

  it('have none on a Saturday or a holiday', () => {
    const o = office();
    o.closedDays = [{ date: TUE, name: { id: 'Libur', en: 'Holiday' } }];
    expect(slotsOn(o, '2026-11-28')).toEqual([]);
    expect(slotsOn(o, TUE)).toEqual([]);
    expect(dayBookability(o, TUE, MON_9)).toEqual({ status: 'closed' });
  });

  it('are in the office\'s zone: 08:00 WIB in Padang Panjang is 01:00 UTC', () => {
    const o = padangPanjang();
    o.booking = office().booking!;
    expect(slotsOn(o, TUE)[0]!.start).toBe('2026-11-24T01:00:00.000Z');
  });

  it('take capacity from counters × slot length ÷ service time when not explicit', () => {
    const o = office();
    const ktp = o.services.find((s) => s.id === 'ktp-el')!;
    ktp.booking = { enabled: true, places: null, serviceMinutes: 15 };
    const counters = o.counters.filter((c) => c.services.includes('ktp-el')).length;
    expect(slotCapacity(o, ktp)).toBe(counters * 2);
  });
});

describe('the window', () => {
  it('opens the last day at opensAt office time, 14 days ahead', () => {
    const o = office();
    expect(dayBookability(o, '2026-12-07', MON_9).status).toBe('open');
    expect(dayBookability(o, '2026-12-08', MON_9)).toEqual({ status: 'not_open_yet', opensAt: '2026-11-23T22:00:00.000Z' });
    expect(dayBookability(o, '2026-12-08', new Date('2026-11-23T22:00:00.000Z')).status).toBe('open');
  });

  it('refuses today unless sameDay, and the past always', () => {
    expect(dayBookability(office(), '2026-11-23', MON_9).status).toBe('past');
    expect(dayBookability(office(2, { sameDay: true }), '2026-11-23', MON_9).status).toBe('open');
    expect(dayBookability(office(), '2026-11-20', MON_9).status).toBe('past');
  });

  it('refuses a hold on a day not open yet, a slot that does not exist, a started slot', () => {
    const o = office();
    const later = emptyDay('kupang', '2026-12-08');
    expect(decideHold(later, o, hold(NIK_A, { slot: '2026-12-08T00:00:00.000Z' }), none, at(MON_9))).toEqual({ ok: false, code: 'booking_day_not_open' });
    const s = emptyDay('kupang', TUE);
    expect(decideHold(s, o, hold(NIK_A, { slot: '2026-11-24T00:10:00.000Z' }), none, at(MON_9))).toEqual({ ok: false, code: 'booking_slot_not_found' });
    expect(decideHold(s, o, hold(NIK_A), none, at(new Date('2026-11-24T00:05:00.000Z')))).toEqual({ ok: false, code: 'booking_date_past' });
  });
});

describe('capacity and holds', () => {
  it('never gives more places than the slot has', () => {
    const o = office(2);
    const s = emptyDay('kupang', TUE);
    commit(s, o, decideHold(s, o, hold(NIK_A), none, at(MON_9)));
    commit(s, o, decideHold(s, o, hold(NIK_B), none, at(MON_9)));
    expect(decideHold(s, o, hold('5371010501900003'), none, at(MON_9))).toEqual({ ok: false, code: 'booking_slot_full' });
    expect(takenIn(s.booking, 'ktp-el', TUE_8, MON_9.toISOString())).toBe(2);
  });

  it('gives a place back when its hold runs out, in the next hold\'s own commit', () => {
    const o = office(1);
    const s = emptyDay('kupang', TUE);
    const first = commit(s, o, decideHold(s, o, hold(NIK_A), none, at(MON_9)))!;
    const late = new Date(MON_9.getTime() + 301_000);
    expect(decideConfirm(s, first, at(late))).toEqual({ ok: false, code: 'booking_hold_expired' });
    const out = decideHold(s, o, hold(NIK_B), none, at(late));
    expect(out.ok && out.events.map((e) => e.type)).toEqual(['booking_released', 'booking_held']);
    commit(s, o, out);
    expect(s.booking.byCode.get(first)!.state).toBe('released');
    expect(takenIn(s.booking, 'ktp-el', TUE_8, late.toISOString())).toBe(1);
  });

  it('counts holds right when the hold time changed in between (holds no longer in expiry order)', () => {
    // Held for 10 minutes at 09:00, then the office shortens the hold to 2 minutes and a second is held at 09:01:
    // at 09:04 the second (added last) has run out and the first has not.
    const long = office(3, { holdSeconds: 600 });
    const short = office(3, { holdSeconds: 120 });
    const s = emptyDay('kupang', TUE);
    const first = commit(s, long, decideHold(s, long, hold(NIK_A), none, at(MON_9)))!;
    const second = commit(s, short, decideHold(s, short, hold(NIK_B), none, at(new Date(MON_9.getTime() + 60_000))))!;
    const t = new Date(MON_9.getTime() + 240_000);
    expect(takenIn(s.booking, 'ktp-el', TUE_8, t.toISOString())).toBe(1);
    const out = decideHold(s, short, hold('5371010501900003'), none, at(t));
    expect(out.ok && out.events.filter((e) => e.type === 'booking_released').map((e) => (e as { code: string }).code)).toEqual([second]);
    commit(s, short, out);
    expect(s.booking.byCode.get(first)!.state).toBe('held');
    expect(takenIn(s.booking, 'ktp-el', TUE_8, t.toISOString())).toBe(2);
    // In order again once the slot's holds are gone.
    const later = new Date(MON_9.getTime() + 3_600_000);
    expect(takenIn(s.booking, 'ktp-el', TUE_8, later.toISOString())).toBe(0);
  });

  it('brings a cancelled place back only after the release delay', () => {
    const o = office(1, { releaseDelayMinutes: 30 });
    const s = emptyDay('kupang', TUE);
    const code = commit(s, o, decideHold(s, o, hold(NIK_A, { confirm: true }), none, at(MON_9)))!;
    commit(s, o, decideCancel(s, o, code, 'citizen', at(MON_9)));
    const soon = new Date(MON_9.getTime() + 29 * 60_000);
    expect(decideHold(s, o, hold(NIK_B), none, at(soon))).toEqual({ ok: false, code: 'booking_slot_full' });
    const after = new Date(MON_9.getTime() + 30 * 60_000 + 1);
    expect(decideHold(s, o, hold(NIK_B), none, at(after)).ok).toBe(true);
  });

  it('counts the online quota of the day', () => {
    const o = office(5);
    o.services.find((x) => x.id === 'ktp-el')!.quota.online = 1;
    const s = emptyDay('kupang', TUE);
    commit(s, o, decideHold(s, o, hold(NIK_A), none, at(MON_9)));
    expect(decideHold(s, o, hold(NIK_B, { slot: '2026-11-24T01:00:00.000Z' }), none, at(MON_9))).toEqual({ ok: false, code: 'booking_quota_full' });
  });

  it('refuses a blocked slot and cancels its bookings', () => {
    const o = office(3);
    const s = emptyDay('kupang', TUE);
    const code = commit(s, o, decideHold(s, o, hold(NIK_A, { confirm: true }), none, at(MON_9)))!;
    const out = decideBlock(s, o, null, TUE_8, 'Sistem down', at(MON_9));
    expect(out.ok && out.cancelled).toEqual([code]);
    commit(s, o, out);
    expect(s.booking.byCode.get(code)!.state).toBe('cancelled');
    expect(decideHold(s, o, hold(NIK_B), none, at(MON_9))).toEqual({ ok: false, code: 'booking_slot_blocked' });
  });
});

describe('the NIK', () => {
  it('has one live booking per service per day, and the week limit across days', () => {
    const o = office(5, { perNikPerWeek: 2 });
    const s = emptyDay('kupang', TUE);
    commit(s, o, decideHold(s, o, hold(NIK_A), none, at(MON_9)));
    expect(decideHold(s, o, hold(NIK_A, { slot: '2026-11-24T01:00:00.000Z' }), none, at(MON_9))).toEqual({ ok: false, code: 'booking_nik_duplicate' });
    expect(decideHold(s, o, hold(NIK_A, { service: 'kk', subcase: 'baru', answers: null, channel: 'staff' }), { weekOthers: 1, recentNoShows: 0 }, at(MON_9))).toEqual({ ok: false, code: 'booking_nik_week_limit' });
  });

  it('is blocked after noShowBlock.count no-shows', () => {
    const o = office(5, { noShowBlock: { count: 2, days: 30 } });
    const s = emptyDay('kupang', TUE);
    expect(decideHold(s, o, hold(NIK_A), { weekOthers: 0, recentNoShows: 2 }, at(MON_9))).toEqual({ ok: false, code: 'booking_nik_blocked' });
  });

  it('is validated as at the kiosk, with the age rule of the sub-case', () => {
    const sub = office().services[0]!.subcases.find((x) => x.id === 'baru');
    expect(checkNik('5371010501900000', sub, TUE)).toEqual({ ok: false, code: 'nik_invalid', problem: 'bad_serial' });
    expect(checkNik('12345', sub, TUE)).toEqual({ ok: false, code: 'nik_invalid', problem: 'wrong_length' });
    // Born 5 January 2015: 11 years old, too young for a first KTP-el.
    expect(checkNik('5371010501150001', sub, TUE)).toEqual({ ok: false, code: 'booking_age_ineligible' });
    expect(checkNik('5371 0105 0190 0001', sub, TUE)).toEqual({ ok: true, last4: '0001', digits: NIK_A });
  });

  it('refuses a pre-check with a mandatory item missing', () => {
    const o = office();
    const s = emptyDay('kupang', TUE);
    expect(decideHold(s, o, hold(NIK_A, { answers: { brought: { 'usia-17-atau-menikah': true, kk: false }, conditions: {} } }), none, at(MON_9))).toEqual({ ok: false, code: 'booking_precheck_missing' });
  });
});

describe('codes', () => {
  it('carry their day, and read back from a QR payload or a typed code', () => {
    const code = codeOf(TUE, [1, 2, 3, 4, 5, 6]);
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
    expect(dayOfCode(code, '2026-11-23')).toBe(TUE);
    expect(dayOfCode(code, '2026-12-20')).toBe(TUE);
    expect(parseBookingScan(`GB:kupang:${code}`)).toEqual({ officeId: 'kupang', code });
    expect(parseBookingScan(`${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`)).toEqual({ officeId: null, code });
    expect(parseBookingScan('A0O1I')).toBeNull();
  });
});

describe('check-in and the day itself', () => {
  function confirmedOn(o: OfficeConfig): { s: DayState; code: string } {
    const s = emptyDay('kupang', TUE);
    const code = commit(s, o, decideHold(s, o, hold(NIK_A, { confirm: true }), none, at(MON_9)))!;
    return { s, code };
  }

  it('is refused before the window with its start, and after it', () => {
    const o = office();
    const { s, code } = confirmedOn(o);
    expect(decideCheckIn(s, o, code, at(new Date('2026-11-23T23:29:00.000Z')))).toEqual({ ok: false, code: 'check_in_too_early', at: '2026-11-23T23:30:00.000Z' });
    expect(decideCheckIn(s, o, code, at(new Date('2026-11-24T00:15:01.000Z')))).toEqual({ ok: false, code: 'check_in_too_late' });
  });

  it('issues a booking ticket with its slot in the same commit, before the office opens', () => {
    const o = office();
    const { s, code } = confirmedOn(o);
    const out = decideCheckIn(s, o, code, at(new Date('2026-11-23T23:40:00.000Z')));
    expect(out.ok && out.events.map((e) => e.type)).toEqual(['ticket_issued', 'booking_checked_in']);
    commit(s, o, out);
    const t = s.tickets.get(out.ok ? out.ticketId! : '')!;
    expect(t).toMatchObject({ source: 'booking', bookingSlot: TUE_8, state: 'waiting' });
    expect(s.booking.byCode.get(code)!.state).toBe('checked_in');
    expect(decideCheckIn(s, o, code, at(new Date('2026-11-23T23:41:00.000Z')))).toEqual({ ok: false, code: 'booking_already_checked_in' });
  });

  it('calls a checked-in booking before older walk-ins once its slot has come', () => {
    const o = office();
    const { s, code } = confirmedOn(o);
    const ctx = { now: new Date('2026-11-23T23:35:00.000Z'), actor: { kind: 'device', id: 'k1', role: 'kiosk' } as Actor };
    // Walk-ins first (at 07:35 WITA, the demo has enforceHours off), then the check-in.
    for (let i = 0; i < 3; i++) {
      const d = decide(s, o, { type: 'issue', service: 'ktp-el', source: 'kiosk' }, ctx);
      if (!d.ok || d.replayed) throw new Error('issue refused');
      applyCommit(s, o, d.commit);
    }
    commit(s, o, decideCheckIn(s, o, code, { ...ctx, now: new Date('2026-11-23T23:50:00.000Z') }));
    const counter = { id: '1', services: ['ktp-el'], paused: null, autoCallNext: false, ticketId: null, staff: null, priorityStreak: 0, served: 0, serviceSecondsTotal: 0 };
    const waiting = [...s.waiting].map((id) => s.tickets.get(id)!);
    expect(nextFor(waiting, counter, '2026-11-23T23:55:00.000Z', 2)!.source).toBe('kiosk');
    expect(nextFor(waiting, counter, '2026-11-24T00:00:00.000Z', 2)!.source).toBe('booking');
  });

  it('marks a booking not checked in by the end of its window a no-show, once', () => {
    const o = office();
    const { s, code } = confirmedOn(o);
    expect(dueBookingSweep(s, o, at(new Date('2026-11-24T00:15:00.000Z')))).toEqual([]);
    const events = dueBookingSweep(s, o, at(new Date('2026-11-24T00:16:00.000Z')));
    expect(events.map((e) => e.type)).toEqual(['booking_no_show']);
    applyCommit(s, o, { version: s.version + 1, ticketId: null, events });
    expect(s.booking.byCode.get(code)!.state).toBe('no_show');
    expect(s.booking.noShowsByNik.get(`h-${NIK_A}`)).toBe(1);
    expect(dueBookingSweep(s, o, at(new Date('2026-11-24T00:17:00.000Z')))).toEqual([]);
  });

  it('rebuilds the same indexes by replaying the journal', () => {
    const o = office(3);
    const s = emptyDay('kupang', TUE);
    const commits = [];
    for (const [nik, confirm] of [[NIK_A, true], [NIK_B, false]] as const) {
      const out = decideHold(s, o, hold(nik, { confirm }), none, at(MON_9));
      if (!out.ok) throw new Error(out.code);
      const c = { version: s.version + 1, ticketId: null, events: out.events };
      applyCommit(s, o, c);
      commits.push(c);
    }
    const replayed = emptyDay('kupang', TUE);
    for (const c of structuredClone(commits)) applyCommit(replayed, o, c);
    expect(replayed.booking).toEqual(s.booking);
  });
});

describe('feeds', () => {
  it('never show a booking to a display, kiosk or phone, and never a NIK hash to staff', () => {
    const o = office();
    const s = emptyDay('kupang', TUE);
    const out = decideHold(s, o, hold(NIK_A, { confirm: true }), none, at(MON_9));
    if (!out.ok) throw new Error(out.code);
    const c = { version: 1, ticketId: null, events: out.events };
    applyCommit(s, o, c);
    const d = deltaOf(s, o, c);
    expect(JSON.stringify(deltaFor('full', d))).not.toContain(`h-${NIK_A}`);
    expect(deltaFor('full', d).events[0]).toMatchObject({ type: 'booking_held', booking: { name: 'Maria', nikLast4: '0001' } });
    for (const feed of ['public', 'figures'] as const) {
      const seen = JSON.stringify(deltaFor(feed, d));
      expect(seen).not.toContain('Maria');
      expect(seen).not.toContain('booking_held');
      expect(deltaFor(feed, d).version).toBe(1);
    }
  });
});
