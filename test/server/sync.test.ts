// Office boxes that sync to the central: real boxes (embedded stores in temp
// folders) ship over real HTTP on 127.0.0.1 to a real central on PostgreSQL,
// through a TCP proxy the test cuts. What the central holds must equal what
// the boxes hold, commit for commit, whatever happened on the line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../protocol/model.ts';
import type { Giliran } from '../../server/app.ts';
import type { Command } from '../../protocol/commands.ts';
import { applyCommit, decide, emptyDay, officeDayOf } from '../../server/domain/index.ts';
import { demoOffices } from '../../server/seed/demo-offices.ts';
import type { Commit } from '../../server/domain/state.ts';
import type { SyncStore } from '../../server/store/types.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { connect, login, pairDevice, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { until } from '../helpers/until.ts';

const OFFICES = 20;
const BOXES = 4;
const TICKETS = Number(process.env.SYNC_TEST_TICKETS ?? 3_000);
const SYSTEM: Actor = { kind: 'system', id: 'sync-test' };
const FAST = { lingerMs: 250, retryBaseMs: 20, retryMaxMs: 300, idleMs: 500, requestTimeoutMs: 20_000, batchSize: 500 };

/** Copies of the demo office kupang under new ids (services, counters, no quotas). */
async function addOffices(g: Giliran, ids: string[]): Promise<void> {
  const base = g.store.config.get().offices.find((o) => o.id === 'kupang')!;
  await g.store.config.update((d) => {
    for (const id of ids) if (!d.offices.some((o) => o.id === id)) d.offices.push({ ...structuredClone(base), id });
  });
}

/** Pairs an office box for one office on the central, in process (the HTTP flow is tested once below). */
async function boxToken(central: Giliran, office: string): Promise<string> {
  const req = central.auth.startPairing('office_box', `Box ${office}`, `box-${office}`)!;
  await central.auth.approvePairing(req.code, office, undefined, 'admin');
  const got = central.auth.pairingStatus(req.requestId, req.secret);
  if (got?.status !== 'approved') throw new Error('pairing failed');
  return got.token;
}

const dirs: string[] = [];
/** A box: its offices configured first (as an admin would), then restarted with the central's address and tokens. */
async function startBox(offices: string[], centralUrl: string, tokens: string[], now?: () => Date, prepare?: (g: Giliran) => Promise<void>): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-box-'));
  dirs.push(dataDir);
  const first = await startServer({ dataDir });
  await addOffices(first.giliran, offices);
  await prepare?.(first.giliran);
  await first.close();
  return startServer({ dataDir, ...(now ? { now } : {}), settings: { centralUrl, boxTokens: tokens, sync: FAST, ...(process.env.SYNC_TEST_LOG ? { logLevel: 'debug' as const } : {}) } });
}

/**
 * The commits of a whole day of one office, decided by the queue rules (pure, in memory): `tickets`
 * issued, each called and finished at one of four counters. Tickets carry no office id, so the same
 * day fits every copy of kupang.
 */
function wholeDay(tickets: number, officeDay: string, now: Date): Commit[] {
  const office = demoOffices().find((o) => o.id === 'kupang')!;
  const state = emptyDay('kupang', officeDay);
  const out: Commit[] = [];
  const run = (cmd: Command) => {
    const d = decide(state, office, cmd, { now, actor: SYSTEM });
    if (!d.ok || d.replayed) return;
    applyCommit(state, office, d.commit);
    out.push(d.commit);
  };
  for (let i = 0; i < tickets; i++) {
    run({ type: 'issue', service: i % 3 ? 'ktp-el' : 'kk' });
    for (const c of ['1', '2', '3', '4']) {
      run({ type: 'finish', counterId: c, outcome: 'done' });
      run({ type: 'call_next', counterId: c });
    }
  }
  return out;
}

/** Writes a day into a box's journal through its store (group commits, durable), as its queue would have. */
async function journal(g: Giliran, officeId: string, officeDay: string, commits: Commit[]): Promise<void> {
  const office = g.queue.office(officeId)!;
  await g.store.queue.openDay(office, officeDay);
  await Promise.all(commits.map((c) => g.store.queue.commit(office, officeDay, c)));
}

