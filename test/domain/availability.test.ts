// What the kiosk may offer: closed services, full quotas and opening hours in
// the office's own time zone, with the next day it is open or has room. The
// kiosk must never offer a ticket the issue rule would refuse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OfficeConfig } from '../../protocol/model.ts';
import { hoursState, officeAvailability, zonedInstant, type DayCounts } from '../../server/domain/availability.ts';
import { decide } from '../../server/domain/commands.ts';
import { emptyDay } from '../../server/domain/state.ts';
import { officeDayOf } from '../../server/domain/time.ts';
import { kupang, padangPanjang } from '../helpers/domain.ts';

const none: DayCounts = { walkInIssued: {}, closed: {} };
/** Kupang is WITA (UTC+8): local = UTC + 8 h. 2026-11-23 is a Monday. */
const wita = (local: string) => new Date(`${local}+08:00`);

function byId(office: OfficeConfig, counts: DayCounts, now: Date, id: string) {
  const s = officeAvailability(office, counts, now).services.find((x) => x.serviceId === id);
  if (!s) throw new Error(`no ${id}`);
  return s;
}

describe('service availability', () => {
  it('offers every active service while the office is open and nothing is closed or full', () => {
    const a = officeAvailability(kupang({ enforceHours: true }), none, wita('2026-11-23T09:00'));
    expect(a.officeDay).toBe('2026-11-23');
    expect(a.hours).toMatchObject({ state: 'open', openNow: true, enforced: true, next: null });
    expect(a.services.every((s) => s.available && s.reason === null && s.message === null)).toBe(true);
    expect(a.services.map((s) => s.serviceId)).toEqual(kupang().services.map((s) => s.id));
  });

  it('says a service closed by staff is closed today, with the staff note and the next open day', () => {
    const s = byId(kupang(), { walkInIssued: {}, closed: { 'ktp-el': 'Blangko habis' } }, wita('2026-11-23T09:00'), 'ktp-el');
    expect(s).toMatchObject({ available: false, closedToday: true, fullToday: false, reason: 'closed_by_staff', staffNote: 'Blangko habis' });
    expect(s.next).toMatchObject({ date: '2026-11-24', time: '08:00', at: '2026-11-24T00:00:00.000Z' });
    expect(s.message?.id).toBe('Layanan ini ditutup untuk hari ini. Buka lagi besok, Selasa 24 November, pukul 08.00 WITA.');
    expect(s.message?.en).toBe('This service is closed for today. Open again tomorrow, Tuesday 24 November, at 08:00 WITA.');
  });

  it('says a service whose walk-in quota is used up is full today, with the next day that has room', () => {
    const office = kupang();
    office.services.find((s) => s.id === 'kk')!.quota.walkIn = 3;
    const almost = byId(office, { walkInIssued: { kk: 2 }, closed: {} }, wita('2026-11-23T10:00'), 'kk');
    expect(almost).toMatchObject({ available: true, remainingToday: 1 });
    // Friday → the next open day is Monday.
    const full = byId(office, { walkInIssued: { kk: 3 }, closed: {} }, wita('2026-11-27T10:00'), 'kk');
    expect(full).toMatchObject({ available: false, fullToday: true, closedToday: false, reason: 'quota_full', remainingToday: 0 });
    expect(full.next?.date).toBe('2026-11-30');
    expect(full.message?.id).toBe('Kuota hari ini sudah penuh. Kuota tersedia lagi Senin, 30 November 2026, pukul 08.00 WITA.');
    expect(full.message?.en).toContain('Monday 30 November 2026, at 08:00 WITA');
  });

  it('says an inactive service is unavailable without a date', () => {
    const office = kupang();
    office.services.find((s) => s.id === 'akta')!.active = false;
    expect(byId(office, none, wita('2026-11-23T09:00'), 'akta')).toMatchObject({ available: false, reason: 'inactive', next: null, closedToday: true });
  });

  describe('opening hours, enforced', () => {
    const office = () => kupang({ enforceHours: true });

    it('before opening: opens today at the first period', () => {
      const s = byId(office(), none, wita('2026-11-23T07:30'), 'ktp-el');
      expect(s).toMatchObject({ available: false, reason: 'before_opening', closedToday: false });
      expect(s.next).toMatchObject({ date: '2026-11-23', time: '08:00' });
      expect(s.message?.id).toBe('Layanan belum dibuka. Dibuka hari ini pukul 08.00 WITA.');
      expect(s.message?.en).toBe('Service has not opened yet. Opens today at 08:00 WITA.');
    });

    it('in the Friday break: open again at 13:00', () => {
      const s = byId(office(), none, wita('2026-11-27T12:15'), 'ktp-el');
      expect(s).toMatchObject({ reason: 'break', available: false });
      expect(s.next).toMatchObject({ date: '2026-11-27', time: '13:00' });
    });

    it('after closing on Friday: open again on Monday', () => {
      const s = byId(office(), none, wita('2026-11-27T15:30'), 'ktp-el');
      expect(s).toMatchObject({ reason: 'after_closing', closedToday: false });
      expect(s.next).toMatchObject({ date: '2026-11-30', time: '08:00', at: '2026-11-30T00:00:00.000Z' });
    });

    it('on Saturday: the office is closed today, open again on Monday', () => {
      const a = officeAvailability(office(), none, wita('2026-11-28T10:00'));
      expect(a.hours).toMatchObject({ state: 'closed_today', openNow: false, today: [] });
      expect(a.hours.next?.date).toBe('2026-11-30');
      const s = a.services[0]!;
      expect(s).toMatchObject({ reason: 'office_closed_today', closedToday: true, available: false });
      expect(s.message?.id).toBe('Kantor tutup hari ini. Buka lagi Senin, 30 November 2026, pukul 08.00 WITA.');
    });

    it('the end of a period is already closed, its start already open', () => {
      expect(hoursState(office().hours, 'Asia/Makassar', wita('2026-11-23T15:00')).state).toBe('after_closing');
      expect(hoursState(office().hours, 'Asia/Makassar', wita('2026-11-23T08:00')).state).toBe('open');
    });
  });

  it('does not refuse outside hours when the office does not enforce them (the demo), but reports the hours', () => {
    const a = officeAvailability(kupang({ enforceHours: false }), none, wita('2026-11-28T22:00'));
    expect(a.hours).toMatchObject({ state: 'closed_today', openNow: false, enforced: false });
    expect(a.services.every((s) => s.available)).toBe(true);
  });

  it('computes hours in the office zone: 08:30 WIB in Padang Panjang is 09:30 in Kupang', () => {
    const instant = new Date('2026-11-23T01:30:00Z');
    const pp = padangPanjang();
    pp.rules.enforceHours = true;
    expect(officeAvailability(pp, none, instant).hours.state).toBe('open');
    expect(officeAvailability(pp, none, new Date('2026-11-23T00:30:00Z')).hours).toMatchObject({ state: 'before_opening' });
    expect(officeAvailability(pp, none, new Date('2026-11-23T00:30:00Z')).hours.next?.text.id).toBe('hari ini pukul 08.00 WIB');
  });

  it('puts an instant just after local midnight on the new office day', () => {
    // 00:05 WITA Tuesday = 16:05 UTC Monday.
    const a = officeAvailability(kupang({ enforceHours: true }), none, new Date('2026-11-23T16:05:00Z'));
    expect(a.officeDay).toBe('2026-11-24');
    expect(a.hours.state).toBe('before_opening');
    expect(a.hours.next?.date).toBe('2026-11-24');
  });

  it('converts office-local moments to instants in each zone', () => {
    expect(zonedInstant('2026-11-24', '08:00', 'Asia/Jakarta').toISOString()).toBe('2026-11-24T01:00:00.000Z');
    expect(zonedInstant('2026-11-24', '08:00', 'Asia/Makassar').toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(zonedInstant('2026-11-24', '08:00', 'Asia/Jayapura').toISOString()).toBe('2026-11-23T23:00:00.000Z');
  });

  it('has no next opening when the office has no hours at all', () => {
    const office = kupang({ enforceHours: true });
    office.hours = {};
    const s = byId(office, { walkInIssued: {}, closed: { kk: 'x' } }, wita('2026-11-23T09:00'), 'kk');
    expect(s.next).toBeNull();
    expect(s.message?.id).toBe('Layanan ini ditutup untuk hari ini.');
  });

  it('agrees with the issue rule: available exactly when a kiosk ticket would be issued', () => {
    const services = kupang().services.map((s) => s.id);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-11-20T00:00:00Z'), max: Date.parse('2026-12-05T00:00:00Z') }),
        fc.boolean(),
        fc.constantFrom(...services),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.boolean(),
        (ms, enforceHours, serviceId, cap, issuedCount, closed, active) => {
          const now = new Date(ms);
          const office = kupang({ enforceHours });
          const service = office.services.find((s) => s.id === serviceId)!;
          service.quota.walkIn = cap;
          service.active = active;
          const state = emptyDay(office.id, officeDayOf(now, office.timeZone));
          state.issued.set(serviceId, { walkIn: issuedCount, online: 0 });
          if (closed) state.closedServices.set(serviceId, 'tutup');
          const counts: DayCounts = { walkInIssued: { [serviceId]: issuedCount }, closed: closed ? { [serviceId]: 'tutup' } : {} };
          const decision = decide(state, office, { type: 'issue', service: serviceId, source: 'kiosk' }, { now, actor: { kind: 'device', id: 'k', role: 'kiosk' } });
          const a = officeAvailability(office, counts, now).services.find((s) => s.serviceId === serviceId)!;
          expect(a.available).toBe(decision.ok);
          if (!a.available) expect(a.message).not.toBeNull();
        },
      ),
      { numRuns: 400 },
    );
  });
});
