import { describe, expect, it } from 'vitest';
import type { QueueSnapshot, ServiceStats } from '../../protocol/model.ts';
import { availabilityMayHaveChanged } from '../../kiosk/rules.ts';

const stats = (serviceId: string, over: Partial<ServiceStats> = {}): ServiceStats => ({
  serviceId, waiting: 0, oldestWaitingSince: null, etaMinutes: 0, countersServing: 1, issuedToday: 0, closedToday: false, ...over,
});
const snap = (services: ServiceStats[]): QueueSnapshot => ({
  officeId: 'kupang', officeDay: '2026-11-23', version: 1, serverTime: '2026-11-23T01:00:00.000Z', tickets: [], counters: [], services, recentCalls: [],
});

describe('kiosk: when to ask for availability again', () => {
  it('asks after a ticket was issued or a service closed or reopened, not after a call', () => {
    const before = snap([stats('kk', { waiting: 3, issuedToday: 5 }), stats('akta')]);
    expect(availabilityMayHaveChanged(null, before)).toBe(true);
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 2, issuedToday: 5 }), stats('akta')]))).toBe(false); // a call
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 4, issuedToday: 6 }), stats('akta')]))).toBe(true);
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 3, issuedToday: 5 }), stats('akta', { closedToday: true })]))).toBe(true);
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 3, issuedToday: 5 }), stats('akta'), stats('kia')]))).toBe(true);
  });
});
