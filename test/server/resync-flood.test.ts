// Issue 15, finding 2: a socket that floods `resync` must not stall the
// office. Each answer is the whole public day, so a socket gets a small budget
// (shared answer while one is read, then rate_limited), a socket that keeps
// flooding is cut, and one address may hold only so many tv sockets. Fails
// on the old code: every resync was answered with a snapshot. (Phones no
// longer have `resync`: their `refresh` has the same budget, test/server/track.test.ts;
// the screen here is a TV on the loopback address, which needs no pairing.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../protocol/errors.ts';
import type { QueueSnapshot } from '../../protocol/model.ts';
import { connectPhone, issueWithKey } from '../helpers/phone.ts';
import { connect, connectOutcome, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
const BURST = 3;

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 100_000, resyncBurst: BURST, resyncEveryMs: 60_000 } });
  // A busy day's size: every answered snapshot is large.
  for (let i = 0; i < 500; i++) {
    const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: ['ktp-el', 'kk', 'akta', 'kia'][i % 4], idempotencyKey: `flood-${i}-ticket` } });
    if (r.status !== 201) throw new Error(`issue ${i}: ${r.status}`);
  }
});
afterAll(async () => srv?.close());

describe('resync budget', () => {
  it('answers a burst of resyncs with at most the budget of snapshots, refuses the rest cheaply, then cuts the flooding screen', async () => {
    const tv = connect(srv.url, 'display');
    const first = await waitFor<QueueSnapshot>(tv, 'snapshot');
    expect(first.tickets.length).toBe(500);
    const disconnected = new Promise<string>((resolve) => tv.once('disconnect', (reason) => resolve(reason)));
    // What each resync got: 'snapshot', a refusal's code, or 'none' (never answered).
    const answers = await Promise.all(
      Array.from({ length: 150 }, () => new Promise<string>((resolve) => {
        tv.timeout(5_000).emit('resync', (err: Error | null, res: Ack<QueueSnapshot>) => resolve(err ? 'none' : res.ok ? 'snapshot' : res.error.code));
      })),
    );
    // The budget's snapshots are read from disk while the refusals are answered at once, so on a
    // loaded machine the cut can come before they are sent: at most the budget, never more.
    expect(answers.filter((a) => a === 'snapshot').length).toBeLessThanOrEqual(BURST);
    const refused = answers.filter((a) => a !== 'snapshot' && a !== 'none');
    expect(new Set(refused)).toEqual(new Set(['rate_limited']));
    // After 100 refusals in a row the socket is cut; what it sent after that is never answered.
    expect(refused.length).toBe(100);
    expect(answers.filter((a) => a === 'snapshot' || a === 'none').length).toBe(150 - 100);
    expect(await disconnected).toBe('io server disconnect');
    // The office keeps working for everyone else.
    const after = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'informasi' } });
    expect(after.status).toBe(201);
    const health = await request(srv.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });

  it('shares one answer among resyncs asked while it is being read', async () => {
    const tv = connect(srv.url, 'display');
    await waitFor(tv, 'snapshot');
    const [a, b] = await Promise.all([tv.emitWithAck('resync'), tv.emitWithAck('resync')]);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(a.data.version).toBe(b.data.version);
    tv.close();
  });

  it('a page that resyncs after a gap, one at a time and retrying a refusal a second later, is always served in the end', async () => {
    const tv = connect(srv.url, 'display');
    await waitFor(tv, 'snapshot');
    for (let i = 0; i < BURST; i++) expect((await tv.emitWithAck('resync')).ok).toBe(true);
    const refused = await tv.emitWithAck('resync');
    expect(refused.ok).toBe(false);
    expect(tv.connected).toBe(true); // one refusal does not cut a well-behaved page
    tv.close();
  });
});

describe('phone sockets per address', () => {
  let own: TestServer;
  let ticket = '';
  beforeAll(async () => {
    own = await startServer({ settings: { publicSocketsPerAddress: 20 } });
    ticket = (await issueWithKey(own.url, 'kk')).ticket.id;
  });
  afterAll(async () => own?.close());

  it('refuses more than the limit from one address with rate_limited, and admits again once one closes', async () => {
    const open = Array.from({ length: 20 }, () => connectPhone(own.url, ticket));
    const outcomes = await Promise.all(open.map((s) => connectOutcome(s)));
    expect(outcomes.every((o) => o === 'connected')).toBe(true);
    const extra = connectPhone(own.url, ticket);
    expect(await connectOutcome(extra)).toBe('rate_limited');
    extra.close();
    const closing = open.pop()!;
    closing.close();
    // The server sees the close a moment later: the next one gets in once it has.
    let again = connectPhone(own.url, ticket);
    for (let i = 0; (await connectOutcome(again)) !== 'connected'; i++) {
      again.close();
      if (i > 50) throw new Error('never admitted again');
      again = connectPhone(own.url, ticket);
    }
    again.close();
    for (const s of open) s.close();
  });

  it('refuses new connections from one address beyond its rate: reconnecting in a loop is no way around the refresh budget', async () => {
    const limited = await startServer({ settings: { publicConnectsPerAddressPerMinute: 5 } });
    try {
      const outcomes: string[] = [];
      const followed = (await issueWithKey(limited.url, 'kk')).ticket.id;
      for (let i = 0; i < 8; i++) {
        const s = connectPhone(limited.url, followed);
        outcomes.push(await connectOutcome(s));
        s.close();
      }
      expect(outcomes).toEqual([...Array(5).fill('connected'), ...Array(3).fill('rate_limited')]);
    } finally {
      await limited.close();
    }
  });
});
