// The one date/time/zone formatter (protocol/format.ts) that receipts, the
// kiosk's "open again on …" texts and the pages share. Its words come from
// tables; they must read exactly as Intl's id-ID / en-GB did on the pages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarDate, formatClock, formatDate, formatDateTime, formatTime, officeDate, zoneName } from '../../protocol/format.ts';

const ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'];

describe('office date and time formatting', () => {
  it('names the Indonesian zones and leaves any other as given', () => {
    expect(ZONES.map(zoneName)).toEqual(['WIB', 'WITA', 'WIT']);
    expect(zoneName('Asia/Pontianak')).toBe('WIB');
    expect(zoneName('Europe/Amsterdam')).toBe('Europe/Amsterdam');
  });

  it('writes a receipt date in the office zone, the time with a dot', () => {
    expect(formatDateTime('2026-11-23T02:05:00Z', 'Asia/Makassar')).toBe('Senin, 23 November 2026 10.05 WITA');
    // Local midnight is 00, never 24.
    expect(formatDateTime('2026-11-22T16:05:00Z', 'Asia/Makassar')).toBe('Senin, 23 November 2026 00.05 WITA');
    expect(formatDateTime('2026-11-22T16:05:00Z', 'Asia/Makassar', 'en')).toBe('Monday, 23 November 2026 00:05 WITA');
  });

  it('reads a local calendar date and writes a local clock', () => {
    expect(calendarDate('2026-11-29')).toEqual({ year: 2026, month: 11, day: 29, weekday: 0 });
    expect(formatClock('08:00')).toBe('08.00');
    expect(formatClock('08:00', 'en')).toBe('08:00');
  });

  it('agrees with Intl id-ID and en-GB at any instant in each zone', () => {
    const intl = (locale: string, timeZone: string, opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, ...opts });
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(...ZONES), (at, tz) => {
        const day = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const;
        const clock = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
        expect(formatDate(at, tz, 'id')).toBe(intl('id-ID', tz, day).format(at));
        expect(formatDate(at, tz, 'en')).toBe(intl('en-GB', tz, day).format(at));
        expect(formatTime(at, tz, 'id')).toBe(intl('id-ID', tz, clock).format(at));
        expect(formatTime(at, tz, 'en')).toBe(intl('en-GB', tz, clock).format(at));
        expect(officeDate(at, tz)).toBe(intl('en-CA', tz, {}).format(at));
      }),
      { numRuns: 300 },
    );
  });
});
