// Online booking through the real server (HTTP on an ephemeral port, files in
// a temp dir, PostgreSQL where available): a citizen books with a solved proof
// of work, manages the booking with its key, checks in at a paired kiosk and
// is called before older walk-ins once the slot has come; every bad input of
// issue 12 gets its own bilingual error and changes nothing; 1,000 citizens
// racing for 200 places get exactly 200, and a restart keeps them.
import { solveChallenge } from 'altcha-lib/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_PATHS } from '../../protocol/booking.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { login, pairDevice, request, startServer, type TestServer } from '../helpers/server.ts';

// Monday 23 November 2026, 09:00 WITA; the slots booked are on Tuesday.
const START = Date.parse('2026-11-23T01:00:00.000Z');
const TUE_8 = '2026-11-24T00:00:00.000Z';
const TUE_9 = '2026-11-24T01:00:00.000Z';
const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };
const OPTS = { powMaxNumber: 40, holdsPerAddressPerMinute: 1_000_000, holdsPerNikPer10Minutes: 1_000_000 };

const nik = (i: number) => `537101050190${String(i + 1).padStart(4, '0')}`;

async function solved(url: string, office = 'kupang'): Promise<string> {
  const c = await request(url, 'POST', BOOKING_PATHS.challenge(office));
  expect(c.status).toBe(200);
  const solution = await solveChallenge(c.body.challenge, c.body.salt, c.body.algorithm, c.body.maxnumber).promise;
  if (!solution) throw new Error('challenge not solved');
  return Buffer.from(JSON.stringify({ algorithm: c.body.algorithm, challenge: c.body.challenge, number: solution.number, salt: c.body.salt, signature: c.body.signature })).toString('base64');
}

function holdBody(i: number, altcha: string, over: Record<string, unknown> = {}) {
  return { service: 'ktp-el', subcase: 'baru', slot: TUE_8, answers: ANSWERS, nik: nik(i), name: `Warga ${i}`, altcha, ...over };
}

async function setPlaces(srv: TestServer, places: number): Promise<void> {
  await srv.giliran.store.config.update((d) => {
    const o = d.offices.find((x) => x.id === 'kupang')!;
    o.services = o.services.map((s) => (s.id === 'ktp-el' ? { ...s, booking: { enabled: true, places, serviceMinutes: 15 } } : s));
  });
}

