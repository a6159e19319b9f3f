// The slots answer is computed once and reused (BookingService.slotsJson)
// while nothing it read changed: these check that the reuse is exact. A
// hold, a confirm, a withdrawal and a cancel show in the very next answer; a
// configuration change (places) shows at once; and with no commit at all the
// clock alone changes the answer at the exact instant: a hold runs out, a
// cancelled place comes back, the last day of the window opens at opensAt.
import { solveChallenge } from 'altcha-lib/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_PATHS } from '../../protocol/booking.ts';
import { request, startServer, type TestServer } from '../helpers/server.ts';

// Monday 23 November 2026, 09:00 WITA; the slots booked are on Tuesday.
const START = Date.parse('2026-11-23T01:00:00.000Z');
const TUE_8 = '2026-11-24T00:00:00.000Z';
const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };
const nik = (i: number) => `537101050190${String(i + 1).padStart(4, '0')}`;

describe('availability answers reused only while exact', () => {
  let srv: TestServer;
  let clock = START;
  beforeAll(async () => {
    srv = await startServer({ now: () => new Date(clock), booking: { powMaxNumber: 40, holdsPerAddressPerMinute: 1_000_000, holdsPerNikPer10Minutes: 1_000_000 } });
    await places(4);
  });
  afterAll(async () => {
    await srv.close();
  });

  async function places(n: number): Promise<void> {
    await srv.giliran.store.config.update((d) => {
      const o = d.offices.find((x) => x.id === 'kupang')!;
      o.services = o.services.map((s) => (s.id === 'ktp-el' ? { ...s, booking: { enabled: true, places: n, serviceMinutes: 15 } } : s));
    });
  }
  /** The whole window (the default query) and one day: two cache keys. */
  async function left(): Promise<{ window: number; day: number; serverTime: string }> {
    const w = await request(srv.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el`);
    const d = await request(srv.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-11-24&to=2026-11-24`);
    expect(w.status).toBe(200);
    expect(d.status).toBe(200);
    const tue = w.body.days.find((x: { date: string }) => x.date === '2026-11-24');
    expect(tue.slots[0].left).toBe(d.body.days[0].slots[0].left);
    return { window: tue.slots[0].left, day: d.body.days[0].slots[0].left, serverTime: w.body.serverTime };
  }
  async function hold(i: number, confirm = false) {
    const c = await request(srv.url, 'POST', BOOKING_PATHS.challenge('kupang'));
    const s = await solveChallenge(c.body.challenge, c.body.salt, c.body.algorithm, c.body.maxnumber).promise;
    const altcha = Buffer.from(JSON.stringify({ algorithm: c.body.algorithm, challenge: c.body.challenge, number: s!.number, salt: c.body.salt, signature: c.body.signature })).toString('base64');
    const r = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: { service: 'ktp-el', subcase: 'baru', slot: TUE_8, answers: ANSWERS, nik: nik(i), name: `Warga ${i}`, altcha, confirm } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { booking: { code: string; holdExpiresAt: string | null }; manageKey: string };
  }

  it('shows every commit in the very next answer, and a change of places at once', async () => {
    expect((await left()).day).toBe(4);
    expect((await left()).day).toBe(4); // answered from the cache
    const a = await hold(1);
    expect(await left()).toMatchObject({ window: 3, day: 3 });
    await request(srv.url, 'POST', BOOKING_PATHS.confirm('kupang', a.booking.code), { body: { k: a.manageKey } });
    expect((await left()).day).toBe(3);
    const b = await hold(2);
    expect((await left()).day).toBe(2);
    // A hold withdrawn gives its place back at once.
    await request(srv.url, 'POST', BOOKING_PATHS.cancel('kupang', b.booking.code), { body: { k: b.manageKey } });
    expect((await left()).day).toBe(3);
    await places(6);
    expect(await left()).toMatchObject({ window: 5, day: 5 });
    await places(1);
    expect(await left()).toMatchObject({ window: 0, day: 0 });
    await places(4);
    expect((await left()).day).toBe(3);
    // serverTime is the clock of each answer, cached or not.
    clock += 1234;
    expect((await left()).serverTime).toBe(new Date(clock).toISOString());
  });

  it('changes with the clock alone: a hold runs out, a cancelled place comes back, a day opens', async () => {
    const before = (await left()).day;
    const h = await hold(3);
    expect((await left()).day).toBe(before - 1);
    const expires = Date.parse(h.booking.holdExpiresAt!);
    clock = expires - 1;
    expect((await left()).day).toBe(before - 1);
    clock = expires; // no commit: the hold stops counting at its expiry
    expect((await left()).day).toBe(before);

    const c = await hold(4, true);
    expect((await left()).day).toBe(before - 1);
    const gone = await request(srv.url, 'POST', BOOKING_PATHS.cancel('kupang', c.booking.code), { body: { k: c.manageKey } });
    expect(gone.body.booking.state).toBe('cancelled');
    const cancelledAt = clock;
    expect((await left()).day).toBe(before - 1); // the place comes back after the release delay
    clock = cancelledAt + 30 * 60_000 - 1;
    expect((await left()).day).toBe(before - 1);
    clock = cancelledAt + 30 * 60_000;
    expect((await left()).day).toBe(before);

    // The last day of the window (Tuesday 8 December) opens at 06:00 WITA on Tuesday 24 November.
    const opens = Date.parse('2026-11-23T22:00:00.000Z');
    const q = `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-12-08&to=2026-12-08`;
    clock = opens - 1;
    expect((await request(srv.url, 'GET', q)).body.days[0].status).toBe('not_open_yet');
    expect((await request(srv.url, 'GET', q)).body.days[0].status).toBe('not_open_yet');
    clock = opens;
    expect((await request(srv.url, 'GET', q)).body.days[0]).toMatchObject({ status: 'open', opensAt: null });
  });
});
