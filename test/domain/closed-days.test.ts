// Closed days (holidays) in the hours rules: the issue command refuses kiosk
// tickets on them when hours are enforced, the kiosk says "closed today" with
// the day's name, and the next opening skips them.
import { describe, expect, it } from 'vitest';
import { officeAvailability, type DayCounts } from '../../server/domain/availability.ts';
import { decide } from '../../server/domain/commands.ts';
import { emptyDay } from '../../server/domain/state.ts';
import { isOpenAt } from '../../server/domain/time.ts';
import { kupang } from '../helpers/domain.ts';

const none: DayCounts = { walkInIssued: {}, closed: {} };
/** Kupang is WITA (UTC+8). 2026-11-23 is a Monday. */
const wita = (local: string) => new Date(`${local}+08:00`);
const holiday = (date: string) => ({ date, name: { id: 'Cuti Bersama', en: 'Collective Leave' } });

describe('closed days', () => {
  it('closes an office on a listed date whatever its weekly hours say', () => {
    const o = kupang({ enforceHours: true });
    expect(isOpenAt(o.hours, o.timeZone, wita('2026-11-23T09:00'))).toBe(true);
    expect(isOpenAt(o.hours, o.timeZone, wita('2026-11-23T09:00'), [holiday('2026-11-23')])).toBe(false);
    expect(isOpenAt(o.hours, o.timeZone, wita('2026-11-24T09:00'), [holiday('2026-11-23')])).toBe(true);
  });

  it('refuses a kiosk ticket on a closed day when hours are enforced, and not at the counter', () => {
    const o = { ...kupang({ enforceHours: true }), closedDays: [holiday('2026-11-23')] };
    const now = wita('2026-11-23T09:00');
    const kiosk = decide(emptyDay(o.id, '2026-11-23'), o, { type: 'issue', service: 'kk', source: 'kiosk' }, { now, actor: { kind: 'device', id: 'k1', role: 'kiosk' } });
    expect(kiosk.ok ? 'issued' : kiosk.code).toBe('office_closed');
    const counter = decide(emptyDay(o.id, '2026-11-23'), o, { type: 'issue', service: 'kk', source: 'counter' }, { now, actor: { kind: 'user', id: 'p1', role: 'clerk' } });
    expect(counter.ok).toBe(true);
  });

  it('tells the kiosk it is closed today with the name of the day, and when it opens next (skipping further closed days)', () => {
    const o = { ...kupang({ enforceHours: true }), closedDays: [holiday('2026-11-23'), { date: '2026-11-24', name: { id: 'Libur', en: 'Holiday' } }] };
    const a = officeAvailability(o, none, wita('2026-11-23T09:00'));
    expect(a.hours).toMatchObject({ state: 'closed_today', openNow: false, today: [] });
    expect(a.hours.next).toMatchObject({ date: '2026-11-25', time: '08:00' });
    const s = a.services[0]!;
    expect(s).toMatchObject({ available: false, closedToday: true, reason: 'office_closed_today' });
    expect(s.message?.id).toMatch(/^Kantor tutup hari ini \(Cuti Bersama\)\./);
    expect(s.message?.en).toMatch(/^The office is closed today \(Collective Leave\)\./);
  });
});