describe('online booking over REST', () => {
  let srv: TestServer;
  let clock = START;
  beforeAll(async () => {
    srv = await startServer({ now: () => new Date(clock), booking: OPTS, settings: { trustLoopbackDevices: false, ticketsPerDevicePerMinute: 1_000 } });
    await setPlaces(srv, 3);
  });
  afterAll(async () => {
    await srv.close();
  });

  it('lists slots with places left, "penuh" and the day that is not open yet', async () => {
    const r = await request(srv.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-11-24&to=2026-12-08`);
    expect(r.status).toBe(200);
    const tue = r.body.days[0];
    expect(tue).toMatchObject({ date: '2026-11-24', status: 'open' });
    expect(tue.slots[0]).toMatchObject({ start: TUE_8, time: '08:00', capacity: 3, left: 3, full: false });
    const sat = r.body.days.find((d: { date: string }) => d.date === '2026-11-28');
    expect(sat.status).toBe('closed');
    expect(r.body.days.at(-1)).toMatchObject({ date: '2026-12-08', status: 'not_open_yet' });
    expect(r.body.nextWithRoom).toEqual({ date: '2026-11-24', start: TUE_8 });
  });

  it('holds, confirms, shows, exports and cancels a booking with its key', async () => {
    const held = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(900, await solved(srv.url), { slot: TUE_9 }) });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    const { booking, manageKey } = held.body;
    expect(booking).toMatchObject({ state: 'held', nikMasked: '••••••••••••0901', fee: 0, qrPayload: `GB:kupang:${booking.code}` });
    expect(JSON.stringify(held.body)).not.toContain(nik(900));
    const code = booking.code as string;
    const ok = await request(srv.url, 'POST', BOOKING_PATHS.confirm('kupang', code), { body: { k: manageKey } });
    expect(ok.body.booking.state).toBe('confirmed');
    const got = await request(srv.url, 'GET', `${BOOKING_PATHS.one('kupang', code)}?k=${manageKey}`);
    expect(got.body.booking.whatToBring.length).toBeGreaterThan(0);
    const ics = await request(srv.url, 'GET', `${BOOKING_PATHS.ics('kupang', code)}?k=${manageKey}`);
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    expect(ics.body).toContain('DTSTART:20261124T010000Z');
    const qr = await request(srv.url, 'GET', `${BOOKING_PATHS.qr('kupang', code)}?k=${manageKey}`);
    expect(String(qr.body)).toContain('<svg');
    const moved = await request(srv.url, 'POST', BOOKING_PATHS.change('kupang', code), { body: { k: manageKey, slot: '2026-11-24T01:30:00.000Z' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(moved.body.booking).toMatchObject({ state: 'confirmed', slot: '2026-11-24T01:30:00.000Z' });
    const old = await request(srv.url, 'GET', `${BOOKING_PATHS.one('kupang', code)}?k=${manageKey}`);
    expect(old.body.booking.state).toBe('cancelled');
    const gone = await request(srv.url, 'POST', BOOKING_PATHS.cancel('kupang', moved.body.booking.code), { body: { k: moved.body.manageKey } });
    expect(gone.body.booking.state).toBe('cancelled');
  });

  it('gives every bad input its own bilingual error and changes nothing', async () => {
    const before = await request(srv.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-11-24&to=2026-11-24`);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['past date', { slot: '2026-11-20T00:00:00.000Z' }, 'booking_date_past'],
      ['closed day', { slot: '2026-11-28T00:00:00.000Z' }, 'booking_day_closed'],
      ['not open yet', { slot: '2026-12-08T00:00:00.000Z' }, 'booking_day_not_open'],
      ['no such slot', { slot: '2026-11-24T00:10:00.000Z' }, 'booking_slot_not_found'],
      ['bad NIK', { nik: '5371010501900000' }, 'nik_invalid'],
      ['too young', { nik: '5371010501150001' }, 'booking_age_ineligible'],
      ['document missing', { answers: { brought: { 'usia-17-atau-menikah': true, kk: false }, conditions: {} } }, 'booking_precheck_missing'],
    ];
    for (const [what, over, code] of cases) {
      const r = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(800, await solved(srv.url), over) });
      expect(r.body.error?.code, what).toBe(code);
      expect(r.body.error.message.id.length, what).toBeGreaterThan(5);
      expect(r.body.error.message.en.length, what).toBeGreaterThan(5);
    }
    const bad = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(800, await solved(srv.url), { nik: '53710105019' }) });
    expect(bad.body.error.fields[0].message.id).toContain('16 digit');

    // Wrong and reused proof of work.
    const wrong = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(801, Buffer.from('{"algorithm":"SHA-256","challenge":"x","number":1,"salt":"s","signature":"y"}').toString('base64')) });
    expect(wrong.body.error.code).toBe('pow_invalid');
    const pow = await solved(srv.url);
    expect((await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(801, pow, { confirm: true }) })).status).toBe(201);
    const reused = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(802, pow) });
    expect(reused.body.error.code).toBe('pow_reused');
    // The same NIK again for the same service and day.
    const dup = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(801, await solved(srv.url), { slot: TUE_9 }) });
    expect(dup.body.error.code).toBe('booking_nik_duplicate');
    // A full slot (3 places: one taken above, two more).
    for (const i of [803, 804]) expect((await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(i, await solved(srv.url), { confirm: true }) })).status).toBe(201);
    const full = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(805, await solved(srv.url)) });
    expect(full.body.error.code).toBe('booking_slot_full');
    // A forged manage link.
    const slots = await request(srv.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-11-24&to=2026-11-24`);
    const forged = await request(srv.url, 'POST', BOOKING_PATHS.cancel('kupang', 'ABCDEFGH'), { body: { k: 'AAAAAAAAAAAAAAAA' } });
    expect(forged.body.error.code).toBe('manage_key_invalid');
    // Only the three good holds changed the slot.
    expect(before.body.days[0].slots[0].left - slots.body.days[0].slots[0].left).toBe(3);
  });

  it('checks in at a paired kiosk inside the window, and the ticket is called before older walk-ins once its slot has come', async () => {
    const made = await request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(700, await solved(srv.url), { slot: '2026-11-24T02:00:00.000Z', confirm: true }) });
    expect(made.status).toBe(201);
    const code = made.body.booking.code as string;
    const admin = await login(srv.url, 'admin');
    const kiosk = await pairDevice(srv.url, admin, 'kiosk');
    const auth = { headers: { authorization: `Bearer ${kiosk.token}` } };
    // Tuesday 09:00 WITA: the 10:00 slot's window opens at 09:30.
    clock = Date.parse('2026-11-24T01:00:00.000Z');
    const early = await request(srv.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { ...auth, body: { code } });
    expect(early.body.error.code).toBe('check_in_too_early');
    expect(early.body.error.message.id).toContain('Silakan datang kembali pukul 09.30 WITA');
    expect((await request(srv.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { body: { code } })).status).toBe(401);
    expect((await request(srv.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { ...auth, body: { code: `GB:padang-panjang:${code}` } })).body.error.code).toBe('booking_other_office');
    expect((await request(srv.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { ...auth, body: { code: 'ZZZZZZZZ' } })).body.error.code).toBe('booking_not_found');
    // Two walk-ins queue first, at 09:40.
    clock = Date.parse('2026-11-24T01:40:00.000Z');
    for (let i = 0; i < 2; i++) expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { ...auth, body: { service: 'ktp-el' } })).status).toBe(201);
    const inn = await request(srv.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { ...auth, body: { code: `GB:kupang:${code}` } });
    expect(inn.status, JSON.stringify(inn.body)).toBe(201);
    expect(inn.body.ticket).toMatchObject({ source: 'booking', bookingSlot: '2026-11-24T02:00:00.000Z' });
    expect(inn.body.booking.state).toBe('checked_in');
    expect((await request(srv.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { ...auth, body: { code } })).body.error.code).toBe('booking_already_checked_in');
    // 10:00: the slot has come; "call next" takes the booking before the older walk-ins.
    clock = Date.parse('2026-11-24T02:00:00.000Z');
    const clerk = await login(srv.url, 'petugas1');
    expect((await request(srv.url, 'PUT', '/api/v1/offices/kupang/counters/1/settings', { body: { services: ['ktp-el'], autoCallNext: false }, cookie: clerk })).status).toBe(200);
    const called = await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/1/call-next', { body: {}, cookie: clerk });
    expect(called.body.ticket.id).toBe(inn.body.ticket.id);
  });

  it('lets a clerk book for a citizen, and a supervisor list the day and block a slot; roles are enforced', async () => {
    clock = START;
    const clerk = await login(srv.url, 'petugas1');
    const staffBody = { service: 'ktp-el', subcase: 'baru', slot: '2026-11-24T03:00:00.000Z', nik: nik(600), name: 'Opa Yohanes' };
    const made = await request(srv.url, 'POST', BOOKING_PATHS.staffCreate('kupang'), { body: staffBody, cookie: clerk });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.booking.state).toBe('confirmed');
    expect((await request(srv.url, 'GET', `${BOOKING_PATHS.staffDay('kupang')}?day=2026-11-24`, { cookie: clerk })).status).toBe(403);
    expect((await request(srv.url, 'POST', BOOKING_PATHS.staffCreate('kupang'), { body: staffBody })).status).toBe(401);
    const sup = await login(srv.url, 'supervisor');
    const day = await request(srv.url, 'GET', `${BOOKING_PATHS.staffDay('kupang')}?day=2026-11-24&service=ktp-el`, { cookie: sup });
    expect(day.status).toBe(200);
    const slot = day.body.slots.find((s: { start: string }) => s.start === '2026-11-24T03:00:00.000Z');
    expect(slot.bookings).toEqual([expect.objectContaining({ name: 'Opa Yohanes', nikLast4: '0601', channel: 'staff' })]);
    expect(JSON.stringify(day.body)).not.toContain('nikHash');
    const blocked = await request(srv.url, 'POST', BOOKING_PATHS.block('kupang'), { body: { service: null, slot: '2026-11-24T03:00:00.000Z', reason: 'Sistem down' }, cookie: sup });
    expect(blocked.body.cancelled).toEqual([made.body.booking.code]);
    const slots = await request(srv.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-11-24&to=2026-11-24`);
    expect(slots.body.days[0].slots.find((s: { start: string }) => s.start === '2026-11-24T03:00:00.000Z')).toMatchObject({ blocked: true, left: 0 });
    expect((await request(srv.url, 'POST', BOOKING_PATHS.unblock('kupang'), { body: { service: null, slot: '2026-11-24T03:00:00.000Z' }, cookie: sup })).status).toBe(204);
  });
});

