// The estimated wait (server/domain/eta.ts, docs/eta.md): Monte Carlo runs of
// the real call order, with the arrivals still to come, run through decide +
// applyCommit as the shell does.
import { describe, it, expect } from 'vitest';
import { arrivalProfileOf, positions, rangeForNewTicket, simulatedOrder, type ArrivalProfile } from '../../server/domain/eta.ts';
import { pastDaysProfile } from '../../server/domain/eta-history.ts';
import { etaForNewTicket } from '../../server/domain/routing.ts';
import type { Commit } from '../../server/domain/state.ts';
import { NINE_AM, Sim, kupang, replay, withCounters } from '../helpers/domain.ts';

/** A profile of past days: per service, tickets per half hour between 08:00 and 15:00 local. */
function profile(perHalfHour: Record<string, number>, pauses: ArrivalProfile['pauses'] = []): ArrivalProfile {
  const row = (x: number) => Array.from({ length: 48 }, (_, k) => (k >= 16 && k < 30 ? x : 0));
  return { slotMinutes: 30, days: 10, perService: Object.fromEntries(Object.entries(perHalfHour).map(([k, v]) => [k, row(v)])), pauses, serviceTimes: {} };
}

const mid = (w: { low: number; high: number }) => (w.low + w.high) / 2;
/** 16:00 WITA on the helpers' day: after closing, no more arrivals. */
const FOUR_PM = '2026-11-23T08:00:00.000Z';

describe('the estimated wait', () => {
  it('puts a ticket of a service a counter lists second behind the later arrivals of its first one, unlike the naive estimate', () => {
    const office = withCounters(kupang({ defaultServiceMinutes: 6 }), { '1': ['ktp-el', 'kia'], '2': [], '3': [], '4': [] });
    const quiet = new Sim(office);
    const busy = new Sim(office);
    for (const s of [quiet, busy]) {
      s.issue('ktp-el');
      s.issue('ktp-el');
      s.callNext('1');
    }
    quiet.state.arrivalProfile = profile({ 'ktp-el': 0 });
    // Past days: 12 KTP-el tickets per half hour (today's two so far scale it to ~0.6), more than one counter at 6 minutes each can take.
    busy.state.arrivalProfile = profile({ 'ktp-el': 12, kia: 0.5 });
    const now = busy.now.getTime();
    const calm = rangeForNewTicket(quiet.state, office, 'kia', now).wait;
    const rushed = rangeForNewTicket(busy.state, office, 'kia', now).wait;
    const naive = etaForNewTicket(busy.state, office, 'kia');
    expect(naive).toBe(0); // nobody waits for KIA
    expect(calm.high).toBeLessThan(30); // the one KTP-el left, then KIA
    expect(rushed.low).toBeGreaterThan(calm.high);
    expect(rushed.low).toBeGreaterThan(naive + 60);
    // The first-listed service itself is not held back by them.
    expect(rangeForNewTicket(busy.state, office, 'ktp-el', now).wait.high).toBeLessThan(rushed.low);
  });

  it('leaves a paused counter out until its pause is expected to end', () => {
    const office = withCounters(kupang({ defaultServiceMinutes: 5 }), { '1': ['ktp-el'], '2': ['ktp-el'], '3': [], '4': [] });
    const open = new Sim(office, { start: FOUR_PM });
    const paused = new Sim(office, { start: FOUR_PM });
    for (const s of [open, paused]) for (let i = 0; i < 6; i++) s.issue('ktp-el');
    paused.ok({ type: 'pause', counterId: '2', reason: 'break', note: null });
    const a = rangeForNewTicket(open.state, office, 'ktp-el', open.now.getTime()).wait;
    const b = rangeForNewTicket(paused.state, office, 'ktp-el', paused.now.getTime()).wait;
    expect(mid(b)).toBeGreaterThan(mid(a) + 5);
    // Both paused: nobody calls before the break (15 minutes) is over.
    paused.ok({ type: 'pause', counterId: '1', reason: 'break', note: null });
    const c = rangeForNewTicket(paused.state, office, 'ktp-el', paused.now.getTime()).wait;
    expect(c.low).toBeGreaterThanOrEqual(14);
  });

  it('gives every waiting ticket of a busy queue a range 0 <= low <= high, later in FIFO never earlier', () => {
    const office = kupang();
    const s = new Sim(office, { step: 20 });
    const services = ['ktp-el', 'kk', 'akta', 'kia', 'pindah-datang', 'perubahan-data', 'informasi'];
    for (let i = 0; i < 40; i++) s.issue(services[(i * 5) % 7]!, i % 9 === 0 ? { priority: 'elderly' } : {});
    for (const c of ['1', '2', '3', '4']) s.callNext(c);
    s.ok({ type: 'pause', counterId: '3', reason: 'prayer', note: null });
    s.state.arrivalProfile = profile({ 'ktp-el': 4, kk: 2, informasi: 1 });
    const pos = positions(s.state, office, s.now.getTime());
    expect(pos.size).toBe(s.state.waiting.size);
    for (const p of pos.values()) {
      expect(p.wait.low).toBeGreaterThanOrEqual(0);
      expect(p.wait.high).toBeGreaterThanOrEqual(p.wait.low);
      expect(p.ahead).toBeGreaterThanOrEqual(0);
    }
    for (const list of s.state.waitingByService.values()) {
      const regular = list.filter((t) => !t.priority);
      for (let i = 1; i < regular.length; i++) {
        const [a, b] = [pos.get(regular[i - 1]!.id)!, pos.get(regular[i]!.id)!];
        expect(b.wait.low).toBeGreaterThanOrEqual(a.wait.low);
        expect(b.wait.high).toBeGreaterThanOrEqual(a.wait.high);
      }
    }
  });

  it('answers the same for the same state and instant', () => {
    const office = kupang();
    const s = new Sim(office, { step: 30 });
    for (let i = 0; i < 25; i++) s.issue(['ktp-el', 'kk', 'kia', 'informasi'][i % 4]!);
    s.callNext('1');
    s.callNext('4');
    const twin = replay(office, s.state.officeDay, s.commits);
    const now = s.now.getTime();
    expect(rangeForNewTicket(twin, office, 'kia', now)).toEqual(rangeForNewTicket(s.state, office, 'kia', now));
    expect([...positions(twin, office, now)]).toEqual([...positions(s.state, office, now)]);
  });

  it('calls the waiting tickets in call_next order when no more arrive (after closing)', () => {
    const office = withCounters(kupang({ priorityPerRegular: 2 }), { '1': ['ktp-el', 'kia'], '2': [], '3': [], '4': [] });
    const s = new Sim(office, { start: FOUR_PM });
    const mix: Array<[string, boolean]> = [['kia', false], ['ktp-el', false], ['ktp-el', true], ['kia', true], ['ktp-el', false], ['ktp-el', true], ['kia', false], ['ktp-el', true], ['ktp-el', false]];
    for (const [svc, prio] of mix) s.issue(svc, prio ? { priority: 'pregnant' } : {});
    const predicted = simulatedOrder(s.state, office, s.now.getTime());
    const real = s.drain('1').map((n) => s.ticket(n).id);
    expect(predicted).toEqual(real);
  });

  it('says nothing for a service no counter serves', () => {
    const office = withCounters(kupang(), { '4': ['ktp-el'] });
    for (const c of office.counters) if (c.id !== '4') c.services = ['ktp-el'];
    const s = new Sim(office);
    s.issue('kia');
    const p = rangeForNewTicket(s.state, office, 'kia', s.now.getTime());
    expect(p).toEqual({ ahead: 1, wait: { low: 0, high: 0 } });
    expect(positions(s.state, office, s.now.getTime()).get(s.ticket('D001').id)).toEqual({ ahead: 0, wait: { low: 0, high: 0 } });
  });
});

