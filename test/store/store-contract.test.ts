// One contract for both stores (the embedded files and PostgreSQL): what is
// committed is read back in order by a fresh store, configuration and sessions
// survive a reopen, offices are kept apart, and (PostgreSQL, which several
// processes share) two writers racing for one version cannot both win.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLowdbStore } from '../../server/store/lowdb-store.ts';
import { openPgStore, StaleDayError } from '../../server/store/pg-store.ts';
import type { ConfigData, Store } from '../../server/store/types.ts';
import { demoSeed } from '../../server/seed/index.ts';
import type { Commit } from '../../server/domain/state.ts';
import { aggregateDay, figuresOf, lastEventAt, monthRollup, standardsOf } from '../../server/domain/report.ts';
import { DAY, kupang, padangPanjang, replay, Sim } from '../helpers/domain.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';

const seed = async (): Promise<ConfigData> => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;

interface Backend {
  name: string;
  /** Opens a store on the same data each time (a restart). */
  open(): Promise<Store>;
  /** True where several processes may share the data (racing writers are decided by the store). */
  shared: boolean;
  cleanup(): Promise<void>;
}

async function embedded(): Promise<Backend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-contract-'));
  return { name: 'embedded', shared: false, open: async () => (await openLowdbStore({ dataDir: dir, seed })).store, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function postgres(): Promise<Backend> {
  const db = await freshDatabase('contract');
  return { name: 'postgres', shared: true, open: async () => (await openPgStore({ databaseUrl: db.url, seed })).store, cleanup: () => db.drop() };
}

/** A busy day: 600 tickets issued, most called and finished, through the real domain. */
function busyDay(): Commit[] {
  const sim = new Sim(kupang(), { step: 3 });
  for (let i = 0; i < 600; i++) sim.issue(['ktp-el', 'kk', 'akta'][i % 3] ?? 'ktp-el');
  for (let i = 0; i < 400; i++) {
    const counter = `loket-${(i % 4) + 1}`;
    const d = sim.run({ type: 'call_next', counterId: counter });
    if (d.ok) sim.ok({ type: 'finish', counterId: counter, outcome: 'done' });
  }
  return sim.commits;
}

const makers: [string, () => Promise<Backend>][] = [['embedded', embedded]];
if (postgresAvailable()) makers.push(['postgres', postgres]);
else if (process.env.CI) throw new Error('CI must run the PostgreSQL store tests: no PostgreSQL server was started');

describe.each(makers)('store contract: %s', (_name, make) => {
  let backend: Backend;
  const opened: Store[] = [];
  const open = async () => {
    const s = await backend.open();
    opened.push(s);
    return s;
  };
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await backend.cleanup();
  });

  it('rebuilds a busy day (600 tickets) after a restart exactly as it was committed', async () => {
    const office = kupang();
    const commits = busyDay();
    const a = await open();
    await a.queue.openDay(office, DAY);
    for (const c of commits) await a.queue.commit(office, DAY, c);
    await a.close();
    const b = await open();
    const state = await b.queue.openDay(office, DAY);
    const expected = replay(office, DAY, commits);
    expect(state.version).toBe(commits.length);
    expect([...state.tickets.values()]).toEqual([...expected.tickets.values()]);
    expect([...state.waiting].sort()).toEqual([...expected.waiting].sort());
    expect(state.counters).toEqual(expected.counters);
    const read = await b.queue.readCommits(office.id, DAY);
    expect(read.map((c) => c.version)).toEqual(commits.map((_, i) => i + 1));
    expect(read).toEqual(JSON.parse(JSON.stringify(commits)));
  });

  it('keeps offices apart: one office day holds nothing of another', async () => {
    const s = await open();
    const pp = padangPanjang();
    const kupangBefore = await s.queue.readCommits('kupang', DAY);
    const sim = new Sim(pp);
    sim.issue(pp.services[0]!.id);
    await s.queue.openDay(pp, DAY);
    await s.queue.commit(pp, DAY, sim.commits[0]!);
    // Ticket ids are per office ("2026-11-23/A001" in both): the office is part of every key.
    expect(await s.queue.readCommits(pp.id, DAY)).toEqual(JSON.parse(JSON.stringify(sim.commits)));
    expect(await s.queue.readCommits('kupang', DAY)).toEqual(kupangBefore);
    expect((await (await open()).queue.openDay(pp, DAY)).version).toBe(1); // a fresh store (a restart) replays it
    expect(await s.queue.readCommits('no-such-office', DAY)).toEqual([]);
  });

  it('keeps a configuration change after a restart, and refuses an invalid one without changing anything', async () => {
    const s = await open();
    await s.config.update((d) => {
      d.offices[0]!.marquee = { id: 'Teks baru', en: 'New text' };
    });
    await expect(
      s.config.update((d) => {
        d.offices[0]!.services[0]!.prefix = 'not a letter';
      }),
    ).rejects.toThrow();
    expect(s.config.get().offices[0]!.services[0]!.prefix).toMatch(/^[A-Z]$/);
    await s.close();
    const again = await open();
    expect(again.config.get().offices[0]!.marquee.id).toBe('Teks baru');
    expect(again.config.get().offices[0]!.services[0]!.prefix).toMatch(/^[A-Z]$/);
  });

  it('keeps sessions and the audit log after a restart', async () => {
    const s = await open();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await s.sessions.put({ idHash: 'h1', userId: 'admin', createdAt: new Date().toISOString(), expiresAt });
    await s.sessions.put({ idHash: 'h2', userId: 'petugas1', createdAt: new Date().toISOString(), expiresAt });
    await s.sessions.delete('h2');
    const at = '2026-11-23T02:00:00.000Z';
    for (let i = 0; i < 50; i++) await s.audit.append({ at, actor: { kind: 'system', id: 'test' }, action: `a${i}`, officeId: 'kupang' });
    await s.audit.append({ at: '2026-11-24T02:00:00.000Z', actor: { kind: 'system', id: 'test' }, action: 'next-day' });
    await s.close();
    const again = await open();
    expect(again.sessions.get('h1')?.userId).toBe('admin');
    expect(again.sessions.get('h2')).toBeUndefined();
    expect((await again.audit.read('2026-11-23')).map((e) => e.action)).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
    expect((await again.audit.read('2026-11-24')).map((e) => e.action)).toEqual(['next-day']);
  });

  it('keeps report aggregates per office day after a restart; range reads only the days asked; drop forgets one', async () => {
    const office = kupang();
    const commits = busyDay();
    const agg = (day: string) => ({ ...aggregateDay({ officeId: office.id, officeDay: day, commits, standards: standardsOf(office), utcOffsetMinutes: 480, end: lastEventAt(commits, `${day}T12:00:00.000Z`), closed: true }), officeDay: day });
    const s = await open();
    for (const day of ['2026-10-30', '2026-10-31', '2026-11-01']) await s.aggregates.put(agg(day));
    await s.aggregates.put({ ...agg('2026-10-31'), version: 7 }); // replaces
    await s.aggregates.put({ ...agg('2026-10-31'), officeId: 'padang-panjang' });
    await s.close();
    const again = await open();
    const got = await again.aggregates.get(office.id, '2026-10-31');
    expect(got?.version).toBe(7);
    expect(figuresOf(got!.total).issued).toBe(600);
    expect(got).toEqual(JSON.parse(JSON.stringify({ ...agg('2026-10-31'), version: 7 })));
    expect((await again.aggregates.range(office.id, '2026-10-31', '2026-11-30')).map((a) => a.officeDay).sort()).toEqual(['2026-10-31', '2026-11-01']);
    expect(await again.aggregates.range('padang-panjang', '2026-10-01', '2026-10-31')).toHaveLength(1);
    await again.aggregates.drop(office.id, '2026-11-01');
    expect(await again.aggregates.get(office.id, '2026-11-01')).toBeNull();
    expect(await again.aggregates.get('no-such-office', '2026-11-01')).toBeNull();
  });

  it('forgets the aggregate of a day that gets a new commit (a synced past day is computed again)', async (ctx) => {
    if (!backend.shared) ctx.skip(); // one embedded writer commits only to today, which is never kept
    const office = kupang();
    const day = '2026-10-20';
    const s = await open();
    const sim = new Sim(office, { day, start: '2026-10-20T01:00:00.000Z' });
    const c = sim.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk' });
    await s.aggregates.put(aggregateDay({ officeId: office.id, officeDay: day, commits: [], standards: standardsOf(office), utcOffsetMinutes: 480, end: '2026-10-20T12:00:00.000Z', closed: true }));
    await s.aggregates.put(monthRollup(office.id, '2026-10', standardsOf(office), []));
    await s.aggregates.put(monthRollup(office.id, '2026-09', standardsOf(office), []));
    expect(await s.aggregates.get(office.id, day)).not.toBeNull();
    await s.queue.openDay(office, day);
    await s.queue.commit(office, day, c);
    expect(await s.aggregates.get(office.id, day)).toBeNull();
    expect(await s.aggregates.get(office.id, '2026-10')).toBeNull(); // its month's roll-up too
    expect(await s.aggregates.get(office.id, '2026-09')).not.toBeNull();
  });

  it('lets exactly one of two writers sharing the data commit a version; the other reloads and sees it', async (ctx) => {
    if (!backend.shared) ctx.skip(); // the embedded store has one writer by design: one process per office box
    const office = kupang();
    const day = '2026-11-25';
    const a = await open();
    const b = await open();
    await a.queue.openDay(office, day);
    await b.queue.openDay(office, day);
    let wins = 0;
    let stale = 0;
    // 100 rounds: both decide the next version from their own copy and race.
    const simA = new Sim(office, { day, start: '2026-11-25T01:00:00.000Z' });
    for (let round = 0; round < 100; round++) {
      const stateA = await a.queue.openDay(office, day);
      const stateB = await b.queue.openDay(office, day);
      expect(stateA.version).toBe(stateB.version);
      const c = simA.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk' });
      const results = await Promise.allSettled([a.queue.commit(office, day, c), b.queue.commit(office, day, c)]);
      wins += results.filter((r) => r.status === 'fulfilled').length;
      stale += results.filter((r) => r.status === 'rejected' && r.reason instanceof StaleDayError).length;
      // The loser's day was dropped; the winner's copy must now learn the version too.
      (a.queue as { forget?: (id: string) => void }).forget?.(office.id);
      (b.queue as { forget?: (id: string) => void }).forget?.(office.id);
    }
    expect(wins).toBe(100);
    expect(stale).toBe(100);
    expect((await a.queue.readCommits(office.id, day)).length).toBe(100);
  });
});

describe('embedded store after close', () => {
  it('opens no day and writes no aggregate for a request still in flight: the data folder can be removed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'giliran-closed-'));
    try {
      const store = (await openLowdbStore({ dataDir: dir, seed })).store;
      const office = kupang();
      const sim = new Sim(office, { step: 3 });
      sim.issue('ktp-el');
      await store.queue.openDay(office, DAY);
      await store.queue.commit(office, DAY, sim.commits[0]!);
      const aggregate = aggregateDay({ officeId: office.id, officeDay: DAY, commits: sim.commits, standards: standardsOf(office), utcOffsetMinutes: 480, end: lastEventAt(sim.commits, `${DAY}T12:00:00.000Z`), closed: true });
      await store.close();
      const days = path.join(dir, 'offices', office.id, 'days');
      const before = await readdir(days);
      await expect(store.queue.openDay(office, '2026-12-24')).rejects.toThrow('store closed');
      await expect(store.aggregates.put(aggregate)).rejects.toThrow('store closed');
      expect(await readdir(days)).toEqual(before);
      await expect(readdir(path.join(dir, 'offices', office.id, 'reports'))).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
