// The citizen's phone (/track and /api/v1/track): one ticket's view, the
// holder key, "Saya batal datang", and what a phone must never learn about
// anyone else — checked on every frame of a busy day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../protocol/commands.ts';
import type { Actor, QueueDelta, QueueSnapshot } from '../../protocol/model.ts';
import type { TrackFrame, TrackView } from '../../protocol/track.ts';
import { holderKey } from '../../server/auth/holder-key.ts';
import { connectPhone, issueWithKey, type PhoneSocket } from '../helpers/phone.ts';
import type { Socket } from 'socket.io-client';
import { connect, connectOutcome, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const SYSTEM: Actor = { kind: 'system', id: 'test' };
const VIEW_KEYS = ['officeId', 'officeDay', 'ticketId', 'number', 'service', 'state', 'counter', 'ahead', 'wait', 'calls', 'calledAt', 'recentCalls', 'office', 'holder', 'notify', 'serverTime', 'version'].sort();

let srv: TestServer;
let clerk: string;

async function run(command: Command, office = 'kupang') {
  const r = await srv.giliran.queue.execute(office, command, SYSTEM);
  if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
  return r.data;
}

/** The first `track` frame that satisfies `pred` (frames already received are not looked at). */
function nextView(phone: PhoneSocket, pred: (v: TrackFrame) => boolean = () => true, ms = 5_000): Promise<TrackFrame> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      phone.off('track', on);
      reject(new Error('no matching track frame'));
    }, ms);
    const on = (v: TrackFrame) => {
      if (!pred(v)) return;
      clearTimeout(t);
      phone.off('track', on);
      resolve(v);
    };
    phone.on('track', on);
  });
}

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 1_000_000, publicSocketsPerAddress: 1_000, publicConnectsPerAddressPerMinute: 100_000 } });
  clerk = await login(srv.url, 'petugas1');
});
afterAll(async () => srv?.close());

describe('the /track handshake and the holder key', () => {
  it('gives the holder its view with holder: true, and a keyless (old) link the same view read-only', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'perubahan-data');
    expect(key).toBe(holderKey(srv.giliran.secrets.holderKey, 'kupang', ticket.id));
    const holder = connectPhone(srv.url, ticket.id, key);
    const reader = connectPhone(srv.url, ticket.id);
    const [h, r] = await Promise.all([waitFor<TrackView>(holder, 'track'), waitFor<TrackView>(reader, 'track')]);
    expect(Object.keys(h).sort()).toEqual(VIEW_KEYS);
    expect(h).toMatchObject({ officeId: 'kupang', ticketId: ticket.id, number: ticket.number, state: 'waiting', counter: null, holder: true, notify: null, calls: 0 });
    expect(h.service).toEqual({ id: 'perubahan-data', name: expect.objectContaining({ id: expect.any(String), en: expect.any(String) }) });
    expect(h.ahead).toBeTypeOf('number');
    expect(h.wait!.low).toBeLessThanOrEqual(h.wait!.high);
    expect(h.office).toMatchObject({ shortName: expect.any(String), timeZone: 'Asia/Makassar', whatsapp: null });
    expect(r).toMatchObject({ ticketId: ticket.id, holder: false, notify: null, state: 'waiting' });
    holder.close();
    reader.close();
  });

  it('refuses a wrong key alike for a ticket that exists and one that does not, before any lookup', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'kk');
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const outcomes = await Promise.all(
      [
        connectPhone(srv.url, ticket.id, wrong),
        connectPhone(srv.url, '2020-01-01/Z999', wrong),
        connectPhone(srv.url, ticket.id, 'x'.repeat(64)),
        connectPhone(srv.url, '2020-01-01/Z999'),
        connectPhone(srv.url, 'A001'),
        connectPhone(srv.url, ticket.id, key, 'no-such-office'),
      ].map(async (s) => {
        const o = await connectOutcome(s);
        s.close();
        return o;
      }),
    );
    expect(outcomes).toEqual(['holder_key_invalid', 'holder_key_invalid', 'holder_key_invalid', 'ticket_not_found', 'bad_request', 'office_not_found']);
    // A key of another office's ticket of the same id is wrong too.
    const otherOffice = connectPhone(srv.url, ticket.id, holderKey(srv.giliran.secrets.holderKey, 'padang-panjang', ticket.id));
    expect(await connectOutcome(otherOffice)).toBe('holder_key_invalid');
    otherOffice.close();
  });

  it('answers no queue events: resync, issue and anything else are not events of a phone', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'kk');
    const phone = connectPhone(srv.url, ticket.id, key);
    await waitFor(phone, 'track');
    const untyped = phone as unknown as Socket;
    // Unknown events get no handler and so no answer: a bounded wait (1 s) proving none comes.
    const answers = await Promise.allSettled([untyped.timeout(1_000).emitWithAck('resync'), untyped.timeout(1_000).emitWithAck('issue', { service: 'kk' })]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    // The phone is still served.
    const still = await phone.timeout(5_000).emitWithAck('refresh');
    expect(still.ok).toBe(true);
    phone.close();
  });
});

