// The office day: numbers reset at local midnight in the office's own time
// zone (WIB, WITA, WIT), and opening hours are local too. Instants are injected.
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import type { OfficeConfig } from '../../protocol/model.ts';
import { decide } from '../../server/domain/commands.ts';
import { emptyDay } from '../../server/domain/state.ts';
import { isOpenAt, localParts, officeDayOf } from '../../server/domain/time.ts';
import { CLERK, Sim, kupang, padangPanjang } from '../helpers/domain.ts';

function jayapura(): OfficeConfig {
  const o = kupang();
  o.id = 'jayapura';
  o.timeZone = 'Asia/Jayapura';
  return o;
}

// Monday 23 → Tuesday 24 November 2026, one minute either side of local midnight.
const ZONES = [
  { zone: 'Asia/Jakarta', office: padangPanjang, before: '2026-11-23T16:59:00.000Z', after: '2026-11-23T17:01:00.000Z' },
  { zone: 'Asia/Makassar', office: kupang, before: '2026-11-23T15:59:00.000Z', after: '2026-11-23T16:01:00.000Z' },
  { zone: 'Asia/Jayapura', office: jayapura, before: '2026-11-23T14:59:00.000Z', after: '2026-11-23T15:01:00.000Z' },
] as const;

describe('office day', () => {
  for (const { zone, office, before, after } of ZONES) {
    describe(zone, () => {
      it('puts 23:59 and 00:01 local on different office days', () => {
        const o = office();
        expect(o.timeZone).toBe(zone);
        expect(localParts(new Date(before), zone)).toMatchObject({ date: '2026-11-23', time: '23:59', weekday: 'mon' });
        expect(localParts(new Date(after), zone)).toMatchObject({ date: '2026-11-24', time: '00:01', weekday: 'tue' });
        expect(officeDayOf(new Date(before), zone)).toBe('2026-11-23');
        expect(officeDayOf(new Date(after), zone)).toBe('2026-11-24');
      });

      it('starts numbering again at 001 on the new office day', () => {
        const o = office();
        const monday = new Sim(o, { day: '2026-11-23', start: '2026-11-23T02:00:00.000Z' });
        monday.issue('ktp-el');
        monday.issue('ktp-el');
        monday.at(before);
        const late = monday.issue('ktp-el');
        expect(late.number).toBe('A003');
        expect(late.officeDay).toBe('2026-11-23');

        const tuesday = new Sim(o, { day: officeDayOf(new Date(after), zone), start: after });
        const first = tuesday.issue('ktp-el');
        expect(first.number).toBe('A001');
        expect(first.officeDay).toBe('2026-11-24');
        expect(first.id).toBe('2026-11-24/A001');
        expect(first.id).not.toBe(monday.ticket('A001').id);
      });

      it("refuses a command against yesterday's state after midnight (day_mismatch)", () => {
        const o = office();
        const monday = new Sim(o, { day: '2026-11-23', start: before });
        monday.issue('ktp-el');
        const before2 = structuredClone(monday.state);
        for (const cmd of [
          { type: 'issue', service: 'ktp-el', source: 'kiosk' },
          { type: 'call_next', counterId: '1' },
          { type: 'cancel', ticket: 'A001', reason: 'x' },
        ] as const) {
          expect(decide(monday.state, o, cmd, { now: new Date(after), actor: CLERK })).toEqual({ ok: false, code: 'day_mismatch' });
        }
        expect(monday.state).toEqual(before2);
      });

      it('refuses a command against tomorrow’s state before midnight (day_mismatch)', () => {
        const o = office();
        const tuesday = emptyDay(o.id, '2026-11-24');
        const d = decide(tuesday, o, { type: 'issue', service: 'ktp-el', source: 'kiosk' }, { now: new Date(before), actor: CLERK });
        expect(d).toEqual({ ok: false, code: 'day_mismatch' });
      });
    });
  }

  it('reads 00:00 local as the start of the day, not hour 24', () => {
    expect(localParts(new Date('2026-11-23T16:00:00.000Z'), 'Asia/Makassar')).toMatchObject({ date: '2026-11-24', time: '00:00' });
    expect(localParts(new Date('2026-11-23T17:00:00.000Z'), 'Asia/Jakarta')).toMatchObject({ date: '2026-11-24', time: '00:00' });
    expect(localParts(new Date('2026-11-23T15:00:00.000Z'), 'Asia/Jayapura')).toMatchObject({ date: '2026-11-24', time: '00:00' });
  });

  it('rolls over a month and a year at local midnight', () => {
    expect(officeDayOf(new Date('2026-11-30T16:30:00.000Z'), 'Asia/Makassar')).toBe('2026-12-01');
    expect(officeDayOf(new Date('2026-12-31T16:59:59.999Z'), 'Asia/Jakarta')).toBe('2026-12-31');
    expect(officeDayOf(new Date('2026-12-31T17:00:00.000Z'), 'Asia/Jakarta')).toBe('2027-01-01');
  });
});

