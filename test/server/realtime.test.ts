import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDelta, QueueSnapshot } from '../../protocol/model.ts';
import { QueueClient } from '../../ui/queue-client.ts';
import { connect, emitAck, emitUnchecked, login, okData, refusal, request, startServer, waitFor, type ClientSocket, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

let srv: TestServer;
let clerkCookie: string;

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 100_000 } });
  clerkCookie = await login(srv.url, 'petugas1');
});
afterAll(async () => srv?.close());

function displayClient(): Promise<QueueClient> {
  return new Promise((resolve, reject) => {
    const c = new QueueClient(
      { url: srv.url, role: 'display', office: 'kupang', socketOptions: { transports: ['websocket'], forceNew: true } },
      { onRefused: (e) => reject(new Error(e.code)) },
    );
    c.socket.once('snapshot', () => resolve(c));
    c.connect();
  });
}

describe('realtime', () => {
  it('shows a ticket issued over REST in a display client', async () => {
    const display = await displayClient();
    const res = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'informasi' }, cookie: clerkCookie });
    expect(res.status).toBe(201);
    expect(res.body.ticket.number).toMatch(/^G\d{3}$/);
    await until(() => !!display.snapshot?.tickets.some((t) => t.id === res.body.ticket.id));
    const call = await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/4/call-next', { cookie: clerkCookie });
    expect(call.status).toBe(200);
    await until(() => display.snapshot?.recentCalls.at(-1)?.ticketId === call.body.ticket.id);
    expect(display.snapshot?.recentCalls.at(-1)?.counterId).toBe('4');
    await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/4/finish', { cookie: clerkCookie, body: { outcome: 'done' } });
    display.close();
  });

  it('sends a snapshot on connect and deltas with consecutive versions', async () => {
    const s = connect(srv.url, 'display');
    const snap = await waitFor<QueueSnapshot>(s, 'snapshot');
    const deltas: QueueDelta[] = [];
    s.on('delta', (d: QueueDelta) => deltas.push(d));
    for (let i = 0; i < 3; i++) await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: clerkCookie });
    await until(() => deltas.length >= 3);
    expect(deltas.map((d) => d.version)).toEqual([snap.version + 1, snap.version + 2, snap.version + 3]);
    expect(deltas.every((d) => d.events[0]?.type === 'ticket_issued')).toBe(true);
    s.close();
  });

  it('resyncs from a snapshot when a delta is missed', async () => {
    const display = await displayClient();
    // Lose exactly one delta on the way, as a flaky network would.
    display.socket.off('delta');
    let dropped = 0;
    display.socket.on('delta', (d: QueueDelta) => {
      if (dropped++ === 0) return;
      display.handleDelta(d);
    });
    const a = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kia' }, cookie: clerkCookie });
    const b = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kia' }, cookie: clerkCookie });
    await until(() => display.resyncs === 1 && !!display.snapshot?.tickets.some((t) => t.id === b.body.ticket.id));
    expect(display.snapshot?.tickets.some((t) => t.id === a.body.ticket.id)).toBe(true);
    const fresh = await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: clerkCookie });
    expect(display.snapshot?.version).toBe(fresh.body.version);
    display.close();
  });

  it('gives two racing counters 1,000 distinct tickets from a queue of 1,000', async () => {
    const kiosk = connect(srv.url, 'kiosk');
    await waitFor(kiosk, 'snapshot');
    const N = 1000;
    const issued = await Promise.all(
      Array.from({ length: N }, (_, i) => emitAck(kiosk, 'issue', { service: 'akta', idempotencyKey: `race-issue-${i}` })),
    );
    expect(issued.every((r) => r.ok)).toBe(true);
    const cookie2 = await login(srv.url, 'petugas2');
    const c1 = connect(srv.url, 'counter', 'kupang', { cookie: clerkCookie });
    const c2 = connect(srv.url, 'counter', 'kupang', { cookie: cookie2 });
    await Promise.all([waitFor(c1, 'snapshot'), waitFor(c2, 'snapshot')]);
    // Counters 1 and 2 serve akta only; counter 3 in the seed serves it first.
    for (const [s, id] of [[c1, '1'], [c2, '2']] as const) {
      const r = await emitAck(s, 'command', { type: 'configure_counter', counterId: id, services: ['akta'], autoCallNext: false });
      expect(r.ok).toBe(true);
    }
    const got: string[] = [];
    const race = async (s: ClientSocket<'counter'>, counterId: string) => {
      for (;;) {
        const r = await emitAck(s, 'command', { type: 'call_next', counterId });
        if (!r.ok) {
          expect(r.error.code).toBe('queue_empty');
          return;
        }
        got.push(r.data.ticket!.id);
        const f = await emitAck(s, 'command', { type: 'finish', counterId, outcome: 'done' });
        expect(f.ok).toBe(true);
      }
    };
    await Promise.all([race(c1, '1'), race(c2, '2')]);
    const ids = issued.map((r) => okData(r).ticket!.id);
    expect(got.length).toBe(N);
    expect(new Set(got).size).toBe(N);
    expect(new Set(got)).toEqual(new Set(ids));
    kiosk.close();
    c1.close();
    c2.close();
  });

  it('sends kiosks the figures only, merged: no tickets, no events, every service count current', async () => {
    const kiosk = connect(srv.url, 'kiosk');
    const snap = await waitFor<QueueSnapshot>(kiosk, 'snapshot');
    expect(snap.tickets).toEqual([]);
    expect(snap.recentCalls).toEqual([]);
    expect(snap.services.length).toBeGreaterThan(0);
    const deltas: QueueDelta[] = [];
    // A window merged before this kiosk's snapshot may still arrive: older, a page ignores it as stale.
    kiosk.on('delta', (d: QueueDelta) => d.version > snap.version && deltas.push(d));
    const waitingBefore = snap.services.find((s) => s.serviceId === 'pindah-datang')?.waiting ?? -1;
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => emitAck(kiosk, 'issue', { service: 'pindah-datang', idempotencyKey: `figures-${i}` })),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    // Each ticket says how many were ahead of it: the 20 answers are 20 consecutive places.
    expect(acks.map((a) => okData(a).ticket!.aheadAtIssue).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => waitingBefore + i));
    const last = Math.max(...acks.map((a) => okData(a).version));
    await until(() => deltas.at(-1)?.version === last);
    // 20 commits in well under the merge window arrive as far fewer frames, covering every version once.
    expect(deltas.length).toBeLessThan(20);
    // The first may start before the snapshot (a window already open when the kiosk connected): pages apply it.
    expect(deltas[0]?.fromVersion ?? deltas[0]?.version).toBeLessThanOrEqual(snap.version + 1);
    for (let i = 1; i < deltas.length; i++) expect(deltas[i]?.fromVersion ?? deltas[i]?.version).toBe((deltas[i - 1]?.version ?? 0) + 1);
    expect(deltas.every((d) => d.tickets.length === 0 && d.events.length === 0)).toBe(true);
    expect(deltas.at(-1)?.services.find((s) => s.serviceId === 'pindah-datang')?.waiting).toBe(waitingBefore + 20);
    // A resync gives the same figures-only view.
    const again = await emitAck(kiosk, 'resync');
    expect(again.ok).toBe(true);
    expect(okData(again).tickets).toEqual([]);
    expect(okData(again).version).toBeGreaterThanOrEqual(last);
    kiosk.close();
  });

  it.each(['kiosk', 'display'] as const)('keeps a %s page current without resyncs when it connects in the middle of a stream of tickets', async (role) => {
    const issuer = connect(srv.url, 'kiosk');
    await waitFor(issuer, 'snapshot');
    let running = true;
    let n = 0;
    const stream = (async () => {
      while (running) {
        const r = await emitAck(issuer, 'issue', { service: 'kia', idempotencyKey: `stream-${role}-${n++}` });
        expect(r.ok).toBe(true);
      }
    })();
    await until(() => n >= 3); // tickets are streaming: a merge window is open
    let deltas = 0;
    const page = new QueueClient({ url: srv.url, role, office: 'kupang', socketOptions: { transports: ['websocket'], forceNew: true } }, { onDelta: () => void deltas++ });
    page.connect();
    // Several windows of steady load: the issuer (a kiosk) gets one merged delta per 250 ms window.
    let windows = 0;
    issuer.on('delta', () => void windows++);
    await until(() => windows >= 5 && deltas >= 1 && n > 20, 10_000);
    running = false;
    await stream;
    const fresh = await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: clerkCookie });
    await until(() => page.snapshot?.version === fresh.body.version);
    expect(n).toBeGreaterThan(20);
    expect(page.resyncs).toBe(0);
    expect(page.snapshot?.services).toEqual(fresh.body.services);
    if (role === 'display') expect(page.snapshot?.tickets.map((t) => t.id).sort()).toEqual(fresh.body.tickets.map((t: { id: string }) => t.id).sort());
    page.close();
    issuer.close();
  });

  // Phones get no queue at all, only their own ticket's view: test/server/track.test.ts.
  it('tells TVs every ticket but never what a citizen answered at the pre-check', async () => {
    const kiosk = connect(srv.url, 'kiosk');
    await waitFor(kiosk, 'snapshot');
    const precheck = { subcase: 'hilang', passed: true, missing: [] };
    const firstAck = await emitAck(kiosk, 'issue', { service: 'ktp-el', precheck, idempotencyKey: 'track-privacy-1' });
    expect(firstAck.ok).toBe(true);
    const first = okData(firstAck);
    const tv = connect(srv.url, 'display');
    const snap = await waitFor<QueueSnapshot>(tv, 'snapshot');
    const display = await displayClient();
    expect(snap.tickets.find((t) => t.id === first.ticket!.id)).toMatchObject({ number: first.ticket!.number, precheck: null });
    // A TV never shows the pre-check either (issue 15, finding 7); the counter (staff) keeps it.
    expect(display.snapshot?.tickets.find((t) => t.id === first.ticket!.id)?.precheck).toBeNull();
    const counter = connect(srv.url, 'counter', 'kupang', { cookie: clerkCookie });
    const staffSnap = await waitFor<QueueSnapshot>(counter, 'snapshot');
    expect(staffSnap.tickets.find((t) => t.id === first.ticket!.id)?.precheck).toEqual(precheck);
    counter.close();
    const deltas: QueueDelta[] = [];
    tv.on('delta', (d: QueueDelta) => d.version > snap.version && deltas.push(d));
    const second = okData(await emitAck(kiosk, 'issue', { service: 'ktp-el', precheck, idempotencyKey: 'track-privacy-2' }));
    const failed = await request(srv.url, 'POST', '/api/v1/offices/kupang/prechecks', { body: { service: 'ktp-el', subcase: 'hilang', missing: ['kk'] } });
    expect(failed.status).toBeLessThan(300);
    await until(() => deltas.some((d) => d.version >= failed.body.version));
    const tickets = deltas.flatMap((d) => d.tickets);
    expect(tickets.find((t) => t.id === second.ticket!.id)).toMatchObject({ number: second.ticket!.number, precheck: null });
    const events = deltas.flatMap((d) => d.events);
    expect(events.some((e) => e.type === 'ticket_issued' && e.ticket.id === second.ticket!.id && e.ticket.precheck === null)).toBe(true);
    expect(events.some((e) => e.type === 'precheck_failed')).toBe(false);
    expect(JSON.stringify(deltas)).not.toContain('hilang');
    kiosk.close();
    tv.close();
    display.close();
  });

  it('rejects a socket payload of the wrong shape with bad_request and keeps serving', async () => {
    const c = connect(srv.url, 'counter', 'kupang', { cookie: clerkCookie });
    await waitFor(c, 'snapshot');
    const before = await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: clerkCookie });
    for (const bad of [null, 42, 'call', { type: 'call_next' }, { type: 'call_next', counterId: 7 }, { type: 'nope', counterId: '1' }, { type: 'finish', counterId: '1', outcome: 'maybe' }]) {
      const r = await emitUnchecked(c, 'command', bad);
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('bad_request');
      expect(r.error.message.id.length).toBeGreaterThan(0);
      expect(r.error.message.en.length).toBeGreaterThan(0);
    }
    const after = await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: clerkCookie });
    expect(after.body.version).toBe(before.body.version);
    c.close();
  });
});