describe('following a ticket', () => {
  it('tells the phone its call within a second, with the counter and its word, and the TV line', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'akta');
    const phone = connectPhone(srv.url, ticket.id, key);
    await waitFor(phone, 'track');
    const called = nextView(phone, (v) => v.state === 'called');
    const t0 = performance.now();
    await run({ type: 'call_ticket', counterId: '3', ticket: ticket.number, reason: 'test' });
    const v = await called;
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1_000);
    expect(v).toMatchObject({ state: 'called', counter: { id: '3', name: 'Loket 3', word: 'loket' }, ahead: null, wait: null, calls: 1 });
    expect(v.calledAt).not.toBeNull();
    expect(v.recentCalls[0]).toEqual({ number: ticket.number, counterName: 'Loket 3', at: v.calledAt });
    const serving = nextView(phone, (x) => x.state === 'serving');
    await run({ type: 'start', counterId: '3' });
    expect((await serving).counter?.id).toBe('3');
    const done = nextView(phone, (x) => x.state === 'done');
    await run({ type: 'finish', counterId: '3', outcome: 'done' });
    expect(await done).toMatchObject({ state: 'done', counter: null, ahead: null });
    phone.close();
  });

  it('sends nothing when a commit leaves the view as it was', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'pindah-datang');
    const phone = connectPhone(srv.url, ticket.id, key);
    await waitFor(phone, 'track');
    // Settle: a first flush may follow the connect.
    await new Promise((r) => setTimeout(r, 400));
    let frames = 0;
    phone.on('track', () => void frames++);
    const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/prechecks', { body: { service: 'ktp-el', subcase: 'hilang', missing: ['kk'] } });
    expect(r.status).toBeLessThan(300);
    // Bounded wait proving nothing comes: longer than the merge window (250 ms) plus a flush.
    await new Promise((res) => setTimeout(res, 700));
    expect(frames).toBe(0);
    // And `refresh` still answers the current view.
    const now = await phone.timeout(5_000).emitWithAck('refresh');
    expect(now.ok && now.data.ticketId).toBe(ticket.id);
    phone.close();
  });
});