/** A busy day on a box: `tickets` issued by 100 kiosks at once, `calls` of them called and finished at counter 1. */
async function busyDay(g: Giliran, office: string, tickets: number, calls = 0): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < tickets) {
        const i = next++;
        const r = await g.queue.execute(office, { type: 'issue', service: i % 3 ? 'ktp-el' : 'kk' }, SYSTEM);
        if (!r.ok) throw new Error(`issue: ${r.error.code}`);
      }
    }),
  );
  // The counter may still hold the last ticket of the day so far.
  if (calls > 0) await g.queue.execute(office, { type: 'finish', counterId: '1', outcome: 'done' }, SYSTEM);
  for (let i = 0; i < calls; i++) {
    const c = await g.queue.execute(office, { type: 'call_next', counterId: '1' }, SYSTEM);
    if (!c.ok) throw new Error(`call_next: ${c.error.code}`);
    const f = await g.queue.execute(office, { type: 'finish', counterId: '1', outcome: 'done' }, SYSTEM);
    if (!f.ok) throw new Error(`finish: ${f.error.code}`);
  }
}

async function versionOf(g: Giliran, office: string): Promise<number> {
  const s = await g.queue.snapshot(office);
  if (!s.ok) throw new Error(s.error.code);
  return s.data.version;
}