describe('the profile of past days', () => {
  it('averages tickets per slot and keeps each day’s pauses and a service-time fit', () => {
    const day = (n: number) => ({
      tickets: Array.from({ length: n }, (_, i) => ({
        serviceId: 'ktp-el',
        issuedAt: NINE_AM, // 09:00 WITA: slot 18 of 30 minutes
        state: 'done' as const,
        calledAt: NINE_AM,
        startedAt: null,
        finishedAt: new Date(Date.parse(NINE_AM) + (i + 1) * 60_000).toISOString(),
      })),
      events: [
        { type: 'counter_paused' as const, at: '2026-11-23T02:00:00.000Z', counterId: '1' },
        { type: 'counter_resumed' as const, at: '2026-11-23T02:15:00.000Z', counterId: '1' },
      ],
    });
    const p = arrivalProfileOf([day(2), day(4)], 'Asia/Makassar');
    expect(p.days).toBe(2);
    expect(p.perService['ktp-el']![18]).toBe(3);
    expect(p.perService['ktp-el']![17]).toBe(0);
    expect(p.pauses).toEqual([{ '1': [[600, 15]] }, { '1': [[600, 15]] }]);
    const fit = p.serviceTimes['ktp-el']!;
    expect(fit.n).toBe(6);
    expect(Math.exp(fit.mu)).toBeGreaterThan(60_000);
    expect(Math.exp(fit.mu)).toBeLessThan(180_000);
  });
});

describe('past days from the journal', () => {
  it('replays the days before, skips empty ones, and stops at ten days', async () => {
    const office = kupang();
    const byDay = new Map<string, Commit[]>();
    // Working days with tickets on 11-09 … 11-22 except the weekend 11-14/15 and 11-21/22.
    for (let d = 9; d <= 22; d++) {
      const day = `2026-11-${String(d).padStart(2, '0')}`;
      if ([14, 15, 21, 22].includes(d)) continue;
      const s = new Sim(office, { day, start: `${day}T01:00:00.000Z`, step: 60 });
      s.issue('ktp-el');
      s.issue('kk');
      s.callNext('1');
      s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
      byDay.set(day, s.commits);
    }
    const asked: string[] = [];
    const p = await pastDaysProfile(office, '2026-11-23', async (day) => {
      asked.push(day);
      return byDay.get(day) ?? [];
    });
    expect(p!.days).toBe(10);
    expect(asked[0]).toBe('2026-11-22');
    expect(asked.at(-1)).toBe('2026-11-09');
    expect(p!.perService['ktp-el']![18]).toBe(1); // 09:00 WITA, one a day
    expect(p!.serviceTimes['ktp-el']!.n).toBe(10);
    expect(await pastDaysProfile(office, '2026-11-23', async () => [])).toBeNull();
  });
});
