// What the wait estimate reads of today's arrivals (server/domain/eta.ts
// dayArrivals) is kept by the reducer (state.arrivals) instead of walking every
// ticket of the day per estimate. It must be exactly what the walk gave: a busy
// day through decide + applyCommit (3,000+ tickets, seven services, priority
// and booking tickets, transfers, tickets issued at the same instant), asked
// at instants inside the day (tickets issued after `now` do not count yet),
// under the office's config and one with a service removed, on the live day,
// the journal replayed, and the day a reopened embedded store reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OfficeConfig } from '../../protocol/model.ts';
import { ARRIVAL_WINDOW_MINUTES, dayArrivals, rangeForNewTicket, rng, type DayArrivals } from '../../server/domain/eta.ts';
import type { DayState } from '../../server/domain/state.ts';
import { demoSeed } from '../../server/seed/index.ts';
import { openLowdbStore } from '../../server/store/lowdb-store.ts';
import { DAY, Sim, kupang, replay } from '../helpers/domain.ts';

/** The whole-day walk the estimate made before (server/domain/eta.ts buildModel up to 2026-12-02), kept as the reference. */
function scan(state: DayState, office: OfficeConfig, now: number): DayArrivals {
  const index = new Map<string, number>();
  office.services.forEach((s, i) => index.set(s.id, i));
  const perService = new Float64Array(office.services.length);
  let today = 0;
  let recent = 0;
  let first = Infinity;
  let priority = 0;
  let booked = 0;
  const leads: number[] = [];
  const from = now - ARRIVAL_WINDOW_MINUTES * 60_000;
  for (const t of state.tickets.values()) {
    const at = Date.parse(t.issuedAt);
    if (at > now) continue;
    const i = index.get(t.serviceId);
    if (i === undefined) continue;
    today += 1;
    perService[i]! += 1;
    if (at < first) first = at;
    if (at > from) recent += 1;
    if (t.priority) priority += 1;
    if (t.source === 'booking') {
      booked += 1;
      if (t.bookingSlot) leads.push(Math.min(3_600_000, Math.max(0, Date.parse(t.bookingSlot) - at)));
    }
  }
  leads.sort((a, b) => a - b);
  return { perService, today, recent, first, priority, booked, bookingLead: leads.length ? leads[leads.length >> 1]! : 0 };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** 08:00 WITA on the helpers' day. */
const EIGHT_AM = '2026-11-23T00:00:00.000Z';
const TICKETS = 3_200;

/** A busy day: TICKETS issued over ~7 hours, the four counters calling, finishing and now and then transferring. */
function busyDay(office: OfficeConfig): Sim {
  const s = new Sim(office, { start: EIGHT_AM, step: 2 });
  const r = rng(20261202);
  const services = office.services.map((x) => x.id);
  for (let i = 0; i < TICKETS; i++) {
    // Now and then a few tickets at one instant (two kiosks at once).
    s.step = r() < 0.05 ? 0 : 2;
    const booked = r() < 0.12;
    const slotMinutes = Math.floor(r() * 150) - 30; // some slots already begun (lead below 0), some beyond an hour
    s.issue(services[Math.floor(r() * services.length)]!, {
      source: booked ? 'booking' : 'kiosk',
      priority: r() < 0.06 ? 'elderly' : null,
      bookingSlot: booked ? new Date(s.now.getTime() + slotMinutes * 60_000).toISOString() : null,
    });
    if (s.state.waiting.size > 25) {
      for (const c of ['1', '2', '3', '4']) {
        const held = s.state.counters.get(c)?.ticketId;
        if (held) {
          if (r() < 0.08) s.ok({ type: 'transfer', counterId: c, toService: services[Math.floor(r() * services.length)]!, precedence: false });
          else s.ok({ type: 'finish', counterId: c, outcome: 'done' });
        }
        s.run({ type: 'call_next', counterId: c });
      }
    }
  }
  return s;
}

const plain = (a: DayArrivals) => ({ ...a, perService: Array.from(a.perService) });

describe('the arrivals the wait estimate reads', () => {
  it('are the whole-day walk’s, on a busy day live, replayed and reopened, with a service removed from the office', { timeout: 120_000 }, async () => {
    const office = kupang({ enforceHours: false });
    const s = busyDay(office);
    const tickets = [...s.state.tickets.values()];
    expect(tickets.length).toBe(TICKETS);
    expect(tickets.filter((t) => t.transfers > 0).length).toBeGreaterThan(20);
    const bookedWithSlot = tickets.filter((t) => t.source === 'booking' && t.bookingSlot);
    expect(bookedWithSlot.length).toBeGreaterThan(300);

    // The same day from the journal: replayed, and read by a reopened embedded store.
    const replayed = replay(office, DAY, s.commits);
    const dir = await mkdtemp(path.join(tmpdir(), 'giliran-eta-arrivals-'));
    dirs.push(dir);
    const seed = async () => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;
    const a = (await openLowdbStore({ dataDir: dir, seed })).store;
    await a.queue.openDay(office, DAY);
    for (const c of s.commits) await a.queue.commit(office, DAY, c);
    await a.close();
    const b = (await openLowdbStore({ dataDir: dir, seed })).store;
    const reopened = await b.queue.openDay(office, DAY);
    expect(reopened.tickets.size).toBe(TICKETS);

    // The office without a service that has tickets, booked ones among them (a config changed during the day).
    const gone = 'kk';
    expect(bookedWithSlot.some((t) => t.serviceId === gone)).toBe(true);
    const smaller: OfficeConfig = { ...office, services: office.services.filter((x) => x.id !== gone) };

    // Instants: each 40th ticket's issue instant exactly, a ms before and after, before the day and after it.
    const instants = [Date.parse(EIGHT_AM) - 1, s.now.getTime(), s.now.getTime() + 3 * 3_600_000];
    for (let i = 0; i < tickets.length; i += 40) {
      const at = Date.parse(tickets[i]!.issuedAt);
      instants.push(at - 1, at, at + 1);
    }
    let compared = 0;
    for (const state of [s.state, replayed, reopened]) {
      for (const o of [office, smaller]) {
        for (const now of instants) {
          expect(plain(dayArrivals(state, o, now))).toEqual(plain(scan(state, o, now)));
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(1_400);
    // Inside the day, some later tickets do not count yet; under the smaller office the removed service's do not.
    const mid = Date.parse(tickets[TICKETS >> 1]!.issuedAt);
    expect(dayArrivals(s.state, office, mid).today).toBeLessThan(TICKETS);
    expect(dayArrivals(s.state, smaller, s.now.getTime()).today).toBeLessThan(dayArrivals(s.state, office, s.now.getTime()).today);
    expect(dayArrivals(s.state, office, s.now.getTime()).bookingLead).toBeGreaterThan(0);

    // The estimates on the three days agree (they read the same figures).
    const now = s.now.getTime();
    for (const sid of ['ktp-el', 'akta', gone]) {
      const live = rangeForNewTicket(s.state, office, sid, now);
      expect(rangeForNewTicket(replayed, office, sid, now)).toEqual(live);
      expect(rangeForNewTicket(reopened, office, sid, now)).toEqual(live);
    }
    expect(rangeForNewTicket(s.state, smaller, 'ktp-el', now).wait.high).toBeGreaterThanOrEqual(0);
    await b.close();
  });
});