describe('the pushed frame', () => {
  it('is the view a refresh answers at the same version, without the office block, for holder and reader', async () => {
    const first = await issueWithKey(srv.url, 'kia');
    await issueWithKey(srv.url, 'kia');
    const { ticket, key } = await issueWithKey(srv.url, 'kia');
    const holder = connectPhone(srv.url, ticket.id, key);
    const reader = connectPhone(srv.url, ticket.id);
    const [h0] = await Promise.all([waitFor<TrackView>(holder, 'track'), waitFor<TrackView>(reader, 'track')]);
    const pushed = Promise.all([nextView(holder, (v) => v.version > h0.version && v.ahead !== h0.ahead), nextView(reader, (v) => v.version > h0.version && v.ahead !== h0.ahead)]);
    const call = await run({ type: 'call_ticket', counterId: '4', ticket: first.ticket.number, reason: 'test' });
    const [hf, rf] = await pushed;
    expect(hf.version).toBeGreaterThanOrEqual(call.version);
    for (const [phone, frame, isHolder] of [[holder, hf, true], [reader, rf, false]] as const) {
      const now = await phone.timeout(5_000).emitWithAck('refresh');
      if (!now.ok) throw new Error(now.error.code);
      expect(now.data.version).toBe(frame.version); // nothing committed in between
      expect(frame.office).toBeUndefined();
      const { office: _o, serverTime: _t, ...fetched } = now.data;
      const { serverTime: _ft, ...got } = frame;
      expect(got).toEqual({ ...fetched, holder: isHolder, notify: null });
      expect(Object.keys(frame)).toEqual(Object.keys(now.data).filter((k) => k !== 'office'));
    }
    holder.close();
    reader.close();
    await run({ type: 'finish', counterId: '4', outcome: 'done' }); // the counter free for the next test
  });
});

describe('the end of the day', () => {
  it("tells yesterday's phones their ticket is gone and lets them go, though the new day's version is lower", async () => {
    let now = new Date('2026-11-23T15:50:00Z'); // 23:50 in Kupang
    const own = await startServer({ now: () => now });
    try {
      const { ticket, key } = await issueWithKey(own.url, 'kk');
      for (let i = 0; i < 5; i++) await issueWithKey(own.url, 'kk'); // yesterday's version above today's first ones
      const phone = connectPhone(own.url, ticket.id, key);
      const first = await waitFor<TrackView>(phone, 'track');
      expect(first.version).toBeGreaterThan(3);
      const told = waitFor<{ code: string }>(phone, 'unavailable');
      const gone = new Promise<void>((resolve) => phone.once('disconnect', () => resolve()));
      now = new Date('2026-11-23T16:05:00Z'); // 00:05: a new office day
      const next = await issueWithKey(own.url, 'kk');
      expect(next.ticket.officeDay).toBe('2026-11-24');
      expect((await told).code).toBe('ticket_not_found');
      await gone;
    } finally {
      await own.close();
    }
  });
});

