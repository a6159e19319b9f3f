// Two server instances on one PostgreSQL database (a central deployment's
// processes): counters on both race "call next" through a busy day and no
// ticket ever reaches two counters; every acknowledged change is in the
// database for a fresh process to read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countersOnTwo } from '../helpers/central.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const TICKETS = 400;
const OFFICE = '/api/v1/offices/kupang';

describe.runIf(postgresAvailable())('two processes on one PostgreSQL database', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    db = await freshDatabase('central');
    for (let i = 0; i < 2; i++) servers.push(await startServer({ settings: { databaseUrl: db.url, ticketsPerDevicePerMinute: 1_000_000 } }));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await db?.drop();
  });

  it(`gives each of ${TICKETS} tickets to exactly one of four counters on two processes`, async () => {
    const [a, b] = servers as [TestServer, TestServer];
    // Issued on both processes at once, half each: numbers stay unique and gap-free.
    const issued = await Promise.all(
      Array.from({ length: TICKETS }, async (_, i) => {
        const res = await request((i % 2 ? a : b).url, 'POST', `${OFFICE}/tickets`, { body: { service: i % 3 ? 'ktp-el' : 'kk', idempotencyKey: `central-${i}` } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.ticket as { id: string; number: string };
      }),
    );
    expect(new Set(issued.map((t) => t.number)).size).toBe(TICKETS);
    const counters = countersOnTwo(a, b);
    const calledBy = new Map<string, string[]>();
    await Promise.all(
      counters.map(async (c) => {
        const cookie = await login(c.srv.url, c.user);
        expect((await request(c.srv.url, 'PUT', `${OFFICE}/counters/${c.id}/settings`, { body: { services: ['ktp-el', 'kk'], autoCallNext: false }, cookie })).status).toBe(200);
        for (;;) {
          const res = await request(c.srv.url, 'POST', `${OFFICE}/counters/${c.id}/call-next`, { body: {}, cookie });
          if (res.status !== 200) {
            expect(res.body.error.code).toBe('queue_empty');
            return;
          }
          const id = res.body.ticket.id as string;
          calledBy.set(id, [...(calledBy.get(id) ?? []), c.id]);
          expect((await request(c.srv.url, 'POST', `${OFFICE}/counters/${c.id}/finish`, { body: {}, cookie })).status).toBe(200);
        }
      }),
    );
    const twice = [...calledBy].filter(([, cs]) => cs.length > 1);
    expect(twice).toEqual([]);
    expect(calledBy.size).toBe(TICKETS);
    // Both processes really served: the race was real.
    const perCounter = new Map<string, number>();
    for (const [, cs] of calledBy) perCounter.set(cs[0]!, (perCounter.get(cs[0]!) ?? 0) + 1);
    expect([...perCounter.keys()].sort()).toEqual(['1', '2', '3', '4']);

    // A third process, started now, reads the same day: every ticket finished.
    const c = await startServer({ settings: { databaseUrl: db.url } });
    servers.push(c);
    const sup = await login(c.url, 'supervisor');
    const snap = await request(c.url, 'GET', `${OFFICE}/queue`, { cookie: sup });
    expect(snap.body.tickets.filter((t: { state: string }) => t.state !== 'done')).toEqual([]);
    const stats = snap.body.services.find((s: { serviceId: string }) => s.serviceId === 'ktp-el');
    expect(stats.waiting).toBe(0);
  }, 240_000);
});
