// The per-NIK week limit across server processes on one PostgreSQL database:
// each process caches the days it has opened, and another process's
// bookings on a future day reach it only when it writes under the office's
// lease. A hold brings the week's other days up to date under the lease
// before deciding (BookingService #nikDecider, QueueService.catchUpDay), so
// the same NIK booking on different days of one week through two processes
// hits the limit, even when both had those days cached before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_PATHS } from '../../protocol/booking.ts';
import { addDays } from '../../server/domain/availability.ts';
import { weekOf } from '../../server/domain/booking.ts';
import { officeDayOf } from '../../server/domain/time.ts';
import type { ChildServer } from '../helpers/child-server.ts';
import { centralEnv, startProcesses } from '../helpers/central.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { login, request } from '../helpers/server.ts';

const NIK = '5371010501900777';
const OTHER = '5371010501900778';

describe.runIf(postgresAvailable())('the per-NIK week limit across processes on one PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cleanup: (() => Promise<void>) | null = null;
  let a: ChildServer;
  let b: ChildServer;
  beforeAll(async () => {
    db = await freshDatabase('booking_central');
    const made = await centralEnv(db.url);
    cleanup = made.cleanup;
    [a, b] = (await startProcesses(2, made.env)) as [ChildServer, ChildServer];
  }, 120_000);
  afterAll(async () => {
    for (const s of [a, b]) await s?.kill('SIGTERM');
    await db?.drop();
    await cleanup?.();
  });

  it('refuses the NIK a 4th booking of the week (perNikPerWeek 3) whichever process takes it', async () => {
    // Next week (inside the 14-day window on either process): its first four open days.
    const today = officeDayOf(new Date(), 'Asia/Makassar');
    const week = weekOf(addDays(today, 7));
    const q = `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=${week[0]}&to=${week[6]}`;
    // Both processes open (and cache) those days before any booking is made.
    const listed = await request(a.url, 'GET', q);
    expect((await request(b.url, 'GET', q)).status).toBe(200);
    expect(listed.status).toBe(200);
    const open = (listed.body.days as Array<{ date: string; status: string; slots: Array<{ start: string; left: number }> }>).filter((d) => d.status === 'open' && d.slots.some((s) => s.left > 0));
    expect(open.length).toBeGreaterThanOrEqual(4);
    const slotOf = (i: number) => open[i]!.slots.find((s) => s.left > 0)!.start;
    const clerkA = await login(a.url, 'petugas1');
    const clerkB = await login(b.url, 'petugas2');
    const book = (srv: ChildServer, cookie: string, i: number, nik = NIK) => request(srv.url, 'POST', BOOKING_PATHS.staffCreate('kupang'), { body: { service: 'ktp-el', subcase: 'baru', slot: slotOf(i), nik, name: 'Ibu Maria' }, cookie });

    // Days 1 and 3 through A, day 2 through B: each process's cache of the others' days is stale.
    const first = await book(a, clerkA, 0);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await book(b, clerkB, 1);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const third = await book(a, clerkA, 2);
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    // The 4th, on day 4, through B (which saw only its own booking) and through A: both refused.
    const fourthB = await book(b, clerkB, 3);
    expect(fourthB.status, JSON.stringify(fourthB.body)).toBe(409);
    expect(fourthB.body.error.code).toBe('booking_nik_week_limit');
    expect(fourthB.body.error.message.id.length).toBeGreaterThan(5);
    const fourthA = await book(a, clerkA, 3);
    expect(fourthA.body.error?.code).toBe('booking_nik_week_limit');
    // Nothing changed on day 4 (another NIK still gets that place), and the limit is per NIK.
    const other = await book(b, clerkB, 3, OTHER);
    expect(other.status, JSON.stringify(other.body)).toBe(201);

    // Once one of the three is cancelled (through A), B takes the 4th: the week is read up to date both ways.
    const sup = await login(a.url, 'supervisor');
    const cancelled = await request(a.url, 'POST', BOOKING_PATHS.staffCancel('kupang', first.body.booking.code), { body: {}, cookie: sup });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const again = await book(b, clerkB, 3);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });
});
