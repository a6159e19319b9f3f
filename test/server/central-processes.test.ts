// A central deployment for real: separate server processes (server/main.ts
// children) on one PostgreSQL database. Counters on two processes race "call
// next" through a whole busy day and no ticket reaches two counters or gets
// lost; a call made on one process reaches a display on another; a holder key
// made by one process opens the ticket on another; offices stay tenants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDelta, QueueSnapshot } from '../../protocol/model.ts';
import type { ChildServer } from '../helpers/child-server.ts';
import { centralEnv, countersOnTwo, startProcesses } from '../helpers/central.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { connect, connectOutcome, login, request, waitFor } from '../helpers/server.ts';

// The full size by default; GILIRAN_CENTRAL_ROUNDS=1000 for a quick look.
const ROUNDS = Number(process.env.GILIRAN_CENTRAL_ROUNDS || 10_000);
/** Tickets waiting at most while the counters race: a busy office's queue (30–40), not the whole day at once. */
const MAX_WAITING = 40;
const OFFICE = '/api/v1/offices/kupang';

/** Wakes the waiters whose condition holds, each time something they wait on changed (no polling). */
class Changes {
  #waiters: { cond: () => boolean; wake: () => void }[] = [];
  until(cond: () => boolean): Promise<void> {
    return cond() ? Promise.resolve() : new Promise((wake) => this.#waiters.push({ cond, wake }));
  }
  changed(): void {
    this.#waiters = this.#waiters.filter((w) => (w.cond() ? (w.wake(), false) : true));
  }
}

/** Resolves once `check()` does; another process learns of a session or a paired device by NOTIFY, a moment later. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sessionKnownOn = (url: string, cookie: string) => eventually(async () => (await request(url, 'GET', '/api/v1/session', { cookie })).status === 200);

describe.runIf(postgresAvailable())('server processes on one PostgreSQL database', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cleanup: (() => Promise<void>) | null = null;
  let a: ChildServer;
  let b: ChildServer;
  let c: ChildServer;
  beforeAll(async () => {
    db = await freshDatabase('central_proc');
    const made = await centralEnv(db.url);
    cleanup = made.cleanup;
    // Started together on an empty database: migrations, the seed and the secrets are each made once.
    [a, b, c] = (await startProcesses(3, made.env)) as [ChildServer, ChildServer, ChildServer];
  }, 120_000);
  afterAll(async () => {
    for (const s of [a, b, c]) await s?.kill('SIGTERM');
    await db?.drop();
    await cleanup?.();
  });

  it(`gives each of ${ROUNDS} tickets to exactly one counter while four counters on two processes race call-next`, async () => {
    const issued = new Map<string, string>(); // ticket id → number
    const calledBy = new Map<string, string[]>();
    const changes = new Changes();
    let issuing = true;
    let next = 0;
    // Issuers on both processes while the counters call: numbers must stay unique across processes.
    // They keep at most MAX_WAITING tickets ahead of the counters, as a busy office's kiosks do.
    const issuer = async (srv: ChildServer) => {
      while (next < ROUNDS) {
        const i = next++;
        await changes.until(() => i - calledBy.size < MAX_WAITING);
        const res = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: i % 3 ? 'ktp-el' : 'kk', idempotencyKey: `issue-round-${i}` } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        issued.set(res.body.ticket.id, res.body.ticket.number);
        changes.changed();
      }
    };
    const issuers = Promise.all([a, b, a, b, a, b].map(issuer)).finally(() => {
      issuing = false;
      changes.changed();
    });

    const counters = countersOnTwo(a, b);
    let presses = 0;
    let replays = 0;
    let empties = 0;
    const t0 = performance.now();
    await Promise.all(
      counters.map(async (k) => {
        const cookie = await login(k.srv.url, k.user);
        expect((await request(k.srv.url, 'PUT', `${OFFICE}/counters/${k.id}/settings`, { body: { services: ['ktp-el', 'kk'], autoCallNext: false }, cookie })).status).toBe(200);
        for (let n = 0; ; n++) {
          const key = `call-${k.id}-${n}`;
          const before = issued.size;
          const res = await request(k.srv.url, 'POST', `${OFFICE}/counters/${k.id}/call-next`, { body: { idempotencyKey: key }, cookie });
          presses++;
          if (res.status !== 200) {
            expect(res.body.error.code, JSON.stringify(res.body)).toBe('queue_empty');
            empties++;
            if (!issuing && calledBy.size === issued.size) return;
            // The issuers are behind the counters: press again once another ticket is out (or all are done).
            // A ticket acknowledged before this press began was there when it decided (the lease) or taken by another counter.
            await changes.until(() => issued.size > before || (!issuing && calledBy.size === issued.size));
            continue;
          }
          const id = res.body.ticket.id as string;
          calledBy.set(id, [...(calledBy.get(id) ?? []), k.id]);
          changes.changed();
          if (n % 50 === 0) {
            // The same press again (a double click, a retried request): the same ticket, nothing skipped.
            const again = await request(k.srv.url, 'POST', `${OFFICE}/counters/${k.id}/call-next`, { body: { idempotencyKey: key }, cookie });
            expect(again.status).toBe(200);
            expect(again.body.ticket.id).toBe(id);
            replays++;
          }
          const done = await request(k.srv.url, 'POST', `${OFFICE}/counters/${k.id}/finish`, { body: { idempotencyKey: `finish-${k.id}-${n}` }, cookie });
          expect(done.status, JSON.stringify(done.body)).toBe(200);
        }
      }),
    );
    await issuers;
    // The time a round took, for the report (docs/central.md): visible with --reporter=verbose or in CI logs.
    console.log(`central race: ${ROUNDS} rounds in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${presses} presses (${empties} on an empty queue), ${replays} re-presses`);
    expect(issued.size).toBe(ROUNDS);
    expect(new Set(issued.values()).size).toBe(ROUNDS);
    expect([...calledBy].filter(([, cs]) => cs.length > 1)).toEqual([]);
    expect(calledBy.size).toBe(ROUNDS);
    expect(presses).toBeGreaterThanOrEqual(ROUNDS);
    expect(replays).toBeGreaterThan(0);
    const perCounter = new Map<string, number>();
    for (const [, cs] of calledBy) perCounter.set(cs[0]!, (perCounter.get(cs[0]!) ?? 0) + 1);
    // Both processes really served: the race was real.
    expect([...perCounter.keys()].sort()).toEqual(['1', '2', '3', '4']);

    // The third process, which took no part, reads the same day: every ticket finished, numbers gap-free.
    const sup = await login(c.url, 'supervisor');
    const snap = (await request<QueueSnapshot>(c.url, 'GET', `${OFFICE}/queue`, { cookie: sup })).body;
    expect(snap.tickets.filter((t) => t.state !== 'done')).toEqual([]);
    expect(snap.services.find((s) => s.serviceId === 'ktp-el')?.waiting).toBe(0);
  }, 900_000);

  it('shows a display on process B the call a counter makes on process A, with a holder key that opens on C', async () => {
    const display = connect(b.url, 'display');
    const snap = await waitFor<QueueSnapshot>(display, 'snapshot');
    const cookie = await login(a.url, 'petugas1');
    const issued = await request(a.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'ktp-el', idempotencyKey: 'display-across' } });
    expect(issued.status).toBe(201);
    const ticket = issued.body.ticket as { id: string; number: string };
    const called = new Promise<QueueDelta>((resolve) => {
      display.on('delta', (d: QueueDelta) => {
        if (d.events.some((e) => e.type === 'ticket_called' && e.ticketId === ticket.id)) resolve(d);
      });
    });
    const t0 = Date.now();
    const res = await request(a.url, 'POST', `${OFFICE}/counters/1/call-next`, { body: { idempotencyKey: 'display-across-call' }, cookie });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.ticket.id).toBe(ticket.id);
    const delta = await called;
    // Within a blink: the NOTIFY of the commit, a read of it, the broadcast. Bounded generously for a busy machine.
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(delta.version).toBeGreaterThan(snap.version);
    expect(delta.tickets.find((t) => t.id === ticket.id)?.counterId).toBe('1');
    display.close();

    // The holder key from A's answer opens the ticket's own view on C (one shared secret).
    const key = issued.body.holderKey as string;
    const [day, number] = [ticket.id.split('/')[0], ticket.number];
    // C learns of A's commits by NOTIFY: a read there is a moment behind (read-your-writes holds on one process).
    await eventually(async () => (await request(c.url, 'GET', `/api/v1/track/kupang/${day}/${number}?k=${key}`)).status === 200);
    const forged = await request(c.url, 'GET', `/api/v1/track/kupang/${day}/${number}?k=${key.slice(0, -2)}xx`);
    expect(forged.status).not.toBe(200);
    expect((await request(a.url, 'POST', `${OFFICE}/counters/1/finish`, { body: { idempotencyKey: 'display-across-finish' }, cookie })).status).toBe(200);
  }, 60_000);

  it("keeps offices apart across processes: one office's staff, devices and phones see nothing of another's", async () => {
    // Staff of Padang Panjang signed in on A, reading Kupang on B (sessions are shared, tenancy too).
    const pp = await login(a.url, 'petugas-pp1');
    await sessionKnownOn(b.url, pp);
    expect((await request(b.url, 'GET', `${OFFICE}/queue`, { cookie: pp })).status).toBe(403);
    expect((await request(b.url, 'POST', `${OFFICE}/counters/1/call-next`, { body: { idempotencyKey: 'tenant-1' }, cookie: pp })).status).toBe(403);
    const ppCounter = connect(b.url, 'counter', 'kupang', { cookie: pp });
    expect(await connectOutcome(ppCounter)).not.toBe('connected');
    ppCounter.close();
    // A display paired to Padang Panjang on A cannot open Kupang's feed on C.
    const admin = await login(a.url, 'admin');
    const start = await request(a.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'display' } });
    expect((await request(a.url, 'POST', `/api/v1/devices/pairing/${start.body.code}/approve`, { body: { office: 'padang-panjang' }, cookie: admin })).status).toBe(201);
    const got = await request(a.url, 'GET', `/api/v1/devices/pairing/${start.body.requestId}`, { headers: { 'x-pairing-secret': start.body.secret } });
    const token = got.body.token as string;
    // A presented token decides, loopback or not; C hears of the new device by NOTIFY.
    await eventually(async () => {
      const own = connect(c.url, 'display', 'padang-panjang', { deviceToken: token });
      const outcome = await connectOutcome(own);
      own.close();
      return outcome === 'connected';
    });
    const other = connect(c.url, 'display', 'kupang', { deviceToken: token });
    expect(await connectOutcome(other)).not.toBe('connected');
    other.close();
    // A phone with a Kupang ticket's holder key gets nothing under Padang Panjang.
    const issued = await request(b.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'ktp-el', idempotencyKey: 'tenant-phone' } });
    const day = (issued.body.ticket.id as string).split('/')[0];
    const number = issued.body.ticket.number as string;
    const key = issued.body.holderKey as string;
    await eventually(async () => (await request(c.url, 'GET', `/api/v1/track/kupang/${day}/${number}?k=${key}`)).status === 200);
    const cross = await request(c.url, 'GET', `/api/v1/track/padang-panjang/${day}/${number}?k=${key}`);
    expect(cross.status).not.toBe(200);
  }, 60_000);
});