/**
 * Runs `fn` over 0…n-1 with at most `width` in flight: a thousand connections
 * opened in the same instant overflow the listen backlog (511) of a loaded
 * machine, which resets some; 300 in flight still race for the same places.
 */
async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

/** 1,000 citizens at once for one slot of 200 places: exactly 200 confirmed, the rest "full", and a restart keeps the 200. */
async function race(makeServer: () => Promise<TestServer>): Promise<void> {
  let srv = await makeServer();
  try {
    await setPlaces(srv, 200);
    const pows = await pool(1000, 100, () => solved(srv.url));
    const answers = await pool(1000, 300, (i) => request(srv.url, 'POST', BOOKING_PATHS.hold('kupang'), { body: holdBody(i, pows[i]!, { confirm: true }) }));
    const codes = answers.filter((a) => a.status === 201).map((a) => a.body.booking.code as string);
    expect(codes).toHaveLength(200);
    expect(new Set(codes).size).toBe(200);
    const others = new Set(answers.filter((a) => a.status !== 201).map((a) => a.body.error.code));
    expect([...others]).toEqual(['booking_slot_full']);
    await srv.close();
    srv = await makeServer();
    const sup = await login(srv.url, 'supervisor');
    const day = await request(srv.url, 'GET', `${BOOKING_PATHS.staffDay('kupang')}?day=2026-11-24&service=ktp-el`, { cookie: sup });
    const slot = day.body.slots.find((s: { start: string }) => s.start === TUE_8);
    expect(slot.taken).toBe(200);
    expect(slot.bookings.map((b: { code: string }) => b.code).sort()).toEqual([...codes].sort());
  } finally {
    await srv.close();
  }
}

describe('the rush', () => {
  it('gives 1,000 racing citizens exactly the 200 places on the embedded store, kept across a restart', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-rush-'));
    try {
      await race(() => startServer({ dataDir, now: () => new Date(START), booking: OPTS }));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  describe.runIf(postgresAvailable())('on PostgreSQL', () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    beforeAll(async () => {
      db = await freshDatabase('booking_rush');
    });
    afterAll(async () => {
      await db?.drop();
    });
    it('gives 1,000 racing citizens exactly the 200 places, kept across a restart', async () => {
      await race(() => startServer({ now: () => new Date(START), booking: OPTS, settings: { databaseUrl: db.url } }));
    }, 240_000);
  });
});