describe('local time parts', () => {
  it('gives the same answer from its per-minute memory as a fresh Intl reading, in any order of instants and zones', () => {
    const zones = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu'];
    const fresh = (d: Date, timeZone: string) => {
      const p = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' })
          .formatToParts(d)
          .map((x) => [x.type, x.value]),
      );
      return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, weekday: String(p.weekday).toLowerCase() };
    };
    // Instants cluster around a few minutes (so the memory is hit) and around DST changes in Berlin.
    const base = fc.constantFrom(Date.UTC(2026, 10, 23, 15, 59), Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 9, 25, 0, 59), Date.UTC(2026, 11, 31, 14, 59));
    const instant = fc.tuple(base, fc.integer({ min: -120_000, max: 120_000 })).map(([b, off]) => new Date(b + off));
    fc.assert(
      fc.property(fc.array(fc.tuple(instant, fc.constantFrom(...zones)), { minLength: 1, maxLength: 40 }), (reads) => {
        for (const [d, zone] of reads) expect(localParts(d, zone)).toEqual(fresh(d, zone));
      }),
      { numRuns: 200 },
    );
  });
});

describe('opening hours', () => {
  // Friday 27 November 2026: 08:00–12:00 and 13:00–15:30 local (Friday prayer break).
  const FRIDAY = [
    ['Asia/Jakarta', 7],
    ['Asia/Makassar', 8],
    ['Asia/Jayapura', 9],
  ] as const;
  const at = (local: string, offset: number, date = '2026-11-27'): Date =>
    new Date(Date.parse(`${date}T${local}:00.000Z`) - offset * 3_600_000);

  for (const [zone, offset] of FRIDAY) {
    it(`respects the Friday break 12:00–13:00 local in ${zone}`, () => {
      const hours = kupang().hours;
      const open = (local: string, date?: string): boolean => isOpenAt(hours, zone, at(local, offset, date));
      expect(localParts(at('12:00', offset), zone)).toMatchObject({ weekday: 'fri', time: '12:00' });
      expect(open('07:59')).toBe(false);
      expect(open('08:00')).toBe(true);
      expect(open('11:59')).toBe(true);
      expect(open('12:00')).toBe(false);
      expect(open('12:30')).toBe(false);
      expect(open('12:59')).toBe(false);
      expect(open('13:00')).toBe(true);
      expect(open('15:29')).toBe(true);
      expect(open('15:30')).toBe(false);
      // Monday has no break and closes at 15:00.
      expect(open('12:30', '2026-11-23')).toBe(true);
      expect(open('14:59', '2026-11-23')).toBe(true);
      expect(open('15:00', '2026-11-23')).toBe(false);
      // Saturday and Sunday are closed all day.
      expect(open('10:00', '2026-11-28')).toBe(false);
      expect(open('10:00', '2026-11-29')).toBe(false);
    });
  }

  it('refuses kiosk tickets during the Friday break when hours are enforced', () => {
    const o = kupang({ enforceHours: true });
    // 12:30 WITA on Friday.
    const s = new Sim(o, { day: '2026-11-27', start: '2026-11-27T04:30:00.000Z' });
    expect(s.err({ type: 'issue', service: 'ktp-el', source: 'kiosk' })).toBe('office_closed');
    expect(s.issue('ktp-el', { source: 'counter' }).number).toBe('A001');
    s.at('2026-11-27T05:00:00.000Z'); // 13:00 WITA
    expect(s.issue('ktp-el', { source: 'kiosk' }).number).toBe('A002');
  });

  it('judges opening hours in the office’s zone, not the server’s', () => {
    // 07:30 WIB in Padang Panjang is 08:30 WITA in Kupang and 09:30 WIT in Jayapura.
    const instant = new Date('2026-11-23T00:30:00.000Z');
    const hours = kupang().hours;
    expect(isOpenAt(hours, 'Asia/Jakarta', instant)).toBe(false);
    expect(isOpenAt(hours, 'Asia/Makassar', instant)).toBe(true);
    expect(isOpenAt(hours, 'Asia/Jayapura', instant)).toBe(true);
  });
});