describe('privacy on a busy day', () => {
  it('never sends a phone another ticket, a priority group or a pre-check: every frame of 14 phones, 500 tickets, 30 waiting', async () => {
    const own = await startServer({ settings: { ticketsPerDevicePerMinute: 1_000_000 } });
    const exec = async (c: Command) => {
      const r = await own.giliran.queue.execute('kupang', c, SYSTEM);
      if (!r.ok) throw new Error(`${c.type}: ${r.error.code}`);
      return r.data;
    };
    try {
      const services = ['ktp-el', 'kk', 'akta', 'kia'];
      const precheck = { subcase: 'hilang', passed: true, missing: [] };
      const issued = [];
      for (let i = 0; i < 500; i++) {
        const r = await exec({ type: 'issue', service: services[i % 4]!, source: 'kiosk', priority: i % 7 === 0 ? 'elderly' : null, precheck: services[i % 4] === 'ktp-el' ? precheck : null });
        issued.push(r.ticket!);
      }
      for (let i = 0; i < 470; i++) {
        await exec({ type: 'call_next', counterId: '4' });
        await exec({ type: 'finish', counterId: '4', outcome: 'done' });
      }
      const snap = await own.giliran.queue.snapshot('kupang');
      if (!snap.ok) throw new Error('snapshot');
      const waiting = snap.data.tickets.filter((t) => t.state === 'waiting');
      expect(waiting).toHaveLength(30);
      const secret = own.giliran.secrets.holderKey;
      const done = issued.find((t) => !waiting.some((w) => w.id === t.id))!;
      const followed = [...waiting.slice(0, 12), done];
      const phones = followed.map((t, i) => ({ id: t.id, number: t.number, socket: connectPhone(own.url, t.id, i % 5 === 4 ? undefined : holderKey(secret, 'kupang', t.id)), frames: [] as Array<{ event: string; args: unknown[] }> }));
      phones.push({ id: waiting[0]!.id, number: waiting[0]!.number, socket: connectPhone(own.url, waiting[0]!.id), frames: [] });
      for (const p of phones) p.socket.onAny((event: string, ...args: unknown[]) => p.frames.push({ event, args }));
      await until(() => phones.every((p) => p.frames.length >= 1), 10_000);

      // The day goes on: calls at every counter, priority and pre-checked tickets issued, a failed pre-check.
      await exec({ type: 'call_next', counterId: '4' });
      for (let i = 0; i < 5; i++) await exec({ type: 'issue', service: 'ktp-el', source: 'kiosk', priority: 'pregnant', precheck });
      await exec({ type: 'record_precheck', service: 'ktp-el', subcase: 'hilang', missing: ['kk'] });
      await exec({ type: 'recall', counterId: '4' });
      await exec({ type: 'finish', counterId: '4', outcome: 'done' });
      const last = await exec({ type: 'call_next', counterId: '4' });
      await exec({ type: 'no_show', counterId: '4' });
      // Every view lists the last calls, so every phone hears of the last one.
      await until(() => phones.every((p) => p.frames.some((f) => f.event === 'track' && (f.args[0] as TrackView).version > last.version)), 10_000);

      const ID = /\d{4}-\d{2}-\d{2}\/[A-Z]\d{3,4}/g;
      let checked = 0;
      for (const p of phones) {
        for (const f of p.frames) {
          expect(f.event).toBe('track');
          expect(f.args).toHaveLength(1);
          const v = f.args[0] as TrackFrame;
          const text = JSON.stringify(v);
          // A socket's first frame carries the office block; later ones only when it changed (TrackFrame).
          const first = f === p.frames.find((x) => x.event === 'track');
          expect(Object.keys(v).sort()).toEqual(first ? VIEW_KEYS : VIEW_KEYS.filter((k) => k !== 'office'));
          // The issue's budget for a frame to a phone.
          if (!first) expect(Buffer.byteLength(text), text).toBeLessThanOrEqual(1024);
          expect(v.ticketId).toBe(p.id);
          expect(new Set(text.match(ID))).toEqual(new Set([p.id]));
          expect(text).not.toMatch(/"priority"|"precheck"|"subcase"|"missing"|elderly|pregnant|hilang|"seq"|"source"|"queuedAt"/);
          for (const c of v.recentCalls) expect(Object.keys(c).sort()).toEqual(['at', 'counterName', 'number']);
          expect(v.recentCalls.length).toBeLessThanOrEqual(5);
          // Other numbers appear only as the TV shows them (recent calls), never with a state.
          const { recentCalls: _shown, ...rest } = v;
          expect(new Set(JSON.stringify(rest).match(/\b[A-Z]\d{3}\b/g))).toEqual(new Set([p.number]));
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(phones.length * 2);
      for (const p of phones) p.socket.close();
    } finally {
      await own.close();
    }
  }, 120_000);
});

describe('REST', () => {
  it('answers the view; a wrong key is the same 403 for a ticket that exists and one that does not', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'kk');
    const [day, number] = ticket.id.split('/');
    const base = `/api/v1/track/kupang/${day}/${number}`;
    const asHolder = await request<TrackView>(srv.url, 'GET', `${base}?k=${key}`);
    expect(asHolder.status).toBe(200);
    expect(asHolder.body).toMatchObject({ ticketId: ticket.id, holder: true, state: 'waiting' });
    expect(asHolder.headers.get('cache-control')).toBe('no-store');
    const keyless = await request<TrackView>(srv.url, 'GET', base);
    expect(keyless.body).toMatchObject({ ticketId: ticket.id, holder: false });
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const a = await request(srv.url, 'GET', `${base}?k=${wrong}`);
    const b = await request(srv.url, 'GET', `/api/v1/track/kupang/${day}/Z999?k=${wrong}`);
    const c = await request(srv.url, 'GET', `/api/v1/track/kupang/2020-01-01/A001?k=${wrong}`);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: { code: 'holder_key_invalid', message: { id: expect.any(String), en: expect.any(String) } } });
    expect(b.status).toBe(403);
    expect(c.status).toBe(403);
    expect(JSON.stringify(b.body)).toBe(JSON.stringify(a.body));
    expect(JSON.stringify(c.body)).toBe(JSON.stringify(a.body));
    const missing = await request(srv.url, 'GET', `/api/v1/track/kupang/${day}/Z999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ticket_not_found');
    const bad = await request(srv.url, 'GET', `/api/v1/track/kupang/yesterday/${number}`);
    expect(bad.status).toBe(400);
    expect((await request(srv.url, 'GET', `/api/v1/track/atlantis/${day}/${number}`)).body.error.code).toBe('office_not_found');
  });

  it('lets the holder cancel a waiting ticket: durable, told to every screen, and answered the same on a second tap', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'kia');
    const [day, number] = ticket.id.split('/');
    const path = `/api/v1/track/kupang/${day}/${number}/cancel`;
    const phone = connectPhone(srv.url, ticket.id, key);
    await waitFor(phone, 'track');
    const counter = connect(srv.url, 'counter', 'kupang', { cookie: clerk });
    await waitFor<QueueSnapshot>(counter, 'snapshot');
    const told = new Promise<QueueDelta>((resolve) => counter.on('delta', (d: QueueDelta) => d.events.some((e) => e.type === 'ticket_cancelled' && e.ticketId === ticket.id) && resolve(d)));
    const phoneTold = nextView(phone, (v) => v.state === 'cancelled');

    expect((await request(srv.url, 'POST', path, { body: {} })).status).toBe(400);
    const wrong = await request(srv.url, 'POST', path, { body: { k: 'AAAAAAAAAAA' } });
    const wrongMissing = await request(srv.url, 'POST', `/api/v1/track/kupang/${day}/Z998/cancel`, { body: { k: 'AAAAAAAAAAA' } });
    expect(wrong.status).toBe(403);
    expect(JSON.stringify(wrongMissing.body)).toBe(JSON.stringify(wrong.body));

    const res = await request<TrackView>(srv.url, 'POST', path, { body: { k: key } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ticketId: ticket.id, state: 'cancelled', holder: true });
    const delta = await told;
    const ev = delta.events.find((e) => e.type === 'ticket_cancelled')!;
    expect(ev.actor).toEqual({ kind: 'citizen', id: 'ticket-holder' });
    expect(await phoneTold).toMatchObject({ state: 'cancelled' });
    const again = await request<TrackView>(srv.url, 'POST', path, { body: { k: key } });
    expect(again.status).toBe(200);
    expect(again.body.state).toBe('cancelled');
    // On disk: the audit log (the journal) names the citizen.
    const audit = await request(srv.url, 'GET', '/api/v1/offices/kupang/audit', { cookie: await login(srv.url, 'supervisor') });
    expect(audit.body.entries.some((e: { action: string; ticketId: string; actor: Actor }) => e.action === 'ticket_cancelled' && e.ticketId === ticket.id && e.actor.kind === 'citizen')).toBe(true);
    phone.close();
    counter.close();
  });

  it('refuses to cancel a ticket already called, or finished, with a clear bilingual answer, and changes nothing', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'akta');
    const [day, number] = ticket.id.split('/');
    await run({ type: 'call_ticket', counterId: '3', ticket: ticket.number, reason: 'test' });
    const before = await srv.giliran.queue.snapshot('kupang');
    const res = await request(srv.url, 'POST', `/api/v1/track/kupang/${day}/${number}/cancel`, { body: { k: key } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('cancel_too_late');
    expect(res.body.error.message.id).toMatch(/sudah dipanggil/);
    expect(res.body.error.message.en).toMatch(/already been called/);
    const after = await srv.giliran.queue.snapshot('kupang');
    expect(after.ok && before.ok && after.data.version).toBe(before.ok && before.data.version);
    await run({ type: 'finish', counterId: '3', outcome: 'done' });
    const finished = await request(srv.url, 'POST', `/api/v1/track/kupang/${day}/${number}/cancel`, { body: { k: key } });
    expect(finished.body.error.code).toBe('cancel_too_late');
  });

  it('limits cancel attempts per address', async () => {
    const own = await startServer();
    try {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push((await request(own.url, 'POST', '/api/v1/track/kupang/2020-01-01/A001/cancel', { body: { k: 'AAAAAAAAAAA' } })).status);
      expect(codes.slice(0, 10).every((c) => c === 403)).toBe(true);
      expect(codes.slice(10)).toEqual([429, 429]);
    } finally {
      await own.close();
    }
  });
});

describe('hostile and many phones', () => {
  it('answers a refresh flood within its budget, refuses the rest cheaply, cuts the phone, and keeps serving the others', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'ktp-el');
    const hostile = connectPhone(srv.url, ticket.id, key);
    const calm = connectPhone(srv.url, ticket.id);
    await Promise.all([waitFor(hostile, 'track'), waitFor(calm, 'track')]);
    const cut = new Promise<string>((resolve) => hostile.once('disconnect', (reason) => resolve(reason)));
    const answers = await Promise.all(
      Array.from({ length: 150 }, () => new Promise<string>((resolve) => {
        hostile.timeout(5_000).emit('refresh', (err, res) => resolve(err ? 'none' : res.ok ? 'view' : res.error.code));
      })),
    );
    const { resyncBurst } = srv.giliran.settings;
    expect(answers.filter((a) => a === 'view').length).toBeLessThanOrEqual(resyncBurst);
    expect(answers.filter((a) => a === 'rate_limited')).toHaveLength(100);
    expect(await cut).toBe('io server disconnect');
    const called = nextView(calm, (v) => v.state === 'called');
    await run({ type: 'call_ticket', counterId: '1', ticket: ticket.number, reason: 'test' });
    expect((await called).counter?.name).toBe('Loket 1');
    await run({ type: 'finish', counterId: '1', outcome: 'done' });
    calm.close();
  }, 20_000);

  it('serves 300 phones at once: each gets its own first view, then its own frame after a call', async () => {
    const tickets: Array<Awaited<ReturnType<typeof issueWithKey>>> = [];
    for (let i = 0; i < 100; i++) tickets.push(await issueWithKey(srv.url, 'informasi'));
    const phones = Array.from({ length: 300 }, (_, i) => {
      const t = tickets[i % 100]!;
      return { t, socket: connectPhone(srv.url, t.ticket.id, i % 3 === 0 ? undefined : t.key), views: [] as TrackFrame[] };
    });
    for (const p of phones) p.socket.on('track', (v) => p.views.push(v));
    await until(() => phones.every((p) => p.views.length >= 1), 20_000);
    for (const p of phones) expect(p.views[0]!.ticketId).toBe(p.t.ticket.id);
    const firstCount = phones.map((p) => p.views.length);
    const call = await run({ type: 'call_ticket', counterId: '4', ticket: tickets[0]!.ticket.number, reason: 'test' });
    await until(() => phones.every((p) => p.views.some((v) => v.version >= call.version)), 10_000);
    for (const [i, p] of phones.entries()) {
      const latest = p.views.at(-1)!;
      expect(latest.ticketId).toBe(p.t.ticket.id);
      expect(latest.recentCalls[0]!.number).toBe(tickets[0]!.ticket.number);
      expect(latest.holder).toBe(i % 3 !== 0);
      expect(p.views.length).toBeGreaterThan(firstCount[i]!);
    }
    expect(phones.filter((p) => p.t === tickets[0]).every((p) => p.views.at(-1)!.state === 'called')).toBe(true);
    for (const p of phones) p.socket.close();
    await run({ type: 'finish', counterId: '4', outcome: 'done' });
  }, 60_000);
});