/** Resolves once the async `cond` holds (checked every 50 ms). */
async function eventually(cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Versions 1..n, each once: no duplicate, no gap. */
function contiguous(commits: Commit[]): boolean {
  return commits.every((c, i) => c.version === i + 1);
}

/** Resolves once the box's agent reports the office shipped up to `version` with nothing waiting. */
async function shipped(box: Giliran, office: string, version: number, timeoutMs = 60_000): Promise<void> {
  await until(() => {
    const s = box.sync?.status(office);
    return !!s && s.lastVersion >= version && s.lagCommits === 0;
  }, timeoutMs);
}

describe.runIf(postgresAvailable())('office boxes shipping to a central on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let central: TestServer;
  let sync: SyncStore;
  const day = () => officeDayOf(new Date(), 'Asia/Makassar');
  beforeAll(async () => {
    db = await freshDatabase('sync');
    central = await startServer({ settings: { databaseUrl: db.url } });
    sync = central.giliran.store.sync!;
    expect(sync).toBeDefined();
  });
  afterAll(async () => {
    await central?.close();
    await db?.drop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`ships ${OFFICES} offices × ${TICKETS} tickets from ${BOXES} boxes: the central's commits equal the boxes', and a display on the central follows`, async () => {
    const ids = Array.from({ length: OFFICES }, (_, i) => `o${String(i + 1).padStart(2, '0')}`);
    await addOffices(central.giliran, ids);
    const tokens = new Map<string, string>();
    for (const id of ids) tokens.set(id, await boxToken(central.giliran, id));
    // A TV on the central shows one box's office (it gets the shipped commits as deltas).
    const tv = connect(central.url, 'display', 'o01');
    const first = await waitFor<{ version: number }>(tv, 'snapshot');
    expect(first.version).toBe(0);
    let tvVersion = 0;
    tv.on('delta', (d: { version: number }) => (tvVersion = d.version));
    const perBox = OFFICES / BOXES;
    // Each box holds a whole day of each of its offices (written before the box knew the central: a backlog),
    // then serves 20 more tickets live while it ships.
    const history = wholeDay(TICKETS, day(), new Date());
    const boxes: { srv: TestServer; offices: string[] }[] = [];
    try {
      for (let b = 0; b < BOXES; b++) {
        const offices = ids.slice(b * perBox, (b + 1) * perBox);
        const prepare = async (g: Giliran) => {
          for (const o of offices) await journal(g, o, day(), history);
        };
        boxes.push({ srv: await startBox(offices, central.url, offices.map((o) => tokens.get(o)!), undefined, prepare), offices });
      }
      await Promise.all(boxes.flatMap(({ srv, offices }) => offices.map((o) => busyDay(srv.giliran, o, 20, 10))));
      const total = await versionOf(boxes[0]!.srv.giliran, 'o01');
      expect(total).toBeGreaterThanOrEqual(history.length + 40);
      // 60,000 tickets (180,000 commits) from 4 boxes into one PostgreSQL on a 2-core machine: ~19 s alone (91 s before the
      // central's conflict check was bounded to the batch's versions); the timeout leaves room for the whole suite beside it.
      for (const { srv, offices } of boxes) for (const o of offices) await shipped(srv.giliran, o, total, 240_000);
      for (const { srv, offices } of boxes) {
        for (const o of offices) {
          const mine = await srv.giliran.store.queue.readCommits(o, day());
          expect(mine.length).toBe(total);
          expect(mine.filter((c) => c.events.some((e) => e.type === 'ticket_issued'))).toHaveLength(TICKETS + 20);
          const theirs = await central.giliran.store.queue.readCommits(o, day());
          expect(contiguous(theirs)).toBe(true);
          // node's deep equality (vitest's toEqual over 9,000 commits × 20 offices takes longer than the shipping)
          expect(isDeepStrictEqual(theirs, mine), `${o}: the central's commits differ from the box's`).toBe(true);
        }
      }
      await until(() => tvVersion === total, 30_000);
      const snap = await central.giliran.queue.snapshot('o01');
      expect(snap.ok && snap.data.version).toBe(total);
      // The admin console on either side shows the state.
      const adminBox = await login(boxes[0]!.srv.url, 'admin');
      const st = await request(boxes[0]!.srv.url, 'GET', '/api/v1/admin/offices/o01/sync', { cookie: adminBox });
      expect(st.status, JSON.stringify(st.body)).toBe(200);
      expect(st.body).toMatchObject({ role: 'box', box: { office: 'o01', lastDay: day(), lastVersion: total, lagCommits: 0, lastError: null } });
      const adminCentral = await login(central.url, 'admin');
      const cs = await request(central.url, 'GET', '/api/v1/admin/offices/o01/sync', { cookie: adminCentral });
      expect(cs.status).toBe(200);
      expect(cs.body.role).toBe('central');
      expect(cs.body.boxes).toEqual([expect.objectContaining({ office: 'o01', lastDay: day(), lastVersion: total, boxVersion: total, lagCommits: 0 })]);
    } finally {
      tv.close();
      for (const { srv } of boxes) await srv.close();
    }
  }, 300_000);

  it('refuses queue commands on the central for an office whose queue lives on a box, in both languages', async () => {
    await addOffices(central.giliran, ['ro']);
    await boxToken(central.giliran, 'ro');
    const supervisor = await login(central.url, 'admin');
    const res = await request(central.url, 'POST', '/api/v1/offices/ro/tickets', { body: { service: 'ktp-el' }, cookie: supervisor });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('office_on_box');
    expect(res.body.error.message.id).toMatch(/server kantor/);
    expect(res.body.error.message.en).toMatch(/office box/);
    expect(await sync.heldVersion('ro', day())).toBe(0);
    // Its queue still reads (reports, displays).
    expect((await request(central.url, 'GET', '/api/v1/offices/ro/queue', { cookie: supervisor })).status).toBe(200);
  });

  it('refuses a forged token, another office’s token and a kiosk’s, and a batch with a gap; nothing is stored', async () => {
    await addOffices(central.giliran, ['fa', 'fb']);
    const a = await boxToken(central.giliran, 'fa');
    const adminCookie = await login(central.url, 'admin');
    const kiosk = await pairDevice(central.url, adminCookie, 'kiosk', 'fb');
    const commits = [{ version: 1, ticketId: null, events: [{ type: 'service_closed', serviceId: 'ktp-el', reason: 'x', at: new Date().toISOString() }] }];
    const post = (office: string, token: string, body: unknown = { after: 0, commits }) =>
      request(central.url, 'POST', `/api/v1/sync/${office}/days/${day()}/commits`, { body, headers: { authorization: `Bearer ${token}` } });
    const forged = await post('fa', 'not-a-token-at-all-0123456789');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('unauthenticated');
    const other = await post('fb', a);
    expect(other.status).toBe(403);
    expect(other.body.error.message.en.length).toBeGreaterThan(0);
    expect((await post('fb', kiosk.token)).status).toBe(403);
    expect((await post('kupang', a)).status).toBe(403);
    const gap = await post('fa', a, { after: 0, commits: [{ ...commits[0], version: 2 }] });
    expect(gap.status).toBe(400);
    expect(gap.body.error.code).toBe('bad_request');
    expect(gap.body.error.details).toContainEqual({ path: 'commits.0.version', message: 'expected version 1' });
    const tooMany = await post('fa', a, { after: 0, commits: Array.from({ length: 501 }, (_, i) => ({ ...commits[0], version: i + 1 })) });
    expect(tooMany.status).toBe(400);
    const huge = await request(central.url, 'POST', `/api/v1/sync/fa/days/${day()}/commits`, { raw: JSON.stringify({ after: 0, commits, pad: 'x'.repeat(5_000_000) }), headers: { authorization: `Bearer ${a}` } });
    expect(huge.status).toBe(413);
    expect(await sync.heldVersion('fa', day())).toBe(0);
    expect(await sync.heldVersion('fb', day())).toBe(0);
    // The right token stores it, once; the same batch again changes nothing; a different commit 1 is a conflict.
    expect((await post('fa', a)).body).toEqual({ office: 'fa', day: day(), version: 1 });
    expect((await post('fa', a)).body).toEqual({ office: 'fa', day: day(), version: 1 });
    const differs = await post('fa', a, { after: 0, commits: [{ ...commits[0], ticketId: 'other' }] });
    expect(differs.status).toBe(409);
    expect(differs.body.error.code).toBe('sync_conflict');
    expect(await central.giliran.store.queue.readCommits('fa', day())).toEqual(commits);
  });

  it('pairs a box over HTTP and the admin console lists it as an office box', async () => {
    await addOffices(central.giliran, ['hp']);
    const adminCookie = await login(central.url, 'admin');
    const paired = await pairDevice(central.url, adminCookie, 'office_box', 'hp');
    const me = await request(central.url, 'GET', '/api/v1/sync/box', { headers: { authorization: `Bearer ${paired.token}` } });
    expect(me.body).toEqual({ device: { id: paired.id, name: expect.any(String) }, offices: ['hp'] });
    const list = await request(central.url, 'GET', '/api/v1/admin/offices/hp/devices', { cookie: adminCookie });
    expect(list.body.paired).toContainEqual(expect.objectContaining({ id: paired.id, kind: 'office_box' }));
  });


  it('ships a commit made while the box reads its journal: the read does not lower the known head', async () => {
    await addOffices(central.giliran, ['race']);
    const token = await boxToken(central.giliran, 'race');
    const box = await startBox(['race'], central.url, [token]);
    try {
      // The agent's first read of the day returns; before it does, one more ticket is committed (its delta
      // raises the head the agent knows). Before the fix the read's end replaced that head, the newer commit
      // counted as shipped, and every idle round skipped the day until its next commit.
      const q = box.giliran.store.queue;
      const read = q.readCommits.bind(q);
      let raced = false;
      q.readCommits = async (office, officeDay, after) => {
        const out = await read(office, officeDay, after);
        if (!raced && office === 'race' && out.length > 0) {
          raced = true;
          const r = await box.giliran.queue.execute('race', { type: 'issue', service: 'kk' }, SYSTEM);
          if (!r.ok) throw new Error(r.error.code);
        }
        return out;
      };
      const first = await box.giliran.queue.execute('race', { type: 'issue', service: 'kk' }, SYSTEM);
      expect(first.ok).toBe(true);
      await until(() => raced, 10_000);
      const total = await versionOf(box.giliran, 'race');
      expect(total).toBe(2);
      // A few idle rounds (500 ms each in this test) are plenty; the central then holds both commits.
      await shipped(box.giliran, 'race', total, 10_000);
      const theirs = await central.giliran.store.queue.readCommits('race', day());
      expect(theirs.map((c) => c.version)).toEqual([1, 2]);
    } finally {
      await box.close();
    }
  });
  describe('through a line the test cuts', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      proxy = await startTcpProxy(central.url);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('resumes after a cut mid-batch and after a lost answer, with no duplicate and no gap; the audit ships once', async () => {
      await addOffices(central.giliran, ['cut']);
      const token = await boxToken(central.giliran, 'cut');
      // A whole day waits on the box (and one audit line of the office) while the line is down.
      proxy.mode = { kind: 'down' };
      const history = wholeDay(TICKETS, day(), new Date());
      const box = await startBox(['cut'], proxy.url, [token], undefined, async (g) => {
        await journal(g, 'cut', day(), history);
        await g.store.audit.append({ at: new Date().toISOString(), actor: SYSTEM, action: 'sync_test_mark', officeId: 'cut', detail: { n: 1 } });
      });
      try {
        // The first batch is stored but its answer is lost; a later one is cut in the middle of its body.
        await proxy.cutOnce({ kind: 'drop_response' });
        await proxy.cutOnce({ kind: 'cut_request', afterBytes: 5_000 });
        expect(box.giliran.sync!.status('cut')!.lagCommits).toBeGreaterThan(0);
        await shipped(box.giliran, 'cut', history.length, 90_000);
        const theirs = await central.giliran.store.queue.readCommits('cut', day());
        expect(contiguous(theirs)).toBe(true);
        expect(theirs).toEqual(await box.giliran.store.queue.readCommits('cut', day()));
        const audited = async () => (await central.giliran.store.audit.read(new Date().toISOString().slice(0, 10))).filter((e) => e.action === 'sync_test_mark' && e.officeId === 'cut');
        // The audit goes after the commits in the same round, which has ended once nothing waits.
        await eventually(async () => (await audited()).length > 0);
        expect(await audited()).toHaveLength(1);
      } finally {
        await box.close();
      }
      // A restart of the box ships nothing twice (its marks are on disk).
      const again = await startServer({ dataDir: box.dataDir, settings: { centralUrl: proxy.url, boxTokens: [token], sync: FAST } });
      try {
        await until(() => again.giliran.sync?.offices().includes('cut') === true, 30_000);
        await shipped(again.giliran, 'cut', await versionOf(again.giliran, 'cut'));
        expect(contiguous(await central.giliran.store.queue.readCommits('cut', day()))).toBe(true);
      } finally {
        await again.close();
      }
    }, 100_000);

    it('keeps the box’s queue working while the central is unreachable, and catches up a box offline for a day', async () => {
      await addOffices(central.giliran, ['off']);
      const token = await boxToken(central.giliran, 'off');
      // The box's clock: yesterday at 09:00 Makassar, moved to today when the test says.
      const today = new Date();
      let clock = new Date(today.getTime() - 86_400_000);
      const box = await startBox(['off'], proxy.url, [token], () => clock);
      const yesterday = officeDayOf(clock, 'Asia/Makassar');
      try {
        proxy.mode = { kind: 'down' };
        // Tickets issued and called while the line is down: the queue does not wait for the central.
        await busyDay(box.giliran, 'off', 300, 10);
        expect(await versionOf(box.giliran, 'off')).toBe(320);
        clock = today;
        await busyDay(box.giliran, 'off', 200, 5);
        const todayDay = officeDayOf(clock, 'Asia/Makassar');
        expect(todayDay).not.toBe(yesterday);
        await until(() => (box.giliran.sync?.status('off')?.lastError ?? null) !== null || box.giliran.sync?.offices().length === 0, 30_000);
        expect(await sync.heldVersion('off', yesterday)).toBe(0);
        proxy.mode = { kind: 'open' };
        await until(() => box.giliran.sync?.offices().includes('off') === true, 30_000);
        await shipped(box.giliran, 'off', 210, 60_000);
        await until(() => box.giliran.sync?.status('off')?.lastDay === todayDay, 30_000);
        for (const d of [yesterday, todayDay]) {
          const theirs = await central.giliran.store.queue.readCommits('off', d);
          expect(contiguous(theirs)).toBe(true);
          expect(theirs).toEqual(await box.giliran.store.queue.readCommits('off', d));
        }
        expect((await central.giliran.store.queue.readCommits('off', yesterday)).length).toBe(320);
        expect((await central.giliran.store.queue.readCommits('off', todayDay)).length).toBe(210);
      } finally {
        await box.close();
      }
    }, 60_000);
  });
});
